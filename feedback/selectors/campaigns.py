"""Reads of review campaigns and of a rater's own assignments, shared by the pages and the API (a fixed
number of queries each). Nothing here reads a submitted rating's content."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from collab.models import Employee, OrgUnit, Period
from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    CampaignSubject,
    RaterAssignment,
    RaterRule,
    ReviewCampaign,
    ReviewDimension,
)


def _dimensions() -> QuerySet[ReviewDimension]:
    return ReviewDimension.objects.order_by("order", "id")


def _count(rows: QuerySet) -> Coalesce:
    """How many of `rows` belong to the campaign of the outer row: a correlated count per campaign (never a
    join of subjects × assignments)."""
    counted = rows.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), Value(0))


def review_campaigns(*, q: str = "", status: str = "", kind: str = "") -> QuerySet[ReviewCampaign]:
    """The tenant's campaigns, latest deadline first, with their template, period and counts."""
    submitted = Q(status=AssignmentStatus.SUBMITTED)
    queryset = ReviewCampaign.objects.select_related("template", "period", "updated_by").annotate(
        subject_count=_count(CampaignSubject.objects.all()),
        assignment_count=_count(RaterAssignment.objects.all()),
        submitted_count=_count(RaterAssignment.objects.filter(submitted)),
    )
    if q:
        queryset = queryset.filter(name__icontains=q)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-deadline", "-id")


def campaign_detail() -> QuerySet[ReviewCampaign]:
    """Campaigns with their subjects and rules prefetched (for one campaign's page or the API)."""
    return review_campaigns().prefetch_related(
        Prefetch(
            "subjects",
            queryset=CampaignSubject.objects.select_related(
                "org_unit__parent", "employee__org_unit"
            ).order_by("id"),
        ),
        Prefetch(
            "rater_rules",
            queryset=RaterRule.objects.select_related(
                "subject__org_unit", "subject__employee", "rater_unit__parent", "rater_employee"
            ).order_by("id"),
        ),
        Prefetch("template__dimensions", queryset=ReviewDimension.objects.order_by("order", "id")),
    )


def own_employee(user) -> Employee | None:
    """The employee record linked to `user` in the tenant in scope."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Employee.objects.filter(user=user).first()


def own_assignments(user, *, status: str = "") -> QuerySet[RaterAssignment]:
    """The assignments of the rater linked to `user` (a user or its id; never anyone else's), with the
    campaign, its template's dimensions, the subject and the draft — pending first, then by id."""
    queryset = (
        RaterAssignment.objects.filter(rater__user_id=getattr(user, "pk", user) or 0)
        .select_related("campaign__template", "campaign__period", "subject__org_unit", "subject__employee",
                        "draft")
        .prefetch_related(
            Prefetch("campaign__template__dimensions", queryset=_dimensions())
        )
    )  # fmt: skip
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "id")


def open_assignments(user) -> QuerySet[RaterAssignment]:
    """What the rater still has to rate: pending assignments of open campaigns, soonest deadline first."""
    return (
        own_assignments(user, status=AssignmentStatus.PENDING)
        .filter(campaign__status=CampaignStatus.OPEN)
        .order_by("campaign__deadline", "campaign_id", "id")
    )


@dataclass(frozen=True)
class CampaignGroup:
    campaign: ReviewCampaign
    assignments: list[RaterAssignment]


def grouped_by_campaign(assignments: Iterable[RaterAssignment]) -> list[CampaignGroup]:
    groups: dict[int, CampaignGroup] = {}
    for assignment in assignments:
        group = groups.setdefault(assignment.campaign_id, CampaignGroup(assignment.campaign, []))
        group.assignments.append(assignment)
    return list(groups.values())


def ratings_to_give(employee) -> dict:
    """The home page's "Ratings to give" panel: open assignments grouped by campaign (at most 20 shown)."""
    assignments = list(open_assignments(employee.user_id)[:21]) if employee.user_id else []
    return {"groups": grouped_by_campaign(assignments[:20]), "more": len(assignments) > 20}


def campaign_page(campaign: ReviewCampaign) -> ReviewCampaign:
    """One campaign with its subjects, rules, dimensions and counts (a campaign the door fetched)."""
    return campaign_detail().get(pk=campaign.pk)


def own_assignment_page(user, assignment: RaterAssignment) -> RaterAssignment:
    """One of the rater's assignments with its campaign, dimensions, subject and draft."""
    return own_assignments(user).get(pk=assignment.pk)


def subject_choices(campaign: ReviewCampaign) -> list[tuple[str, str]]:
    """The campaign's subjects as (key, label) for a rule's "for" choice: "unit:<id>" or "employee:<id>"."""
    return [
        (f"unit:{s.org_unit_id}", s.org_unit.name)
        if s.org_unit_id
        else (f"employee:{s.employee_id}", s.employee.name)
        for s in campaign.subjects.all()
    ]


def mutual_preview(campaign: ReviewCampaign) -> int:
    """How many units share a responsibility matrix in the campaign's period (the generator's offer)."""
    return len(mutual_pairs((), campaign.period))


def mutual_pairs(units: Sequence[OrgUnit], period: Period) -> dict[int, set[int]]:
    """{unit id: ids of the units it works with}: units that appear together in a responsibility matrix in
    effect for `period` (matrix rows of the same KPI), among `units` (all of them when empty)."""
    from responsibility.models import MatrixRow
    from responsibility.selectors import matrix_effective_ids

    matrix_ids = list(matrix_effective_ids(period).values())
    rows = MatrixRow.objects.filter(matrix_id__in=matrix_ids).values_list("matrix_id", "org_unit_id")
    wanted = {u.pk for u in units}
    by_matrix: dict[int, set[int]] = {}
    for matrix_id, unit_id in rows:
        if not wanted or unit_id in wanted:
            by_matrix.setdefault(matrix_id, set()).add(unit_id)
    pairs: dict[int, set[int]] = {}
    for members in by_matrix.values():
        for unit_id in members:
            pairs.setdefault(unit_id, set()).update(members - {unit_id})
    return {unit: partners for unit, partners in pairs.items() if partners}
