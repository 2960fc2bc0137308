"""Review results as the pages, the API and the Excel export read them — one reader for all three, so the
anonymity decisions are the same everywhere.

Only what a closed campaign released is shown (`feedback.models.ResultRelease`, decided once per subject by
`feedback.services.results.results_release`): a slice's numbers are computed from exactly the raters it
released, a refused slice says so and shows no number. An open campaign shows its response rate only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from collab.models import OrgUnit
from collab.selectors.periods import period_order
from collab.tenancy import current_tenant
from feedback.access import FULL
from feedback.engine.anonymity import comments_released, effective_k
from feedback.engine.results import NO_GROUP, OVERALL, SPLITS, distribution, slice_results, split_of
from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    CampaignSubject,
    RaterAssignment,
    RaterRole,
    Rating,
    RatingScore,
    ResultRelease,
    ReviewCampaign,
    ReviewDimension,
)
from feedback.services.results import results_release


def split_label(split: str) -> str:
    return {
        "business_line": _("Rater business line"),
        "unit": _("Rater unit"),
        "level": _("Rater level"),
        "role": _("Rater role"),
    }.get(split, split)


def anonymity_k() -> int:
    return effective_k(current_tenant().anonymity_threshold)


# ------------------------------------------------------------------------------------------------ shapes
@dataclass
class DimensionMean:
    id: int
    name: str
    mean: float | None


@dataclass
class SliceView:
    slice: str
    split: str
    group: str
    label: str
    shown: bool
    reason: str  # shown, too_few, too_close, not_released
    raters: int | None = None
    overall: float | None = None
    dimensions: list[DimensionMean] = field(default_factory=list)


@dataclass
class ResultRow:
    """One rated subject of one campaign, as the results list shows it."""

    subject: CampaignSubject
    whole: SliceView
    assigned: int = 0
    submitted: int = 0


@dataclass
class TrendPoint:
    campaign_id: int
    subject_id: int
    campaign: str
    period: str
    shown: bool
    overall: float | None
    raters: int | None


@dataclass
class SubjectResults:
    subject: CampaignSubject
    level: str
    k: int
    whole: SliceView
    splits: dict[str, list[SliceView]] = field(default_factory=dict)
    distribution: list[tuple[DimensionMean, list[int]]] = field(default_factory=list)
    comments: list[str] | None = None  # None: not released (too few commenters or still open)
    attributed: dict | None = None
    trend: list[TrendPoint] = field(default_factory=list)
    assigned: int = 0
    submitted: int = 0

    @property
    def closed(self) -> bool:
        return self.subject.campaign.status == CampaignStatus.CLOSED


# ---------------------------------------------------------------------------------------------- queries
def result_subjects(
    *,
    campaign: int | None = None,
    period: int | None = None,
    unit: int | None = None,
    employee: int | None = None,
    status: str = "",
) -> QuerySet:
    """Rated subjects of launched campaigns (open or closed), newest campaign first — filter before
    `readable_result_subjects`."""
    queryset = CampaignSubject.objects.select_related(
        "campaign", "campaign__period", "campaign__template", "org_unit", "employee"
    ).exclude(campaign__status=CampaignStatus.DRAFT)
    if campaign is not None:
        queryset = queryset.filter(campaign_id=campaign)
    if period is not None:
        queryset = queryset.filter(campaign__period_id=period)
    if unit is not None:
        queryset = queryset.filter(org_unit_id=unit)
    if employee is not None:
        queryset = queryset.filter(employee_id=employee)
    if status:
        queryset = queryset.filter(campaign__status=status)
    return queryset.order_by("-campaign_id", "id")


def ensure_released(campaign_ids: Iterable[int]) -> None:
    """Release the closed campaigns among `campaign_ids` that nothing was released for yet (one query when
    all were)."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return
    missing = list(
        ReviewCampaign.objects.filter(pk__in=ids, status=CampaignStatus.CLOSED).exclude(
            Exists(ResultRelease.objects.filter(campaign_id=OuterRef("pk")))
        )
    )
    if missing:
        results_release(actor=None, campaigns=missing)


def _dimensions(template_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = ReviewDimension.objects.filter(template_id__in=set(template_ids)).order_by("order", "id")
    for template_id, pk, name in rows.values_list("template_id", "pk", "name"):
        out[template_id].append((pk, name))
    return out


def _hidden(name: str, reason: str, label: str = "") -> SliceView:
    split, group = split_of(name)
    return SliceView(slice=name, split=split, group=group, label=label, shown=False, reason=reason)


def _view(name, release, numbers, dimensions, label="") -> SliceView:
    """A slice as shown: its numbers only if it was released shown and they come from its released raters."""
    split, group = split_of(name)
    if release is None:
        return _hidden(name, "not_released", label)
    shown, reason, raters = release
    if not shown:
        return _hidden(name, reason, label)
    if numbers is None or numbers.raters != len(raters):
        return _hidden(name, "not_released", label)
    return SliceView(
        slice=name, split=split, group=group, label=label, shown=True, reason="shown", raters=numbers.raters,
        overall=numbers.overall,
        dimensions=[DimensionMean(pk, dim_name, numbers.dimensions.get(pk)) for pk, dim_name in dimensions],
    )  # fmt: skip


def _responses(subject_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    rows = (
        RaterAssignment.objects.filter(subject_id__in=subject_ids)
        .values("subject_id")
        .annotate(assigned=Count("id"), submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)))
    )
    return {r["subject_id"]: (r["assigned"], r["submitted"]) for r in rows}


@dataclass
class _Numbers:
    raters: int
    overall: float
    dimensions: dict


