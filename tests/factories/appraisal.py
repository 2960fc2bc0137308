"""Factories of the appraisal app, and `appraisal_world`: a small cycle with its people. Use inside
`tenant_scope(tenant)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from appraisal.models import (
    DATED_STAGES,
    Appraisal,
    AppraisalCycle,
    AppraisalPolicy,
    CycleStage,
    CycleStatus,
    DistributionBound,
    DistributionRule,
    Grade,
    Stage,
)
from collab.models import Employee, OrgUnit, Period, Role
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

# S/A/B/C/D: the band a score must reach, and what the grade counts as in a result formula.
DEFAULT_SCALE = (
    ("S", "Outstanding", Decimal("110"), Decimal("100")),
    ("A", "Exceeds", Decimal("95"), Decimal("90")),
    ("B", "Meets", Decimal("80"), Decimal("80")),
    ("C", "Partly meets", Decimal("60"), Decimal("65")),
    ("D", "Does not meet", Decimal("0"), Decimal("50")),
)


class GradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grade

    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"Grade {n}")
    order = factory.Sequence(lambda n: n)


def default_scale() -> dict[str, Grade]:
    """The S–D scale with the guideline S ≤ 10 %, S+A ≤ 30 %, C+D ≥ 5 % and a default policy."""
    AppraisalPolicy.objects.get_or_create()  # the row takes the scoped tenant
    grades = {
        code: Grade.objects.create(code=code, name=name, order=order, min_score=band, value=value)
        for order, (code, name, band, value) in enumerate(DEFAULT_SCALE)
    }
    for order, (codes, bound, percent) in enumerate(
        ((["S"], DistributionBound.AT_MOST, 10), (["S", "A"], DistributionBound.AT_MOST, 30),
         (["C", "D"], DistributionBound.AT_LEAST, 5))
    ):  # fmt: skip
        DistributionRule.objects.create(grade_codes=codes, bound=bound, percent=Decimal(percent), order=order)
    return grades


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppraisalCycle

    name = factory.Sequence(lambda n: f"Appraisal {n}")
    period = factory.SubFactory(PeriodFactory)
    status = CycleStatus.ACTIVE


def date_stages(
    cycle: AppraisalCycle, *, now: datetime | None = None, current: str = Stage.GOAL_SETTING, days: int = 7
) -> dict[str, CycleStage]:
    """Give `cycle` consecutive stages of `days` each, placed so that `current` is open at `now`."""
    now = now or timezone.now()
    start = now - timedelta(days=DATED_STAGES.index(current) * days + 1)
    rows = {}
    for index, stage in enumerate(DATED_STAGES):
        opens_at = start + timedelta(days=index * days)
        rows[stage] = CycleStage.objects.create(
            cycle=cycle,
            stage=stage,
            opens_at=opens_at,
            deadline=opens_at + timedelta(days=days) - timedelta(seconds=1),
        )
    return rows


class AppraisalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appraisal

    cycle = factory.SubFactory(CycleFactory)
    employee = factory.SubFactory(EmployeeFactory)
    org_unit = factory.LazyAttribute(lambda a: a.employee.org_unit)
    position = factory.LazyAttribute(lambda a: a.employee.position)
    manager = factory.LazyAttribute(lambda a: a.employee.manager)


@dataclass
class AppraisalWorld:
    period: Period
    unit: OrgUnit
    cycle: AppraisalCycle
    grades: dict[str, Grade]
    upper_manager: Employee  # the manager's manager
    manager: Employee
    employee: Employee
    colleague: Employee  # the manager's other report
    outsider: Employee  # in another unit, with another manager
    appraisal: Appraisal
    colleague_appraisal: Appraisal
    users: dict[str, object] = field(default_factory=dict)


def appraisal_world(
    tenant, *, prefix: str = "ap", current: str = Stage.GOAL_SETTING, now: datetime | None = None
) -> AppraisalWorld:
    """A unit with an upper manager, a manager and two reports, an outsider elsewhere; an active cycle whose
    stage `current` is open at `now`, with appraisals for the two reports. Users (by key: hr, auditor,
    upper, manager, employee, colleague, outsider, committee) are members with the matching roles."""
    users = {
        "hr": make_member(tenant, Role.HR_ADMIN, username=f"{prefix}-hr"),
        "auditor": make_member(tenant, Role.AUDITOR, username=f"{prefix}-auditor"),
        "committee": make_member(tenant, Role.COMMITTEE, username=f"{prefix}-committee"),
        "upper": make_member(tenant, Role.MANAGER, username=f"{prefix}-upper"),
        "manager": make_member(tenant, Role.MANAGER, username=f"{prefix}-manager"),
        "employee": make_member(tenant, Role.EMPLOYEE, username=f"{prefix}-employee"),
        "colleague": make_member(tenant, Role.EMPLOYEE, username=f"{prefix}-colleague"),
        "outsider": make_member(tenant, Role.EMPLOYEE, username=f"{prefix}-outsider"),
    }
    top = OrgUnitFactory(name=f"{prefix} division")
    unit = OrgUnitFactory(name=f"{prefix} team", parent=top)
    other = OrgUnitFactory(name=f"{prefix} elsewhere", parent=top)
    position = PositionFactory(org_unit=unit, title=f"{prefix} analyst")
    upper = EmployeeFactory(org_unit=top, user=users["upper"], name=f"{prefix} Upper")
    manager = EmployeeFactory(org_unit=unit, user=users["manager"], manager=upper, name=f"{prefix} Manager")
    employee = EmployeeFactory(org_unit=unit, position=position, user=users["employee"], manager=manager,
                               name=f"{prefix} Employee")  # fmt: skip
    colleague = EmployeeFactory(org_unit=unit, position=position, user=users["colleague"], manager=manager,
                                name=f"{prefix} Colleague")  # fmt: skip
    outsider = EmployeeFactory(
        org_unit=other, user=users["outsider"], manager=upper, name=f"{prefix} Outsider"
    )
    grades = default_scale()
    period = PeriodFactory()
    cycle = CycleFactory(period=period, name=f"{prefix} cycle", launched_at=timezone.now())
    date_stages(cycle, now=now, current=current)
    appraisal = AppraisalFactory(cycle=cycle, employee=employee, stage=current)
    colleague_appraisal = AppraisalFactory(cycle=cycle, employee=colleague, stage=current)
    return AppraisalWorld(
        period, unit, cycle, grades, upper, manager, employee, colleague, outsider, appraisal,
        colleague_appraisal, users,
    )  # fmt: skip
