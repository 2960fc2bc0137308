"""A page of rated subjects with their whole-campaign results; releasing what was not released yet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet

from feedback.engine.results import OVERALL, split_of
from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    CampaignSubject,
    RaterAssignment,
    RatingScore,
    ResultRelease,
    ReviewCampaign,
    ReviewDimension,
)
from feedback.selectors.results.shapes import DimensionMean, ResultRow, SliceView
from feedback.services.results import results_release


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


def dimensions_of(template_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = ReviewDimension.objects.filter(template_id__in=set(template_ids)).order_by("order", "id")
    for template_id, pk, name in rows.values_list("template_id", "pk", "name"):
        out[template_id].append((pk, name))
    return out


def hidden_slice(name: str, reason: str, label: str = "") -> SliceView:
    split, group = split_of(name)
    return SliceView(slice=name, split=split, group=group, label=label, shown=False, reason=reason)


def slice_view(name, release, numbers, dimensions, label="") -> SliceView:
    """A slice as shown: its numbers only if it was released shown and they come from its released raters."""
    split, group = split_of(name)
    if release is None:
        return hidden_slice(name, "not_released", label)
    shown, reason, raters = release
    if not shown:
        return hidden_slice(name, reason, label)
    if numbers is None or numbers.raters != len(raters):
        return hidden_slice(name, "not_released", label)
    return SliceView(
        slice=name, split=split, group=group, label=label, shown=True, reason="shown", raters=numbers.raters,
        overall=numbers.overall,
        dimensions=[DimensionMean(pk, dim_name, numbers.dimensions.get(pk)) for pk, dim_name in dimensions],
    )  # fmt: skip


def responses_of(subject_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
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
    dimensions = dimensions_of({s.campaign.template_id for s in subjects})
    responses = responses_of(ids)
    rows = []
    for subject in subjects:
        if subject.campaign.status != CampaignStatus.CLOSED:
            whole = hidden_slice(OVERALL, "open")
        else:
            whole = slice_view(
                OVERALL, releases.get(subject.pk), numbers.get(subject.pk),
                dimensions[subject.campaign.template_id],
            )  # fmt: skip
        assigned, submitted = responses.get(subject.pk, (0, 0))
        rows.append(ResultRow(subject=subject, whole=whole, assigned=assigned, submitted=submitted))
    return rows
