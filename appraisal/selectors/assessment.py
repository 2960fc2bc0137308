"""Reads of the assessment part (issue 11 point 4), shared by the pages, the API and the services: the
tenant's grade policy, the lists of appraisals (mine, my team, a cycle's), what a reader sees of one
appraisal, and the evidence the manager assesses by — the scorecard score with its breakdown (interlock's
stored snapshot, never recomputed), the person's collaboration events and points in the cycle's period
(feedback's public selectors) and the grade the score suggests.

A fixed number of queries for each read, whatever the size of the tenant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from appraisal.access import AppraisalReader, Relation
from appraisal.engine.result import Band, Result, result_score, suggested_grade
from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    GoalAssessment,
    Grade,
    PersonalGoal,
    Stage,
)
from appraisal.selectors.stages import Window, person_window
from appraisal.services.policy import grades_of_tenant, policy_of_tenant
from collab.models import OrgUnit
from collab.selectors.audit.events import tenant_zone
from feedback.selectors.event_measures import person_measures
from feedback.selectors.events import events_list, measure_numbers, period_bounds
from feedback.selectors.points import ledger_entries
from interlock.models import subject_key
from interlock.selectors.scores import Explained, explain, snapshot_for

CENT = Decimal("0.01")
EVENTS_SHOWN = 10
POINT_ENTRIES_SHOWN = 20

# The components of a cycle's result formula, in the order pages show them.
COMPONENTS = ("scorecard", "review", "manager")


# ------------------------------------------------------------------------------------------------ policy
@dataclass(frozen=True)
class GradePolicy:
    """The grade scale (best first), its bands for the engine and the manager's allowed departure."""

    departure_bound: int
    grades: tuple[Grade, ...]

    @property
    def bands(self) -> tuple[Band, ...]:
        return tuple(Band(grade.code, grade.order, grade.min_score) for grade in self.grades)

    def grade(self, code: str | None) -> Grade | None:
        return next((grade for grade in self.grades if grade.code == code), None)


def grade_policy() -> GradePolicy:
    """The tenant's scale and the manager's allowed departure (`appraisal.services.policy`: the default
    policy is created on first use)."""
    return GradePolicy(departure_bound=policy_of_tenant().departure_bound, grades=tuple(grades_of_tenant()))


# ------------------------------------------------------------------------------------------------- lists
VIEW_MINE = "mine"
VIEW_TEAM = "team"
VIEW_CYCLE = "cycle"
LIST_VIEWS = (VIEW_MINE, VIEW_TEAM, VIEW_CYCLE)
LIST_RELATED = ("cycle__period", "employee", "manager", "org_unit", "position")


def list_views(reader: AppraisalReader) -> tuple[str, ...]:
    """The lists a reader has, the default first: HR admins and auditors a cycle's appraisals, anyone who
    assesses somebody their team, anyone with an employee record their own (two queries at most: the
    reader's employee record and whether they assess anyone)."""
    views = []
    if reader.reads_everything:
        views.append(VIEW_CYCLE)
    employee = reader.employee
    if employee is not None:
        if Appraisal.objects.filter(manager=employee).exists():
            views.append(VIEW_TEAM)
        views.append(VIEW_MINE)
    return tuple(views)


def cycles_listed() -> list[AppraisalCycle]:
    """Every cycle that was launched, newest first (a tenant has a few a year: a short list)."""
    return list(
        AppraisalCycle.objects.select_related("period")
        .filter(launched_at__isnull=False)
        .order_by("-created_at", "-id")
    )


def unit_by_id(pk: int | None) -> OrgUnit | None:
    """The unit a list is filtered by (None: no such unit here; units are no secret inside a tenant)."""
    return OrgUnit.objects.filter(pk=pk).first() if pk is not None else None


def appraisal_list(
    reader: AppraisalReader,
    view: str,
    *,
    cycle: AppraisalCycle | None = None,
    unit: OrgUnit | None = None,
    stage: str = "",
) -> QuerySet[Appraisal]:
    """One list of appraisals in keyset order (an index serves each: `appraisal_employee_idx`,
    `appraisal_manager_idx`, `appraisal_cycle_stage_idx`). `mine`: the reader's own; `team`: those they
    assess; `cycle`: every appraisal of `cycle` (HR admins and auditors only), optionally of a unit with
    its sub-units and at a stage. A view the reader does not have is empty."""
    rows = Appraisal.objects.select_related(*LIST_RELATED)
    employee = reader.employee
    if view == VIEW_MINE and employee is not None:
        rows = rows.filter(employee=employee)
    elif view == VIEW_TEAM and employee is not None:
        rows = rows.filter(manager=employee)
    elif view == VIEW_CYCLE and reader.reads_everything and cycle is not None:
        rows = rows.filter(cycle=cycle)
        if unit is not None:
            rows = rows.filter(org_unit__path__startswith=unit.path)
    else:
        return rows.none()
    if cycle is not None and view != VIEW_CYCLE:
        rows = rows.filter(cycle=cycle)
    if stage:
        rows = rows.filter(stage=stage)
    if view == VIEW_CYCLE:
        return rows.order_by("cycle_id", "id")
    return rows.order_by("-cycle_id", "-id")


