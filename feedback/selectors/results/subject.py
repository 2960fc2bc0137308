"""One rated subject's analysis: rater groups, distribution, comments, trend, the attributed rating."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from collab.models import OrgUnit
from collab.selectors.periods import period_order
from feedback.access import FULL
from feedback.engine.anonymity import comments_released
from feedback.engine.results import (
    NO_GROUP,
    OVERALL,
    SPLITS,
    RoleMeans,
    distribution,
    group_value,
    slice_name,
    slice_results,
    split_of,
    weighted_result,
)
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
    RaterRole,
    Rating,
    RatingScore,
    ResultRelease,
    ReviewKind,
)
from feedback.selectors.results.rows import (
    dimensions_of,
    ensure_released,
    hidden_slice,
    responses_of,
    slice_view,
    whole_numbers,
)
from feedback.selectors.results.shapes import (
    DimensionMean,
    SubjectResults,
    TrendPoint,
    WeightedRole,
    WeightedView,
    anonymity_k,
)

# ------------------------------------------------------------------------------------------ one subject
SCORE_COLUMNS = ["rater", "business_line", "unit", "level", "role", "dimension", "score"]


def _scores(subject: CampaignSubject) -> pd.DataFrame:
    rows = RatingScore.objects.filter(
        rating__subject_id=subject.pk, rating__attributed_rater__isnull=True
    ).values_list(
        "rating__rater_key", "rating__rater_business_line_id", "rating__rater_unit_id", "rating__rater_level",
        "rating__rater_role", "dimension_id", "value",
    )  # fmt: skip
    frame = pd.DataFrame(list(rows), columns=SCORE_COLUMNS)
    for split in SPLITS:
        frame[split] = frame[split].astype(object).map(group_value)
    return frame


def _group_labels(releases: dict) -> dict[str, str]:
    unit_ids = set()
    for name in releases:
        split, group = split_of(name)
        if split in ("business_line", "unit") and group != NO_GROUP:
            unit_ids.add(int(group))
    names = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    roles = dict(RaterRole.choices)
    labels = {}
    for name in releases:
        split, group = split_of(name)
        if group == NO_GROUP:
            labels[name] = _("(none)")
        elif split in ("business_line", "unit"):
            labels[name] = names.get(int(group), _("(removed unit)"))
        elif split == "role":
            labels[name] = str(roles.get(group, group))
        else:
            labels[name] = group
    return labels


def _comments(subject: CampaignSubject) -> list[str] | None:
    """The released comments, ordered by text (never by submission), or None when not released."""
    texts = [
        text.strip()
        for text in Rating.objects.filter(subject_id=subject.pk, attributed_rater__isnull=True)
        .exclude(comment="")
        .values_list("comment", flat=True)
        if text.strip()
    ]
    closed = subject.campaign.status == CampaignStatus.CLOSED
    if not comments_released(len(texts), minimum=subject.campaign.comment_minimum, closed=closed):
        return None
    return sorted(texts)


def _attributed(subject: CampaignSubject, dimensions) -> dict | None:
    rating = (
        Rating.objects.filter(subject_id=subject.pk, attributed_rater__isnull=False)
        .select_related("attributed_rater")
        .prefetch_related("scores")
        .first()
    )
    if rating is None:
        return None
    values = {s.dimension_id: s.value for s in rating.scores.all()}
    means = [DimensionMean(pk, name, float(values[pk]) if pk in values else None) for pk, name in dimensions]
    present = [v for v in values.values()]
    return {
        "rater": rating.attributed_rater.name, "role": rating.get_rater_role_display(),
        "rater_role": rating.rater_role,
        "overall": sum(present) / len(present) if present else None, "dimensions": means,
        "comment": rating.comment,
    }  # fmt: skip


def trend(subject: CampaignSubject) -> list[TrendPoint]:
    """One point per closed campaign that rated the same unit (or person), each its own whole-campaign
    result (shown only as released: at least k raters)."""
    same = CampaignSubject.objects.filter(campaign__status=CampaignStatus.CLOSED).select_related(
        "campaign", "campaign__period"
    )
    if subject.org_unit_id is not None:
        same = same.filter(org_unit_id=subject.org_unit_id)
    else:
        same = same.filter(employee_id=subject.employee_id)
    same = list(same)
    ensure_released({s.campaign_id for s in same})
    ids = [s.pk for s in same]
    releases = {
        r.subject_id: (r.shown, r.reason, r.raters)
        for r in ResultRelease.objects.filter(subject_id__in=ids, slice=OVERALL)
    }
    numbers = whole_numbers([pk for pk in ids if releases.get(pk, (False,))[0]])
    points = []
    for other in same:
        view = slice_view(OVERALL, releases.get(other.pk), numbers.get(other.pk), [])
        points.append(TrendPoint(
            campaign_id=other.campaign_id, subject_id=other.pk, campaign=other.campaign.name,
            period=other.campaign.period.label, shown=view.shown, overall=view.overall, raters=view.raters,
        ))  # fmt: skip
    order = {s.pk: (period_order(s.campaign.period), s.campaign.deadline, s.campaign_id) for s in same}
    points.sort(key=lambda p: order[p.subject_id])
    return points


def weighted_view(result: SubjectResults, dimensions, *, sees_attributed: bool) -> WeightedView:
    """A 360's result weighted by the campaign's rater role weights, built from `result` alone — the role
    slices it shows this reader and the attributed rating if this reader is shown it — so the figure can
    reveal nothing the page does not already show.

    The line manager's rating is attributed (one person, named): a reader who is not shown it must not get
    a figure it went into (the figure and the anonymous role means would give it back by subtraction), so
    for them the line manager's weight is left out and the figure is labelled as over the anonymous roles
    only (`scope`), whether or not the line manager rated."""
    weights = result.subject.campaign.role_weights or {}
    role_views = {view.group: view for view in result.splits.get("role", [])}
    shown = {
        role: RoleMeans(view.overall, {d.id: d.mean for d in view.dimensions})
        for role, view in role_views.items()
        if view.shown
    }
    given = result.attributed
    if sees_attributed and given is not None and given["overall"] is not None:
        shown[given["rater_role"]] = RoleMeans(given["overall"], {d.id: d.mean for d in given["dimensions"]})
    computed = weighted_result(weights, shown)
    effective = computed.effective if computed is not None else {}
    labels = dict(RaterRole.choices)
    roles = []
    for role in [role for role in RaterRole.values if role in weights]:  # a jsonb object keeps no key order
        weight = weights[role]
        if role in effective:
            status = "included"
        elif role == RaterRole.LINE_MANAGER and not sees_attributed:
            status = "attributed_not_shown"
        elif role in role_views:
            status = "hidden"  # rated, but the role's slice is hidden to protect the raters
        else:
            status = "no_ratings"
        roles.append(WeightedRole(
            role=role, label=str(labels.get(role, role)), weight=weight, status=status,
            effective=effective.get(role), overall=shown[role].overall if role in effective else None,
        ))  # fmt: skip
    return WeightedView(
        scope="all_roles" if sees_attributed else "anonymous_roles",
        overall=computed.overall if computed is not None else None,
        dimensions=[
            DimensionMean(pk, name, computed.dimensions.get(pk) if computed is not None else None)
            for pk, name in dimensions
        ],
        roles=roles,
    )


def subject_results(subject: CampaignSubject, *, level: str, attributed: bool = False) -> SubjectResults:
    """Everything the analysis of one rated subject shows (page, API retrieve, export)."""
    k = anonymity_k()
    dimensions = dimensions_of([subject.campaign.template_id])[subject.campaign.template_id]
    assigned, submitted = responses_of([subject.pk]).get(subject.pk, (0, 0))
    result = SubjectResults(
        subject=subject, level=level, k=k, whole=hidden_slice(OVERALL, "open"), assigned=assigned,
        submitted=submitted,
    )  # fmt: skip
    if subject.campaign.status != CampaignStatus.CLOSED:
        return result
    ensure_released([subject.campaign_id])
    releases = {
        r.slice: (r.shown, r.reason, frozenset(r.raters))
        for r in ResultRelease.objects.filter(subject=subject)
    }
    scores = _scores(subject)
    shown = {name: raters for name, (is_shown, _r, raters) in releases.items() if is_shown}
    if OVERALL in shown and frozenset(scores["rater"]) != shown[OVERALL]:
        # the ratings are no longer those released (a campaign reopened and closed again): show nothing
        # rather than numbers no decision covered, until a new release
        shown = {}
        releases = {name: (False, "not_released", frozenset()) for name in releases}
    if level != FULL:
        shown = {name: raters for name, raters in shown.items() if name == OVERALL}
    numbers = slice_results(scores, shown)
    result.whole = slice_view(OVERALL, releases.get(OVERALL), numbers.get(OVERALL), dimensions)
    result.trend = trend(subject)
    if attributed:
        result.attributed = _attributed(subject, dimensions)
    if level != FULL:
        return result
    for split in SPLITS:  # the groups present but not released: hidden, without saying why
        for group in scores[split].unique():
            releases.setdefault(slice_name(split, group), (False, "not_released", frozenset()))
    labels = _group_labels(releases)
    for name in sorted(releases, key=lambda n: (SPLITS.index(split_of(n)[0]) if n else -1, labels[n], n)):
        if not name:
            continue
        split, _group = split_of(name)
        view = slice_view(name, releases[name], numbers.get(name), dimensions, labels[name])
        result.splits.setdefault(split, []).append(view)
    if result.whole.shown:
        whole_raters = releases[OVERALL][2]
        counts = distribution(scores[scores["rater"].isin(whole_raters)])
        result.distribution = [
            (DimensionMean(pk, name, None), counts.get(pk, [0, 0, 0, 0, 0])) for pk, name in dimensions
        ]
        result.comments = _comments(subject)
    if subject.campaign.kind == ReviewKind.REVIEW_360:
        result.weighted = weighted_view(result, dimensions, sees_attributed=attributed)
    return result
