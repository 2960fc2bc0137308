"""HR's progress board of a cycle: who is at which stage, who is overdue, by unit — one rule for the page, the
API and the reminders.

A person is overdue when the deadline of a stage they have reached passed (for them: a reopening of that
stage still running holds it open) without the stage's action: goals not agreed (no agreed personal goal, or
a proposal still unanswered), the self-assessment or the manager's assessment not submitted — while the
appraisal is not beyond the manager's assessment — or, once released, the result not confirmed or appealed
by its date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from appraisal.models import (
    STAGE_ORDER,
    Appraisal,
    AppraisalCycle,
    Confirmation,
    GoalProposal,
    PersonalGoal,
    ProposalStatus,
    Stage,
    StageReopening,
)
from appraisal.selectors.stages import cycle_windows
from collab.models import OrgUnit

BEFORE_RESULT: tuple[str, ...] = (
    Stage.GOAL_SETTING, Stage.CHECK_INS, Stage.SELF_ASSESSMENT, Stage.MANAGER_ASSESSMENT,
)  # fmt: skip
# The dated stages whose action a person owes, and the action as a condition on the appraisal.
OVERDUE_STAGES: tuple[str, ...] = (Stage.GOAL_SETTING, Stage.SELF_ASSESSMENT, Stage.MANAGER_ASSESSMENT)


def pending(stage: str) -> Q:
    """The appraisals that still owe `stage`'s action (an always-false condition for a stage without one)."""
    if stage == Stage.GOAL_SETTING:
        agreed = PersonalGoal.objects.filter(appraisal=OuterRef("pk"))
        open_proposals = GoalProposal.objects.filter(appraisal=OuterRef("pk"), status=ProposalStatus.PROPOSED)
        return ~Exists(agreed) | Exists(open_proposals)
    if stage == Stage.SELF_ASSESSMENT:
        return Q(self_submitted_at__isnull=True)
    if stage == Stage.MANAGER_ASSESSMENT:
        return Q(manager_submitted_at__isnull=True)
    if stage == Stage.CONFIRMATION:
        return Q(confirmation=Confirmation.AWAITING)
    return Q(pk__in=[])


def _stage_overdue(windows: dict, stage: str, now: dt.datetime) -> Q:
    window = windows.get(stage)
    if window is None or window.deadline >= now:
        return Q(pk__in=[])
    reached = BEFORE_RESULT[BEFORE_RESULT.index(stage) :]
    reopened = StageReopening.objects.filter(appraisal=OuterRef("pk"), stage=stage, until__gte=now)
    return Q(stage__in=reached) & pending(stage) & ~Exists(reopened)


def overdue_conditions(cycle: AppraisalCycle, now: dt.datetime) -> dict[str, Q]:
    """Per stage, the condition of being overdue on it at `now` (one query: the cycle's stage dates)."""
    windows = cycle_windows(cycle)
    conditions = {stage: _stage_overdue(windows, stage, now) for stage in OVERDUE_STAGES}
    conditions[Stage.CONFIRMATION] = Q(
        stage=Stage.CONFIRMATION, confirmation=Confirmation.AWAITING, confirm_by__lt=now
    )
    return conditions


def _flag(condition: Q):
    if condition == Q(pk__in=[]):
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def overdue_q(cycle: AppraisalCycle, now: dt.datetime, conditions: dict[str, Q] | None = None) -> Q:
    given = overdue_conditions(cycle, now) if conditions is None else conditions
    conditions = [q for q in given.values() if q != Q(pk__in=[])]
    result = Q(pk__in=[])
    for condition in conditions:
        result |= condition
    return result


def board_rows(
    cycle: AppraisalCycle, *, now: dt.datetime, unit: OrgUnit | None = None, stage: str = "",
    overdue: bool = False,
) -> QuerySet[Appraisal]:  # fmt: skip
    """The cycle's appraisals for the board, by employee (the unique (cycle, employee) index serves the
    order), each with `overdue_<stage>` flags; filtered by unit (with its sub-units), stage and overdue."""
    conditions = overdue_conditions(cycle, now)
    queryset = (
        Appraisal.objects.filter(cycle=cycle)
        .select_related("cycle", "employee__user", "manager__user", "org_unit", "position")
        .annotate(**{f"overdue_{stage_}": _flag(q) for stage_, q in conditions.items()})
        .annotate(reopened_until=Subquery(
            StageReopening.objects.filter(appraisal=OuterRef("pk"), stage=OuterRef("stage"))
            .order_by("-until").values("until")[:1]
        ))
    )  # fmt: skip
    if unit is not None:
        queryset = queryset.filter(org_unit__path__startswith=unit.path)
    if stage:
        queryset = queryset.filter(stage=stage)
    if overdue:
        queryset = queryset.filter(overdue_q(cycle, now, conditions))
    return queryset.order_by("employee_id")


def row_deadline(row: Appraisal, windows: dict) -> dt.datetime | None:
    """The deadline of `row`'s current stage for that person (from `board_rows`; `windows`: the cycle's
    `cycle_windows`): a released result's confirm-by date, else the stage's deadline, later if reopened."""
    if row.stage == Stage.CONFIRMATION:
        return row.confirm_by
    window = windows.get(row.stage)
    dates = [d for d in (window.deadline if window else None, getattr(row, "reopened_until", None)) if d]
    return max(dates) if dates else None


def row_overdue(row: Appraisal) -> list[str]:
    """The stages whose action `row` (from `board_rows`) owes past their deadline, in stage order."""
    return [stage for stage in STAGE_ORDER if getattr(row, f"overdue_{stage}", False)]


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    name: str
    people: int
    overdue: int


@dataclass(frozen=True)
class BoardSummary:
    total: int
    overdue: int
    by_stage: list[tuple[str, str, int]]  # (stage, label, count), every stage in order
    by_unit: list[UnitProgress]  # the units with the most people overdue first (at most UNIT_ROWS)


UNIT_ROWS = 10


def board_summary(cycle: AppraisalCycle, *, now: dt.datetime, unit: OrgUnit | None = None) -> BoardSummary:
    """How many people are at each stage, how many are overdue, and by unit (the frozen unit of each
    appraisal): the units with the most people overdue first (four queries)."""
    base = Appraisal.objects.filter(cycle=cycle)
    if unit is not None:
        base = base.filter(org_unit__path__startswith=unit.path)
    counts = dict(base.order_by().values_list("stage").annotate(n=Count("pk")))
    overdue = overdue_q(cycle, now)
    late = Count("pk", filter=overdue)
    units = (
        base.order_by().values("org_unit_id", "org_unit__name")
        .annotate(people=Count("pk"), overdue=late)
        .order_by("-overdue", "-people", "org_unit__name")[:UNIT_ROWS]
    )  # fmt: skip
    by_unit = [UnitProgress(r["org_unit_id"], r["org_unit__name"], r["people"], r["overdue"]) for r in units]
    return BoardSummary(
        total=sum(counts.values()), overdue=base.filter(overdue).count(),
        by_stage=[(value, label, counts.get(value, 0)) for value, label in Stage.choices], by_unit=by_unit,
    )  # fmt: skip