# ---------------------------------------------------------------------------------------- what is shown
@dataclass(frozen=True)
class Sight:
    """What one reader sees of one appraisal (decided from `AppraisalReader.relation`, here only)."""

    relations: frozenset[str]
    self_assessment: bool  # the self-assessment (the employee: their draft too)
    self_draft: bool  # the unsent self-assessment
    manager_assessment: bool  # the manager's assessment as submitted (or, for the manager, the draft)
    manager_draft: bool  # the manager's unsent draft: the manager only
    evidence: bool  # the score breakdown, events and points the manager assesses by

    @property
    def is_employee(self) -> bool:
        return Relation.EMPLOYEE in self.relations

    @property
    def is_manager(self) -> bool:
        return Relation.MANAGER in self.relations


OBSERVERS = frozenset({Relation.HR, Relation.AUDITOR, Relation.CALIBRATOR, Relation.UPPER_MANAGER})


def sight(reader: AppraisalReader, appraisal: Appraisal) -> Sight:
    """The employee sees their own self-assessment, and the manager's assessment only once released —
    whatever other role they hold (an HR admin's own appraisal is theirs as an employee). The manager sees
    the submitted self-assessment and their own draft; HR admins, auditors, calibration members and the
    manager's manager (on appeal) see what was submitted."""
    relations = reader.relation(appraisal)
    employee = Relation.EMPLOYEE in relations
    manager = Relation.MANAGER in relations and not employee
    observer = bool(relations & OBSERVERS) and not employee
    self_submitted = appraisal.self_submitted_at is not None
    manager_submitted = appraisal.manager_submitted_at is not None
    released = appraisal.released_at is not None
    if employee:
        return Sight(relations, True, True, manager_submitted and released, False, False)
    return Sight(
        relations,
        self_assessment=self_submitted and (manager or observer),
        self_draft=False,
        manager_assessment=manager or (observer and manager_submitted),
        manager_draft=manager,
        evidence=manager or observer,
    )


# ------------------------------------------------------------------------------------------ the overview
@dataclass
class Overview:
    appraisal: Appraisal
    window: Window | None  # the person's window of their current stage (None: an undated stage)
    weights: dict[str, Decimal]


def overview(appraisal: Appraisal) -> Overview:
    """The cycle, its formula and the current stage's window for this person (two queries)."""
    cycle = appraisal.cycle
    window = person_window(appraisal, appraisal.stage) if appraisal.stage != Stage.FINAL else None
    return Overview(appraisal, window, formula_weights(cycle))


@dataclass
class GoalRow:
    goal: PersonalGoal
    assessment: GoalAssessment | None


def goal_rows(appraisal: Appraisal) -> list[GoalRow]:
    """The appraisal's personal goals with their assessment (two queries)."""
    goals = list(
        PersonalGoal.objects.filter(appraisal=appraisal).select_related("goal", "kpi").order_by("id")
    )
    assessed = {row.personal_goal_id: row for row in GoalAssessment.objects.filter(appraisal=appraisal)}
    return [GoalRow(goal, assessed.get(goal.pk)) for goal in goals]


# ------------------------------------------------------------------------------------------ the evidence
@dataclass
class Scorecard:
    """The person's scorecard score in the cycle's period: their position's stored snapshot, or their
    unit's when the position has none (`subject`: "position" | "unit" | "" for none)."""

    subject: str = ""
    explained: Explained | None = None
    total: Decimal | None = None
    kpi_part: Decimal | None = None
    review_part: Decimal | None = None
    points: Decimal | None = None