def whole_numbers(subject_ids: Sequence[int]) -> dict[int, _Numbers]:
    """The whole-campaign numbers of each subject in one grouped query: per dimension the mean and the
    number of distinct raters (anonymous ratings only)."""
    rows = (
        RatingScore.objects.filter(rating__subject_id__in=subject_ids, rating__attributed_rater__isnull=True)
        .values("rating__subject_id", "dimension_id")
        .annotate(mean=Avg("value"), raters=Count("rating__rater_key", distinct=True), n=Count("id"))
    )
    sums: dict[int, list] = {}
    for row in rows:
        entry = sums.setdefault(row["rating__subject_id"], [0, 0.0, 0, {}])
        entry[0] = max(entry[0], row["raters"])
        entry[1] += float(row["mean"]) * row["n"]
        entry[2] += row["n"]
        entry[3][row["dimension_id"]] = float(row["mean"])
    return {pk: _Numbers(raters, total / n, dims) for pk, (raters, total, n, dims) in sums.items() if n}


def result_rows(subjects: Sequence[CampaignSubject]) -> list[ResultRow]:
    """The whole-campaign results of a page of subjects: five queries whatever the page's size (four once
    every closed campaign on it was released)."""
    subjects = list(subjects)
    if not subjects:
        return []
    ensure_released({s.campaign_id for s in subjects if s.campaign.status == CampaignStatus.CLOSED})
    ids = [s.pk for s in subjects]
    closed = [s.pk for s in subjects if s.campaign.status == CampaignStatus.CLOSED]
    releases = {
        r.subject_id: (r.shown, r.reason, r.raters)
        for r in ResultRelease.objects.filter(subject_id__in=closed, slice=OVERALL).only(
            "subject_id", "shown", "reason", "raters"
        )
    }
    numbers = whole_numbers([pk for pk in closed if releases.get(pk, (False,))[0]])
    dimensions = _dimensions({s.campaign.template_id for s in subjects})
    responses = _responses(ids)
    rows = []
    for subject in subjects:
        if subject.campaign.status != CampaignStatus.CLOSED:
            whole = _hidden(OVERALL, "open")
        else:
            whole = _view(
                OVERALL, releases.get(subject.pk), numbers.get(subject.pk),
                dimensions[subject.campaign.template_id],
            )  # fmt: skip
        assigned, submitted = responses.get(subject.pk, (0, 0))
        rows.append(ResultRow(subject=subject, whole=whole, assigned=assigned, submitted=submitted))
    return rows


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
        frame[split] = frame[split].map(lambda v: NO_GROUP if v is None or v == "" else str(v))
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
        view = _view(OVERALL, releases.get(other.pk), numbers.get(other.pk), [])
        points.append(TrendPoint(
            campaign_id=other.campaign_id, subject_id=other.pk, campaign=other.campaign.name,
            period=other.campaign.period.label, shown=view.shown, overall=view.overall, raters=view.raters,
        ))  # fmt: skip
    order = {s.pk: (period_order(s.campaign.period), s.campaign.deadline, s.campaign_id) for s in same}
    points.sort(key=lambda p: order[p.subject_id])
    return points


def subject_results(subject: CampaignSubject, *, level: str, attributed: bool = False) -> SubjectResults:
    """Everything the analysis of one rated subject shows (page, API retrieve, export)."""
    k = anonymity_k()
    dimensions = _dimensions([subject.campaign.template_id])[subject.campaign.template_id]
    assigned, submitted = _responses([subject.pk]).get(subject.pk, (0, 0))
    result = SubjectResults(
        subject=subject, level=level, k=k, whole=_hidden(OVERALL, "open"), assigned=assigned,
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
    result.whole = _view(OVERALL, releases.get(OVERALL), numbers.get(OVERALL), dimensions)
    result.trend = trend(subject)
    if attributed:
        result.attributed = _attributed(subject, dimensions)
    if level != FULL:
        return result
    labels = _group_labels(releases)
    for name in sorted(releases, key=lambda n: (SPLITS.index(split_of(n)[0]) if n else -1, labels[n], n)):
        if not name:
            continue
        split, _group = split_of(name)
        view = _view(name, releases[name], numbers.get(name), dimensions, labels[name])
        result.splits.setdefault(split, []).append(view)
    if result.whole.shown:
        whole_raters = releases[OVERALL][2]
        counts = distribution(scores[scores["rater"].isin(whole_raters)])
        result.distribution = [
            (DimensionMean(pk, name, None), counts.get(pk, [0, 0, 0, 0, 0])) for pk, name in dimensions
        ]
        result.comments = _comments(subject)
    return result


# -------------------------------------------------------------------------------------- response rates
@dataclass
class ResponseRate:
    campaign_id: int
    campaign: str
    unit_id: int | None
    unit: str
    assigned: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.assigned if self.assigned else 0.0


def response_rates(*, campaign: int | None = None, period: int | None = None) -> list[ResponseRate]:
    """Per launched campaign and rater unit (frozen at launch): assignments and how many were submitted —
    counts of who rated, never what or whom. One query."""
    rows = RaterAssignment.objects.exclude(campaign__status=CampaignStatus.DRAFT)
    if campaign is not None:
        rows = rows.filter(campaign_id=campaign)
    if period is not None:
        rows = rows.filter(campaign__period_id=period)
    grouped = (
        rows.values("campaign_id", "campaign__name", "rater_unit_id", "rater_unit__name")
        .annotate(assigned=Count("id"), submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)))
        .order_by("-campaign_id", "rater_unit__name", "rater_unit_id")
    )
    return [
        ResponseRate(
            campaign_id=r["campaign_id"], campaign=r["campaign__name"], unit_id=r["rater_unit_id"],
            unit=r["rater_unit__name"] or _("(none)"), assigned=r["assigned"], submitted=r["submitted"],
        )
        for r in grouped
    ]  # fmt: skip
