"""Review results over a closed campaign's ratings: the results reader (k applied, only released slices)
against one SQL GROUP BY … HAVING count(DISTINCT rater) >= k over the same rows.

Builds, in a throwaway test database (never the dev database), one tenant with a closed internal-customer
campaign of 5,000 rated units, a template of 5 dimensions and 200,000 ratings (1,000,000 dimension scores;
between 2 and 78 raters per unit, so some are under k), each with frozen rater attributes (8 business lines,
200 units, 5 levels), all with bulk inserts. Then it times

  (r) the release at close (`feedback.services.results.results_release`): every slice of every subject
      decided once (k, no two shown slices within k raters), the wholes and shown groups stored — a
      one-time cost per campaign;
  (a) `feedback.selectors.results.rows.result_rows` over every subject (what an export of all results or a
      page per page walk reads): the released whole-campaign slices, one grouped query for their means per
      dimension, the dimensions and the response counts;
  (b) the baseline: one statement, GROUP BY subject, dimension HAVING count(DISTINCT rater_key) >= k;
  (p) one page of the API list (`GET review-results/`, 50 rows), with its query count.

(a) and (b) are cross-checked (the same subjects shown, the same means); a mismatch fails the run. Target:
(a)/(b) ≤ 3. The issue's size is `--ratings 1000000` (5,000,000 dimension scores; see bench/README.md).

    python -m bench review_results [--subjects 5000] [--ratings 200000] [--dimensions 5] [--people 20000]
                                   [--k 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time

from bench.goal_rollup import (
    _next_ids,
    as_application_role,
    counting_queries,
    setup_django,
    throwaway_database,
)

DEFAULTS = {"subjects": 5000, "ratings": 200000, "dimensions": 5, "people": 20000, "k": 5, "repeat": 5,
            "seed": 7}  # fmt: skip
BATCH = 5000
TOLERANCE = 1e-9


def build_world(tenant, *, subjects, ratings, dimensions, people, seed):
    """The campaign and its rows, inserted in bulk; returns the campaign."""
    import datetime as dt

    from django.utils import timezone

    from collab.models import OrgUnit, Period
    from feedback.models import (
        CampaignStatus,
        CampaignSubject,
        RaterRole,
        Rating,
        RatingScore,
        ReviewCampaign,
        ReviewDimension,
        ReviewTemplate,
    )  # fmt: skip

    rng = random.Random(seed)
    period = Period.objects.create(kind=Period.Kind.YEAR, year=2030, status=Period.Status.ACTIVE)
    template = ReviewTemplate.objects.create(name="Bench template", kind="internal_customer")
    dims = [
        ReviewDimension.objects.create(template=template, name=f"D{i}", order=i) for i in range(dimensions)
    ]
    unit_ids = _next_ids(OrgUnit, subjects + 200 + 8)
    units = [
        OrgUnit(
            id=pk, code=f"B{pk}", name=f"Unit {pk}", kind=OrgUnit.Kind.DEPARTMENT, path=f"/{pk}/", depth=0
        )
        for pk in unit_ids
    ]
    OrgUnit.objects.bulk_create(units, batch_size=BATCH)
    rated, rater_units, lines = (
        unit_ids[:subjects],
        unit_ids[subjects : subjects + 200],
        unit_ids[subjects + 200 :],
    )
    campaign = ReviewCampaign.objects.create(
        name="Bench campaign", template=template, kind="internal_customer", period=period,
        deadline=timezone.now() - dt.timedelta(days=1), status=CampaignStatus.CLOSED,
        closed_at=timezone.now(),
    )  # fmt: skip
    subject_ids = _next_ids(CampaignSubject, subjects)
    CampaignSubject.objects.bulk_create(
        [
            CampaignSubject(id=pk, campaign=campaign, org_unit_id=unit)
            for pk, unit in zip(subject_ids, rated, strict=True)
        ],
        batch_size=BATCH,
    )
    # how many raters each subject gets: 2 … 78, scaled so that the total is `ratings`
    counts = [rng.randint(2, 78) for _ in subject_ids]
    scale = ratings / sum(counts)
    counts = [max(1, min(people, round(c * scale))) for c in counts]
    counts[-1] = max(1, counts[-1] + ratings - sum(counts))
    attributes = [
        (rng.choice(lines), rng.choice(rater_units), rng.choice(["P2", "P3", "P4", "M2", "M3"]))
        for _ in range(people)
    ]
    rating_rows, score_rows = [], []
    levels = [rng.randint(2, 5) for _ in range(people)]  # each person's usual score
    import uuid

    for subject_id, count in zip(subject_ids, counts, strict=True):
        for person in rng.sample(range(people), min(count, people)):
            line, unit, level = attributes[person]
            rating_id = uuid.UUID(int=rng.getrandbits(128))
            rating_rows.append(Rating(
                id=rating_id, campaign_id=campaign.pk, subject_id=subject_id, rater_key=f"p{person:06d}",
                rater_role=RaterRole.INTERNAL_CUSTOMER, rater_unit_id=unit, rater_business_line_id=line,
                rater_level=level,
            ))  # fmt: skip
            for dim in dims:
                value = max(1, min(5, levels[person] + rng.choice((-1, 0, 0, 1))))
                score_rows.append(RatingScore(rating_id=rating_id, dimension_id=dim.pk, value=value))
        if len(score_rows) >= 10 * BATCH:
            Rating.objects.bulk_create(rating_rows, batch_size=BATCH)
            RatingScore.objects.bulk_create(score_rows, batch_size=BATCH)
            rating_rows, score_rows = [], []
    Rating.objects.bulk_create(rating_rows, batch_size=BATCH)
    RatingScore.objects.bulk_create(score_rows, batch_size=BATCH)
    return campaign


def all_results(campaign) -> dict[int, dict[int, float]]:
    """(a): the results reader over every subject of the campaign."""
    from feedback.selectors.results.rows import result_rows, result_subjects

    rows = result_rows(list(result_subjects(campaign=campaign.pk)))
    return {r.subject.pk: {d.id: d.mean for d in r.whole.dimensions} for r in rows if r.whole.shown}


def grouped_sql(campaign, k: int) -> dict[int, dict[int, float]]:
    """(b): one GROUP BY … HAVING count(DISTINCT rater_key) >= k over the same rows."""
    from django.db import connection

    from feedback.models import Rating, RatingScore

    scores, ratings = RatingScore._meta.db_table, Rating._meta.db_table
    sql = (
        f"SELECT r.subject_id, s.dimension_id, avg(s.value) "
        f"FROM {scores} s JOIN {ratings} r ON r.id = s.rating_id "
        f"WHERE r.campaign_id = %s AND r.attributed_rater_id IS NULL "
        f"GROUP BY r.subject_id, s.dimension_id HAVING count(DISTINCT r.rater_key) >= %s"
    )
    out: dict[int, dict[int, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, k])
        for subject, dimension, mean in cursor.fetchall():
            out.setdefault(subject, {})[dimension] = float(mean)
    return out


def mismatches(a: dict, b: dict) -> list:
    bad = [s for s in set(a) | set(b) if set(a.get(s, {})) != set(b.get(s, {}))]
    bad += [s for s in set(a) & set(b) if any(abs(a[s][d] - b[s][d]) > TOLERANCE for d in a[s] if d in b[s])]
    return sorted(set(bad))


def api_page(tenant, user) -> tuple[int, int]:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    with counting_queries() as queries:
        response = client.get(f"/api/v1/t/{tenant.slug}/review-results/")
    assert response.status_code == 200, response.content[:500]
    return len(response.json()["results"]), len(queries)


def run(*, subjects, ratings, dimensions, people, k, repeat, seed, out=sys.stdout) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from collab.models import Membership, Tenant
    from collab.tenancy import tenant_scope
    from feedback.models import RatingScore, ResultRelease
    from feedback.services.results import results_release

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    def timed(function, *args):
        times, result = [], None
        for _ in range(repeat):
            start = time.perf_counter()
            result = function(*args)
            times.append(time.perf_counter() - start)
        return min(times), statistics.median(times), result

    say(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    tenant = Tenant.objects.create(
        slug=f"bench-reviews-{seed}-{int(time.time())}", name="Benchmark tenant", anonymity_threshold=k
    )
    user = get_user_model().objects.create(username=f"bench-hr-{tenant.pk}")
    with tenant_scope(tenant):
        Membership.objects.create(user=user, roles=["hr_admin"])
        start = time.perf_counter()
        campaign = build_world(
            tenant, subjects=subjects, ratings=ratings, dimensions=dimensions, people=people, seed=seed
        )
        scores = RatingScore.objects.count()
        built = time.perf_counter() - start
        say(f"built {subjects:,} rated units, {ratings:,} ratings, {scores:,} dimension scores "
            f"({dimensions} dimensions) with bulk inserts in {built:.1f} s")  # fmt: skip
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("feedback_rating", "feedback_ratingscore", "feedback_campaignsubject"):
                    cursor.execute(f"ANALYZE {table}")
        with as_application_role() as how:
            say(how)
            start = time.perf_counter()
            with counting_queries() as queries:
                released = results_release(actor=None, campaigns=[campaign])
            release_time = time.perf_counter() - start
            slices = ResultRelease.objects.filter(campaign=campaign).count()
            shown = ResultRelease.objects.filter(campaign=campaign, shown=True).count()
            say(f"(r) release at close: {release_time:.2f} s; {released:,} subjects, {slices:,} slices "
                f"stored ({shown:,} shown, the rest refused wholes); {len(queries)} queries")  # fmt: skip
            all_results(campaign)  # warm-up
            a_best, a_median, a = timed(all_results, campaign)
            with counting_queries() as queries:
                all_results(campaign)
            say(f"(a) results reader over every subject, k = {k}: best {a_best * 1000:.0f} ms, median "
                f"{a_median * 1000:.0f} ms of {repeat}; {len(queries)} queries; "
                f"{len(a):,} subjects shown")  # fmt: skip
            grouped_sql(campaign, k)
            b_best, b_median, b = timed(grouped_sql, campaign, k)
            say(f"(b) one GROUP BY … HAVING count(DISTINCT rater_key) >= {k}: best {b_best * 1000:.0f} ms, "
                f"median {b_median * 1000:.0f} ms; {len(b):,} subjects")  # fmt: skip
            api_page(tenant, user)
            start = time.perf_counter()
            rows, page_queries = api_page(tenant, user)
            say(f"(p) API list, one page: {(time.perf_counter() - start) * 1000:.0f} ms; {rows} rows, "
                f"{page_queries} queries")  # fmt: skip
            bad = mismatches(a, b)
            if bad:
                say(f"MISMATCH on {len(bad)} subjects, e.g. {bad[:5]}")
                return 1
            say(f"results agree: the same {len(a):,} subjects shown with the same means per dimension")
            say(
                f"ratio (a)/(b): {a_best / b_best:.1f}× best, {a_median / b_median:.1f}× median (target ≤ 3×)"
            )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # kB on Linux
            say(f"peak memory of this process: {peak:.1f} GB")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench review_results", description=__doc__.splitlines()[0]
    )
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args(argv)
    setup_django()
    with throwaway_database():
        sizes = {name: getattr(args, name) for name in ("subjects", "ratings", "dimensions", "people", "k")}
        return run(**sizes, repeat=max(args.repeat, 1), seed=args.seed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
