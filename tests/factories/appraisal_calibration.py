"""Test data of calibration and release: appraisals whose manager assessment is set directly (the
assessment part's submit service is built in parallel). Use inside `tenant_scope(tenant)`."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from appraisal.models import Appraisal, Grade, Stage
from tests.factories.appraisal import AppraisalFactory, AppraisalWorld, appraisal_world
from tests.factories.org import EmployeeFactory


def assessed(
    appraisal: Appraisal, grade: Grade, *, score: str = "85", reason: str = "Solid year"
) -> Appraisal:
    """The manager's assessment as submitted: grade, reason, the frozen score parts, stage calibration."""
    appraisal.manager_grade = grade
    appraisal.manager_reason = reason
    appraisal.manager_comment = f"Comments for {appraisal.employee.name}"
    appraisal.manager_submitted_at = timezone.now()
    appraisal.result_score = Decimal(score)
    appraisal.scorecard_total = Decimal(score)
    appraisal.kpi_part = Decimal(score)
    appraisal.points_total = Decimal("3")
    appraisal.suggested_grade = grade
    appraisal.stage = Stage.CALIBRATION
    appraisal.save()
    return appraisal


# Ten people meeting the default guideline (S ≤ 10 %, S+A ≤ 30 %, C+D ≥ 5 %): 1 S, 2 A, 6 B, 1 C.
MEETS = ("S", "A", "A", "B", "B", "B", "B", "B", "B", "C")


def calibration_world(tenant, *, prefix: str = "cal", grades: tuple[str, ...] = MEETS) -> AppraisalWorld:
    """`appraisal_world` at calibration: the employee and the colleague assessed with the first two grades
    of `grades`, and one more report of the manager per remaining grade (`world.others`)."""
    world = appraisal_world(tenant, prefix=prefix, current=Stage.CALIBRATION)
    assessed(world.appraisal, world.grades[grades[0]], score="112")
    assessed(world.colleague_appraisal, world.grades[grades[1]], score="96")
    world.others = []
    for index, code in enumerate(grades[2:]):
        person = EmployeeFactory(
            org_unit=world.unit, manager=world.manager, name=f"{prefix} Person {index:02d}",
            position=world.employee.position,
        )  # fmt: skip
        other = AppraisalFactory(cycle=world.cycle, employee=person, stage=Stage.CALIBRATION)
        world.others.append(assessed(other, world.grades[code], score=str(60 + index * 3)))
    return world
