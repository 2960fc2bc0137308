"""Reads of calibration (issue 11 point 5): the tenant's guideline, a session's people and grade
distribution, its nine-box talent matrix, and the sessions a reader may open. Pages and the API share them.

The tenant policy, scale and guideline are read through `appraisal.services.policy` (`policy_of_tenant`:
the default is created on first use)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery

from appraisal.access import AppraisalReader, calibration_visible
from appraisal.engine.distribution import Rule, RuleCheck, check_distribution
from appraisal.models import (
    Appraisal,
    CalibrationSession,
    CalibrationStatus,
    DistributionBound,
    Grade,
    Potential,
)
from appraisal.services.policy import grades_of_tenant, policy_of_tenant, rules_of_tenant
from collab.models import Employee


def _guideline() -> list[Rule]:
    return [
        Rule(tuple(row.grade_codes), row.bound == DistributionBound.AT_MOST, Decimal(row.percent))
        for row in rules_of_tenant()
    ]


def current_grade(appraisal: Appraisal) -> Grade | None:
    """The grade an appraisal has now: calibrated (or appealed) over the manager's."""
    return appraisal.final_grade if appraisal.final_grade_id else appraisal.manager_grade


def rule_label(rule: Rule) -> str:
    sign = "≤" if rule.at_most else "≥"
    return f"{' + '.join(rule.grade_codes)} {sign} {rule.percent.normalize():f} %"


def sessions_for(reader: AppraisalReader, *, cycle=None) -> QuerySet[CalibrationSession]:
    """The sessions a reader opens (HR and auditors every one, a member theirs), newest cycle first."""
    rows = CalibrationSession.objects.filter(
        pk__in=CalibrationSession.objects.filter(calibration_visible(reader)).values("pk")
    )
    if cycle is not None:
        rows = rows.filter(cycle=cycle)
    return rows.select_related("cycle__period", "org_unit").order_by("cycle_id", "name", "id")


def session_appraisals(session: CalibrationSession) -> list[Appraisal]:
    return list(
        Appraisal.objects.filter(calibration_session=session)
        .select_related("employee", "org_unit", "position", "manager_grade", "suggested_grade", "final_grade")
        .order_by("employee__name", "id")
    )


@dataclass(frozen=True)
class CheckRow:
    label: str
    count: int
    share: Decimal
    met: bool
    check: RuleCheck


@dataclass(frozen=True)
class Distribution:
    grades: list[Grade]
    counts: dict[str, int]
    shares: dict[str, Decimal]
    checks: list[CheckRow]
    graded: int

    @property
    def met(self) -> bool:
        return all(row.met for row in self.checks)

    @property
    def unmet(self) -> list[CheckRow]:
        return [row for row in self.checks if not row.met]

    def chart(self) -> dict:
        """The bar chart's data (charts.js): each grade's share of the graded people."""
        return {
            "type": "bar",
            "labels": [grade.code for grade in self.grades],
            "datasets": [{"label": "%", "data": [float(self.shares[g.code]) for g in self.grades]}],
        }


def distribution(appraisals: list[Appraisal], grades: list[Grade] | None = None) -> Distribution:
    """The group's grade counts (current grades) against the tenant's guideline."""
    grades = grades_of_tenant() if grades is None else grades
    counts = Counter()
    for appraisal in appraisals:
        grade = current_grade(appraisal)
        if grade is not None:
            counts[grade.code] += 1
    full = {grade.code: counts.get(grade.code, 0) for grade in grades}
    graded = sum(full.values())
    shares = {
        code: (Decimal(n) * 100 / graded).quantize(Decimal("0.01")) if graded else Decimal("0")
        for code, n in full.items()
    }
    checks = [
        CheckRow(rule_label(check.rule), check.count, check.share, check.met, check)
        for check in check_distribution(full, _guideline())
    ]
    return Distribution(grades, full, shares, checks, graded)


# Nine boxes: performance (the grade's third of the scale: high, medium, low) × potential.
POTENTIAL_ORDER = (Potential.HIGH, Potential.MEDIUM, Potential.LOW)


def performance_band(grade: Grade | None, grades: list[Grade]) -> str | None:
    """A grade's third of the scale: the best third "high", the worst "low" (None: no grade)."""
    if grade is None or not grades:
        return None
    ranks = [g.pk for g in grades]
    index = ranks.index(grade.pk) if grade.pk in ranks else len(ranks) - 1
    third = index * 3 // len(ranks)
    return ("high", "medium", "low")[third]


def nine_box(appraisals: list[Appraisal], grades: list[Grade]) -> dict:
    """The talent matrix: rows potential high → low, columns performance low → high; people without a
    grade or a potential are listed apart."""
    boxes = {(p, perf): [] for p in POTENTIAL_ORDER for perf in ("low", "medium", "high")}
    unplaced = []
    for appraisal in appraisals:
        band = performance_band(current_grade(appraisal), grades)
        if band is None or not appraisal.potential:
            unplaced.append(appraisal)
        else:
            boxes[(appraisal.potential, band)].append(appraisal)
    rows = [
        {"potential": Potential(p).label, "boxes": [boxes[(p, perf)] for perf in ("low", "medium", "high")]}
        for p in POTENTIAL_ORDER
    ]
    return {"rows": rows, "unplaced": unplaced}


def session_members(session: CalibrationSession) -> list:
    """The members, each with `label`: the name of the employee their login is linked to, else the login."""
    linked = Employee.objects.filter(user_id=OuterRef("user_id")).order_by("pk").values("name")[:1]
    members = list(
        session.members.select_related("user").annotate(employee_name=Subquery(linked))
        .order_by("user__username", "id")
    )  # fmt: skip
    for member in members:
        member.label = member.employee_name or member.user.get_username()
    return members


def is_member(session: CalibrationSession, user) -> bool:
    return session.members.filter(user_id=getattr(user, "pk", None) or 0).exists()


def open_session_scope(cycle, *, org_unit=None, levels=()) -> Q:
    """The appraisals a new session of `cycle` takes: at calibration, in the unit (with its sub-units)
    and/or the levels, and not in another open session."""
    scope = Q(cycle=cycle) & ~Q(calibration_session__status=CalibrationStatus.OPEN)
    if org_unit is not None:
        scope &= Q(org_unit__path__startswith=org_unit.path)
    if levels:
        scope &= Q(level__in=list(levels))
    return scope


def cycles_to_calibrate() -> QuerySet:
    from appraisal.models import AppraisalCycle, CycleStatus

    return AppraisalCycle.objects.filter(status=CycleStatus.ACTIVE).select_related("period").order_by("-id")


def grade_choices() -> QuerySet[Grade]:
    return Grade.objects.order_by("order", "id")


@dataclass(frozen=True)
class SessionRow:
    appraisal: Appraisal
    grade: Grade | None


def session_page(session: CalibrationSession) -> dict:
    """Everything the session page shows (a fixed number of queries)."""
    appraisals = session_appraisals(session)
    grades = grades_of_tenant()
    return {
        "rows": [SessionRow(a, current_grade(a)) for a in appraisals],
        "distribution": distribution(appraisals, grades),
        "nine_box": nine_box(appraisals, grades),
        "members": session_members(session),
        "grades": grades,
        "policy": policy_of_tenant(),
    }