def _cents(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def scorecard_of(appraisal: Appraisal, *, explained: bool = True) -> Scorecard:
    """Read from interlock's stored snapshots (`snapshot_for`), never recomputed: one or two queries, and
    the breakdown's names (`explain`) when asked."""
    period = appraisal.cycle.period
    snapshot, subject = None, ""
    if appraisal.position_id is not None:
        snapshot = snapshot_for(period, subject_key(position_id=appraisal.position_id))
        subject = "position"
    if snapshot is None:
        snapshot = snapshot_for(period, subject_key(org_unit_id=appraisal.org_unit_id))
        subject = "unit"
    if snapshot is None:
        return Scorecard()
    review_part = snapshot.review_part if snapshot.review_weight and snapshot.review_weight > 0 else None
    return Scorecard(
        subject=subject,
        explained=explain(snapshot) if explained else None,
        total=_cents(snapshot.total),
        kpi_part=_cents(snapshot.kpi_part),
        review_part=_cents(review_part),
        points=_cents(snapshot.points),
    )


@dataclass
class Collaboration:
    measures: dict[str, Any] = field(default_factory=dict)
    events: list = field(default_factory=list)
    point_entries: list = field(default_factory=list)
    points_total: Decimal = Decimal("0")


def collaboration_of(appraisal: Appraisal, *, timezone_name: str) -> Collaboration:
    """The person's collaboration in the cycle's period, through feedback's selectors: their event
    measures, their latest events and their approved points (four queries)."""
    period = appraisal.cycle.period
    person = appraisal.employee_id
    measured = person_measures([period], people=[person], timezone_name=timezone_name)
    start, end = period_bounds(period, tenant_zone(timezone_name))
    events = events_list(
        employee=person, date_from=start.date(), date_to=(end - dt.timedelta(days=1)).date(),
        timezone_name=timezone_name,
    )  # fmt: skip
    entries = ledger_entries(employee=appraisal.employee).filter(period=period)
    total = entries.aggregate(total=Sum("points"))["total"] or Decimal("0")
    return Collaboration(
        measures=measure_numbers(measured.get((person, period.pk))),
        events=list(events[:EVENTS_SHOWN]),
        point_entries=list(entries[:POINT_ENTRIES_SHOWN]),
        points_total=total,
    )


def suggestion(total: Decimal | None, policy: GradePolicy) -> Grade | None:
    """The grade the scorecard total suggests on the tenant's bands (None without a total)."""
    return policy.grade(suggested_grade(total, policy.bands))


def components(appraisal: Appraisal, *, scorecard_total=None, review_part=None, grade: Grade | None = None):
    return {
        "scorecard": scorecard_total,
        "review": review_part,
        "manager": grade.value if grade is not None else None,
    }


def formula_weights(cycle: AppraisalCycle) -> dict[str, Decimal]:
    return {
        "scorecard": cycle.weight_scorecard, "review": cycle.weight_review, "manager": cycle.weight_manager,
    }  # fmt: skip


def result_with_grade(appraisal: Appraisal, grade: Grade | None) -> Result:
    """The cycle's formula over the numbers the manager's submission froze and `grade`. Every grade change
    (the manager's submission, calibration, an appeal) stores its score, so a result's score matches its
    grade."""
    values = {
        "scorecard": appraisal.scorecard_total,
        "review": appraisal.review_part,
        "manager": grade.value if grade is not None else None,
    }
    return result_score(values, formula_weights(appraisal.cycle))


def frozen_result(appraisal: Appraisal) -> Result | None:
    """The result as it stands since the manager's submission (None before): which components counted,
    with what effective weight, and which were left out for want of data; the grade calibrated or decided
    on appeal over the manager's."""
    if appraisal.manager_submitted_at is None:
        return None
    grade = appraisal.final_grade if appraisal.final_grade_id else appraisal.manager_grade
    return result_with_grade(appraisal, grade)


@dataclass
class Evidence:
    scorecard: Scorecard
    collaboration: Collaboration
    suggested: Grade | None
    preview: Result  # the formula over today's numbers and the draft's grade


def evidence_of(appraisal: Appraisal, policy: GradePolicy, *, timezone_name: str) -> Evidence:
    """What the manager assesses by, read now (frozen only when they submit)."""
    scorecard = scorecard_of(appraisal)
    preview = result_score(
        components(appraisal, scorecard_total=scorecard.total, review_part=scorecard.review_part,
                   grade=appraisal.manager_grade),
        formula_weights(appraisal.cycle),
    )  # fmt: skip
    return Evidence(
        scorecard=scorecard,
        collaboration=collaboration_of(appraisal, timezone_name=timezone_name),
        suggested=suggestion(scorecard.total, policy),
        preview=preview,
    )

