"""Reads of bonus and penalty points that pages, the API and the score engine share (a fixed number of
queries each; "reporting line" reads take one query a level of the line)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.utils import timezone

from collab.models import Employee, OrgUnit, Period, Role
from feedback.models import (
    OPEN_STATUSES,
    PointEvidence,
    PointItem,
    PointLedgerEntry,
    PointProjectLead,
    PointProposal,
    PointProposalEvent,
    PointSettings,
    ProposalStatus,
)
from interlock.models import subject_key

MAX_LEVELS = 100


def point_items(*, q: str = "", active: bool | None = None) -> QuerySet:
    queryset = PointItem.objects.all()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.order_by("name", "id")


def project_leads() -> QuerySet:
    return PointProjectLead.objects.select_related("employee", "employee__org_unit").order_by("project", "id")


def is_project_lead(employee: Employee | None) -> bool:
    return employee is not None and PointProjectLead.objects.filter(employee=employee).exists()


def manager_chain(employee_id: int | None) -> list[int]:
    """Ids of the people above `employee_id` in the reporting line, nearest first (one query a level)."""
    chain: list[int] = []
    current = employee_id
    for _level in range(MAX_LEVELS):
        above = Employee.objects.filter(pk=current).values_list("manager_id", flat=True).first()
        if above is None or above in chain or above == employee_id:
            break
        chain.append(above)
        current = above
    return chain


def may_decide(proposal: PointProposal, employee: Employee | None) -> bool:
    """Whether `employee` may approve or reject `proposal` now (the services' rule, for showing the forms)."""
    if employee is None or not proposal.is_open or employee.pk == proposal.proposer_id:
        return False
    if proposal.status == ProposalStatus.AWAITING_SECOND:
        return employee.pk != proposal.first_approver_id and employee.pk in manager_chain(
            proposal.first_approver_id
        )
    return employee.pk in manager_chain(proposal.proposer_id)


def proposable_periods() -> QuerySet:
    """Periods points may be proposed for: those not closed."""
    return Period.objects.exclude(status=Period.Status.CLOSED)


def point_settings_shown() -> PointSettings:
    """The tenant's point settings as stored, or the defaults (unsaved) before HR first saves them."""
    return PointSettings.objects.first() or PointSettings()


def proposal_entry(proposal: PointProposal) -> PointLedgerEntry | None:
    """The ledger entry the proposal's final approval wrote, with its corrections' count, or None."""
    return (
        PointLedgerEntry.objects.annotate(correction_count=Count("corrections"))
        .filter(proposal=proposal)
        .first()
    )


def proposal_evidence(proposal: PointProposal):
    """The proposal's attachment, or None."""
    return PointEvidence.objects.filter(proposal=proposal).first()


def reporting_subtree(employee_id: int | None) -> list[int]:
    """Ids of everyone below `employee_id` in the reporting line (one query a level)."""
    found: list[int] = []
    seen = {employee_id}
    level = [employee_id] if employee_id is not None else []
    for _depth in range(MAX_LEVELS):
        if not level:
            break
        below = [pk for pk in Employee.objects.filter(manager_id__in=level).values_list("pk", flat=True)
                 if pk not in seen]  # fmt: skip
        seen.update(below)
        found.extend(below)
        level = below
    return found


def _proposal_rows(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "subject_employee", "subject_unit", "item", "period", "proposer", "first_approver", "decided_by",
    ).order_by("-created_at", "-id")  # fmt: skip


def with_evidence_name(queryset: QuerySet) -> QuerySet:
    """Proposals with `evidence_name` (their attachment's file name, if any) and `ledger_entry_pk` (the
    entry their final approval wrote), joined in the same query."""
    return queryset.annotate(evidence_name=F("evidence_file__name"), ledger_entry_pk=F("ledger_entry__id"))


def with_evidence_events(queryset: QuerySet) -> QuerySet:
    """Proposals with `cited_events`: their `PointProposalEvent` rows (the cited events' ids), in one more
    query for a whole page."""
    cited = PointProposalEvent.objects.order_by("id")
    return queryset.prefetch_related(Prefetch("event_citations", queryset=cited, to_attr="cited_events"))


def proposals_to_decide(employee: Employee | None) -> QuerySet:
    """Open proposals `employee` may decide now: pending ones of people below them, awaiting a second
    approval ones whose first approver is below them."""
    if employee is None:
        return PointProposal.objects.none()
    below = reporting_subtree(employee.pk)
    first = Q(status=ProposalStatus.PENDING, proposer_id__in=below)
    second = Q(status=ProposalStatus.AWAITING_SECOND, first_approver_id__in=below)
    return _proposal_rows(PointProposal.objects.filter(first | second).exclude(proposer_id=employee.pk))


def proposals_made_by(employee: Employee | None, *, status: str = "") -> QuerySet:
    if employee is None:
        return PointProposal.objects.none()
    queryset = PointProposal.objects.filter(proposer=employee)
    if status:
        queryset = queryset.filter(status=status)
    return _proposal_rows(queryset)


def proposals_all(*, status: str = "", period: Period | None = None) -> QuerySet:
    queryset = PointProposal.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    if period is not None:
        queryset = queryset.filter(period=period)
    return _proposal_rows(queryset)


def proposals_readable(membership, employee: Employee | None) -> QuerySet:
    """The proposals a member may open: HR and auditors all; others their own and those above-them
    people proposed (they may be asked to decide them, or did)."""
    if membership.has_role(Role.HR_ADMIN, Role.AUDITOR):
        return PointProposal.objects.all()
    if employee is None:
        return PointProposal.objects.none()
    below = reporting_subtree(employee.pk)
    return PointProposal.objects.filter(
        Q(proposer_id=employee.pk) | Q(proposer_id__in=below) | Q(first_approver_id__in=below)
    )


def proposal_counts(employee: Employee | None) -> dict[str, int]:
    """How many proposals wait for `employee`'s decision, and how many of theirs are still open."""
    if employee is None:
        return {"to_decide": 0, "open_mine": 0}
    return {
        "to_decide": proposals_to_decide(employee).count(),
        "open_mine": PointProposal.objects.filter(proposer=employee, status__in=OPEN_STATUSES).count(),
    }


# ------------------------------------------------------------------------------------------------ ledger


def ledger_entries(*, year: int | None = None, employee=None, org_unit=None) -> QuerySet:
    queryset = PointLedgerEntry.objects.select_related(
        "employee", "org_unit", "position", "period", "corrects", "proposal"
    )
    if year is not None:
        queryset = queryset.filter(year=year)
    if employee is not None:
        queryset = queryset.filter(employee=employee)
    if org_unit is not None:
        queryset = queryset.filter(org_unit=org_unit)
    return queryset.order_by("-created_at", "-id")


def ledger_readable(membership, employee: Employee | None) -> QuerySet:
    """Entries a member may open: HR and auditors all; others their own, and as a manager those of the
    people below them and of units at or under their unit."""
    if membership.has_role(Role.HR_ADMIN, Role.AUDITOR):
        return PointLedgerEntry.objects.all()
    if employee is None:
        return PointLedgerEntry.objects.none()
    rule = Q(employee_id=employee.pk)
    if membership.has_role(Role.MANAGER):
        rule |= Q(employee_id__in=reporting_subtree(employee.pk))
        path = OrgUnit.objects.filter(pk=employee.org_unit_id).values_list("path", flat=True).first()
        if path:
            rule |= Q(org_unit__path__startswith=path)
    return PointLedgerEntry.objects.filter(rule)


def ledger_years() -> list[int]:
    """Years with ledger entries or periods, newest first (periods make the current year selectable)."""
    years = set(Period.objects.values_list("year", flat=True).distinct())
    years.update(PointLedgerEntry.objects.values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def my_points(employee: Employee | None, year: int) -> dict:
    """An employee's entries of the year and their total (two queries)."""
    if employee is None:
        return {"year": year, "total": Decimal(0), "entries": [], "count": 0}
    entries = ledger_entries(year=year, employee=employee)
    total = entries.aggregate(total=Sum("points"), count=Count("pk"))
    return {
        "year": year, "total": total["total"] or Decimal(0), "count": total["count"],
        "entries": list(entries[:50]),
    }  # fmt: skip


def yearly_totals(year: int, *, by: str = "employee") -> list[dict]:
    """The year's totals, highest first: per employee (current name, number, unit) or per unit (the unit
    frozen on each entry: an employee's points count toward the unit they were in). One query."""
    entries = PointLedgerEntry.objects.filter(year=year)
    if by == "unit":
        rows = entries.values(
            key=F("org_unit_id"), name=F("org_unit__name"), code=F("org_unit__code")
        ).annotate(
            total=Sum("points"), bonus=Sum("points", filter=Q(points__gt=0)),
            penalty=Sum("points", filter=Q(points__lt=0)), entries=Count("pk"),
        )  # fmt: skip
    else:
        rows = entries.filter(employee__isnull=False).values(
            key=F("employee_id"), name=F("employee__name"), code=F("employee__employee_no"),
            unit=F("employee__org_unit__name"),
        ).annotate(
            total=Sum("points"), bonus=Sum("points", filter=Q(points__gt=0)),
            penalty=Sum("points", filter=Q(points__lt=0)), entries=Count("pk"),
        )  # fmt: skip
    ranked = sorted(rows.order_by(), key=lambda row: (-(row["total"] or 0), row["name"] or "", row["key"]))
    rank, previous = 0, None
    for index, row in enumerate(ranked, start=1):
        row["bonus"] = row["bonus"] or Decimal(0)
        row["penalty"] = row["penalty"] or Decimal(0)
        if row["total"] != previous:
            rank, previous = index, row["total"]
        row["rank"] = rank
    return ranked


# ----------------------------------------------------------------------------------------------- scores


# Past this many subjects the period's ledger is summed whole and the subjects picked in Python: a list of
# 20,000 ids as parameters costs more (to build, send and plan) than the period's entries.
SUBJECTS_AS_PARAMETERS = 1000


def points_for_scores(period, *, units=frozenset(), positions=frozenset()) -> list[tuple[str, float]]:
    """`interlock.hooks.score_points`: (subject, points) of the period's ledger for these subjects — an
    entry counts toward its frozen unit's scorecard and, for an employee, their frozen position's. Two
    queries (none without subjects). The engine clamps each subject's sum to ± the tenant's cap."""
    period_id = getattr(period, "pk", period)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    entries = PointLedgerEntry.objects.filter(period_id=period_id).order_by()
    for wanted, column in ((units, "org_unit_id"), (positions, "position_id")):
        if not wanted:
            continue
        rows = entries.filter(**{f"{column}__isnull": False})
        if len(wanted) <= SUBJECTS_AS_PARAMETERS:
            rows = rows.filter(**{f"{column}__in": sorted(wanted)})
        for subject, total in rows.values_list(column).annotate(total=Sum("points")):
            if subject in wanted:
                totals[subject_key(**{column: subject})] += total
    return [(subject, float(total)) for subject, total in sorted(totals.items()) if total]


def home_points(employee: Employee) -> dict:
    """The homes' "My points" tile: this year's total, count and latest five entries, in one query (the
    total and count are window sums over the year's entries, carried by each row)."""
    year = timezone.localdate().year
    rows = list(
        PointLedgerEntry.objects.filter(year=year, employee=employee)
        .select_related("period")
        .annotate(year_total=Window(Sum("points")), year_count=Window(Count("pk")))
        .order_by("-created_at", "-id")[:5]
    )
    total = rows[0].year_total if rows else Decimal(0)
    return {"year": year, "total": total, "count": rows[0].year_count if rows else 0, "entries": rows}
