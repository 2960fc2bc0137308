"""Collaboration event log: ingesting by `events/bulk/` against one POST per event, and the derived measures
over a year of events against one SQL statement with `percentile_cont`, same data, same run.

Builds, in a throwaway test database (never the dev database), one tenant with --units org units and an
HR admin with an API token. Then, through the real API (Django's test client: middleware, token
authentication, tenant resolution, serializers, services, RLS on PostgreSQL):

  (a) `POST events/bulk/` of --bulk events (default 100,000) in calls of 5,000, each event with an external
      id; the rate in events per second — then the same calls again, which must create nothing (idempotent);
  (b) `POST events/` one event per call on a sample of --single events; the rate, extrapolated to --bulk
      events — target (a) rate / (b) rate ≥ 50.

Then it adds --events events (default 1,000,000: requests, responses to them, deliverables, meetings,
comments over the twelve months of a year) with bulk inserts as the database owner and times, as the
application role:

  (c) `feedback.selectors.events.unit_measures` for the twelve months (one `values_list` read, the pandas
      engine: median response time, on-time rate, meeting participation per unit and month);
  (d) one SQL statement computing the same three measures per unit and month (`percentile_cont(0.5)` for
      the median, first responses by a lateral subquery) — target (c)/(d) ≤ 3 (PostgreSQL only; on SQLite
      there is no percentile_cont and (d) is skipped).

(c) and (d) are cross-checked on every (unit, month); a mismatch fails the run.

    python -m bench events [--units 500] [--bulk 100000] [--single 300] [--events 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time

import numpy as np

from bench.goal_rollup import (
    _next_ids,
    as_application_role,
    counting_queries,
    setup_django,
    throwaway_database,
)

DEFAULTS = {"units": 500, "bulk": 100_000, "single": 300, "events": 1_000_000, "repeat": 3, "seed": 7}
CALL = 5000
YEAR = 2025
ZONE = "Asia/Shanghai"


def _say(out):
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    return say


def build_org(tenant, units: int):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from collab.models import Membership, OrgUnit, Period

    ids = list(_next_ids(OrgUnit, units + 1))
    root = ids[0]
    rows = [
        OrgUnit(
            id=root, tenant=tenant, code="ROOT", name="Root", kind=OrgUnit.Kind.DEPARTMENT, path=f"/{root}/"
        )
    ]
    rows += [
        OrgUnit(id=pk, tenant=tenant, code=f"U{pk}", name=f"Unit {pk}", kind=OrgUnit.Kind.DEPARTMENT,
                parent_id=root, path=f"/{root}/{pk}/", depth=1)
        for pk in ids[1:]
    ]  # fmt: skip
    OrgUnit.objects.bulk_create(rows)
    user = get_user_model().objects.create_user(f"bench-hr-{tenant.pk}", password="x")  # noqa: S106
    Membership.objects.create(tenant=tenant, user=user, roles=["hr_admin"])
    token = Token.objects.create(user=user)
    months = Period.objects.bulk_create(
        [Period(tenant=tenant, kind=Period.Kind.MONTH, year=YEAR, month=m, status=Period.Status.ACTIVE)
         for m in range(1, 13)]
    )  # fmt: skip
    return ids[1:], token.key, months


def api_rows(unit_ids: list[int], count: int, rng: random.Random, prefix: str) -> list[dict]:
    start = dt.datetime(YEAR, 1, 1, 8, tzinfo=dt.UTC)
    rows = []
    for index in range(count):
        first, second = rng.sample(unit_ids, 2)
        occurred = start + dt.timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
        kind = rng.choice(("request", "deliverable", "meeting", "comment", "approval"))
        row = {"kind": kind, "title": f"Event {prefix}{index}", "from_unit": first, "to_unit": second,
               "occurred_at": occurred.isoformat(), "external_id": f"{prefix}-{index}"}  # fmt: skip
        if kind in ("request", "deliverable"):
            row["due_at"] = (occurred + dt.timedelta(days=rng.choice((1, 3, 7)))).isoformat()
        if kind == "meeting":
            row["attended"] = rng.random() < 0.8
        rows.append(row)
    return rows


def ingest(client, slug: str, token: str, rows: list[dict], *, bulk: bool) -> tuple[float, int]:
    """Seconds to post `rows` (bulk: calls of 5,000; else one POST each) and how many calls answered 2xx."""
    base = f"/api/v1/t/{slug}/events/"
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    ok = 0
    start = time.perf_counter()
    if bulk:
        for offset in range(0, len(rows), CALL):
            body = json.dumps(rows[offset : offset + CALL])
            answer = client.post(f"{base}bulk/", body, content_type="application/json", **headers)
            if answer.status_code != 200:
                raise RuntimeError(f"bulk call answered {answer.status_code}: {answer.content[:500]!r}")
            ok += 1
    else:
        for row in rows:
            answer = client.post(base, json.dumps(row), content_type="application/json", **headers)
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"POST answered {answer.status_code}: {answer.content[:500]!r}")
            ok += 1
    return time.perf_counter() - start, ok


def build_log(tenant, unit_ids: list[int], count: int, seed: int) -> int:
    """`count` events over the year with bulk inserts (explicit ids; responses answer earlier requests)."""
    from feedback.models import CollaborationEvent

    rng = np.random.default_rng(seed)
    units = np.array(unit_ids)
    start = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC).timestamp()
    ids = _next_ids(CollaborationEvent, count)
    first_id = ids.start
    kinds = rng.choice(["request", "response", "deliverable", "meeting", "comment"], size=count,
                       p=[0.35, 0.3, 0.15, 0.15, 0.05])  # fmt: skip
    occurred = start + rng.uniform(0, 360 * 86400, size=count)
    from_unit = rng.choice(units, size=count)
    to_unit = rng.choice(units, size=count)
    to_unit = np.where(to_unit == from_unit, np.roll(units, 1)[np.searchsorted(units, from_unit)], to_unit)
    requests = np.flatnonzero(kinds == "request")
    made = 0
    batch: list = []
    when = dt.datetime.fromtimestamp
    responses = np.flatnonzero(kinds == "response")
    order = np.concatenate([np.flatnonzero(kinds != "response"), responses])  # requests before answers
    for index in order:
        index = int(index)
        kind = str(kinds[index])
        row = {"id": first_id + index, "tenant": tenant, "kind": kind, "title": f"E{index}",
               "from_unit_id": int(from_unit[index]), "to_unit_id": int(to_unit[index])}  # fmt: skip
        moment = float(occurred[index])
        if kind == "response":
            asked = int(requests[rng.integers(0, len(requests))])
            row["answers_id"] = first_id + asked
            row["from_unit_id"], row["to_unit_id"] = int(to_unit[asked]), int(from_unit[asked])
            moment = float(occurred[asked]) + float(rng.exponential(20 * 3600))
        elif kind == "request" and rng.random() < 0.2:
            row["done_at"] = when(moment + float(rng.exponential(30 * 3600)), tz=dt.UTC)
        elif kind == "deliverable":
            due = moment + float(rng.choice((3, 7, 14))) * 86400
            row["due_at"] = when(due, tz=dt.UTC)
            if rng.random() < 0.9:
                row["done_at"] = when(max(moment, due + float(rng.normal(-12, 24)) * 3600), tz=dt.UTC)
        elif kind == "meeting":
            row["attended"] = bool(rng.random() < 0.8)
        row["occurred_at"] = when(moment, tz=dt.UTC)
        batch.append(row)
        if len(batch) == 20000:
            made += _insert(batch)
            batch = []
    if batch:
        made += _insert(batch)
    return made


COLUMNS = (
    "id",
    "tenant_id",
    "kind",
    "title",
    "description",
    "from_unit_id",
    "to_unit_id",
    "answers_id",
    "occurred_at",
    "due_at",
    "done_at",
    "attended",
    "source",
    "external_id",
    "lock_version",
    "updated_at",
    "created_at",
)


def _insert(rows: list[dict]) -> int:
    """Rows straight into the table (PostgreSQL: execute_values as the owner; SQLite: bulk_create)."""
    from django.db import connection

    from feedback.models import CollaborationEvent

    if connection.vendor != "postgresql":
        CollaborationEvent.objects.bulk_create([CollaborationEvent(**row) for row in rows])
        return len(rows)
    from psycopg2.extras import execute_values

    now = dt.datetime.now(dt.UTC)
    values = [
        (
            row["id"],
            row["tenant"].pk,
            row["kind"],
            row["title"],
            "",
            row["from_unit_id"],
            row["to_unit_id"],
            row.get("answers_id"),
            row["occurred_at"],
            row.get("due_at"),
            row.get("done_at"),
            row.get("attended"),
            "import",
            "",
            1,
            now,
            now,
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        statement = f"INSERT INTO feedback_collaborationevent ({', '.join(COLUMNS)}) VALUES %s"
        execute_values(cursor.cursor, statement, values, page_size=2000)
    return len(rows)


SQL = """
WITH bounds AS (SELECT %(start)s::timestamptz AS s, %(end)s::timestamptz AS t),
asked AS (
    SELECT e.to_unit_id AS unit, date_trunc('month', e.occurred_at AT TIME ZONE %(zone)s) AS m,
           CASE WHEN LEAST(e.done_at, first.at) IS NULL THEN NULL
                ELSE GREATEST(0, EXTRACT(EPOCH FROM LEAST(e.done_at, first.at) - e.occurred_at) / 3600.0) END
           AS hours
    FROM feedback_collaborationevent e CROSS JOIN bounds
    LEFT JOIN LATERAL (SELECT min(x.occurred_at) AS at FROM feedback_collaborationevent x
                       WHERE x.answers_id = e.id AND x.kind = 'response') first ON true
    WHERE e.kind = 'request' AND e.occurred_at >= bounds.s AND e.occurred_at < bounds.t
)
SELECT 'r', unit, m, count(*), count(hours), percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)
FROM asked GROUP BY unit, m
UNION ALL
SELECT 'd', from_unit_id, date_trunc('month', due_at AT TIME ZONE %(zone)s), count(*),
       count(*) FILTER (WHERE done_at <= due_at), NULL
FROM feedback_collaborationevent, bounds
WHERE kind = 'deliverable' AND due_at >= bounds.s AND due_at < bounds.t
  AND (done_at IS NOT NULL OR due_at <= %(now)s::timestamptz)
GROUP BY 2, 3
UNION ALL
SELECT 'm', to_unit_id, date_trunc('month', occurred_at AT TIME ZONE %(zone)s), count(*),
       count(*) FILTER (WHERE attended), NULL
FROM feedback_collaborationevent, bounds
WHERE kind = 'meeting' AND occurred_at >= bounds.s AND occurred_at < bounds.t
GROUP BY 2, 3
"""


def sql_measures(months, now: dt.datetime) -> dict:
    from django.db import connection

    from collab.selectors.audit.events import tenant_zone
    from feedback.selectors.events import period_bounds

    zone = tenant_zone(ZONE)
    start, _ = period_bounds(months[0], zone)
    _, end = period_bounds(months[-1], zone)
    by_month = {period.month: period.pk for period in months}
    out: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"start": start, "end": end, "zone": ZONE, "now": now})
        for what, unit, month, n, k, median in cursor.fetchall():
            cell = out.setdefault((unit, by_month[month.month]), {})
            cell[what] = (n, k, None if median is None else float(median))
    return out


def compare(engine: dict, sql: dict) -> list:
    bad = []
    for key in set(engine) | set(sql):
        measures, row = engine.get(key), sql.get(key, {})
        if measures is None:
            bad.append((key, "missing in the engine"))
            continue
        got = {
            "r": (measures.requests, measures.answered, measures.median_response_hours),
            "d": (measures.deliverables_due, measures.delivered_on_time, None),
            "m": (measures.meetings_invited, measures.meetings_attended, None),
        }
        for what, values in got.items():
            expected = row.get(what, (0, 0, None))
            if values[:2] != expected[:2]:
                bad.append((key, what, values, expected))
            elif (values[2] is None) != (expected[2] is None) or (
                values[2] is not None and abs(values[2] - expected[2]) > 1e-6
            ):
                bad.append((key, what, values, expected))
    return bad


def run(*, units: int, bulk: int, single: int, events: int, repeat: int, seed: int, out=sys.stdout) -> int:
    from django.db import connection
    from django.test import Client

    from collab.models import Tenant
    from collab.tenancy import tenant_scope
    from feedback.models import CollaborationEvent

    say = _say(out)
    say(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    tenant = Tenant.objects.create(slug=f"bench-events-{seed}", name="Benchmark tenant", timezone=ZONE)
    rng = random.Random(seed)
    with tenant_scope(tenant):
        unit_ids, token, months = build_org(tenant, units)
    say(f"built {units:,} units, 12 month periods and an HR admin with an API token")
    client = Client()
    if bulk <= 0:  # measures only
        return _measures(tenant, unit_ids, months, events=events, repeat=repeat, seed=seed, stored=0, say=say)
    bulk_rows = api_rows(unit_ids, bulk, rng, "b")
    single_rows = api_rows(unit_ids, single, rng, "s")
    with tenant_scope(tenant), as_application_role() as how:
        say(how)
        bulk_seconds, calls = ingest(client, tenant.slug, token, bulk_rows, bulk=True)
        bulk_rate = bulk / bulk_seconds
        say(
            f"(a) events/bulk/: {bulk:,} events in {calls} calls of ≤{CALL:,}: {bulk_seconds:.1f} s = "
            f"{bulk_rate:,.0f} events/s"
        )
        retry_seconds, _ = ingest(client, tenant.slug, token, bulk_rows[:CALL], bulk=True)
        with tenant_scope(tenant):
            stored = CollaborationEvent.objects.count()
        if stored != bulk:
            say(f"MISMATCH: {stored:,} events stored after the bulk calls and a retry, expected {bulk:,}")
            return 1
        say(
            f"    a retried call of {min(CALL, bulk):,} created nothing ({stored:,} stored) "
            f"in {retry_seconds:.2f} s"
        )
        single_seconds, _ = ingest(client, tenant.slug, token, single_rows, bulk=False)
    single_rate = single / single_seconds
    say(
        f"(b) one POST per event: {single:,} events in {single_seconds:.1f} s = {single_rate:,.1f} events/s "
        f"({single_seconds / single * 1000:.1f} ms each) → {bulk:,} events ≈ {bulk / single_rate:,.0f} s"
    )
    say(
        f"ratio (a)/(b): {bulk_rate / single_rate:,.0f}× (target ≥ 50×) — the bulk ingest rate vs one POST "
        "per event"
    )

    return _measures(tenant, unit_ids, months, events=events, repeat=repeat, seed=seed,
                     stored=stored + single, say=say)  # fmt: skip


def _measures(tenant, unit_ids, months, *, events: int, repeat: int, seed: int, stored: int, say) -> int:
    from django.db import connection

    from collab.tenancy import tenant_scope
    from feedback.selectors.events import unit_measures

    with tenant_scope(tenant):
        seconds = time.perf_counter()
        made = build_log(tenant, unit_ids, events, seed)
        say(
            f"added {made:,} events over {YEAR} with bulk inserts in {time.perf_counter() - seconds:.1f} s "
            f"({stored:,} from the API before)"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE feedback_collaborationevent")
        now = dt.datetime(YEAR + 1, 1, 15, tzinfo=dt.UTC)
        with as_application_role() as how:
            say(how)
            with counting_queries() as queries:
                engine = unit_measures(months, timezone_name=ZONE, now=now)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                engine = unit_measures(months, timezone_name=ZONE, now=now)
                times.append(time.perf_counter() - start)
            best = min(times)
            say(
                f"(c) unit_measures over 12 months (values_list read + pandas engine): best {best:.2f} s, "
                f"median {statistics.median(times):.2f} s of {repeat}; {len(queries)} queries; "
                f"{len(engine):,} (unit, month) cells"
            )
            if connection.vendor != "postgresql":
                say("(d) skipped: SQLite has no percentile_cont")
                return 0
            sql_times = []
            for _ in range(repeat):
                start = time.perf_counter()
                sql = sql_measures(months, now)
                sql_times.append(time.perf_counter() - start)
            sql_best = min(sql_times)
            say(
                f"(d) one SQL statement (percentile_cont, lateral first response, FILTER counts): best "
                f"{sql_best:.2f} s, median {statistics.median(sql_times):.2f} s of {repeat}"
            )
            bad = compare(engine, sql)
            if bad:
                say(f"MISMATCH on {len(bad)} cells, e.g. {bad[:3]}")
                return 1
            say(f"results agree on all {len(engine):,} (unit, month) cells (counts and medians)")
            say(
                f"ratio (c)/(d): {best / sql_best:.1f}× best, "
                f"{statistics.median(times) / statistics.median(sql_times):.1f}× median (target ≤ 3×)"
            )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench events", description=__doc__.splitlines()[0])
    for name, value in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    args = parser.parse_args(argv)
    setup_django()
    with throwaway_database():
        return run(units=args.units, bulk=args.bulk, single=args.single, events=args.events,
                   repeat=max(args.repeat, 1), seed=args.seed)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
