"""The assessment part's test world: `appraisal_world` plus personal goals and the scorecard snapshot of the
employee's position in the cycle's period. Use inside `tenant_scope(tenant)`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from appraisal.models import PersonalGoal, Stage
from interlock.models import subject_key
from tests.factories.appraisal import AppraisalWorld, appraisal_world
from tests.factories.goals import GoalFactory
from tests.factories.interlock import ScoreSnapshotFactory


def personal_goals(world: AppraisalWorld, count: int = 2) -> list[PersonalGoal]:
    goals = []
    for index in range(count):
        node = GoalFactory(period=world.period, org_unit=world.unit, position=world.employee.position)
        goals.append(PersonalGoal.objects.create(
            appraisal=world.appraisal, goal=node, kpi=node.kpi, target=Decimal(100 + index),
            weight=Decimal(100 // count),
        ))  # fmt: skip
    return goals


def position_snapshot(world: AppraisalWorld, *, total="92.00", kpi_part="90.0000", review_part="70.0000",
                      review_weight="0.200", points="3.00"):  # fmt: skip
    position = world.employee.position
    return ScoreSnapshotFactory(
        period=world.period, org_unit=None, position=position,
        subject=subject_key(position_id=position.pk), total=Decimal(total),
        kpi_part=None if kpi_part is None else Decimal(kpi_part),
        review_part=None if review_part is None else Decimal(review_part),
        review_weight=Decimal(review_weight), points=Decimal(points),
        breakdown=[{"kind": "review", "value": "14.00"}, {"kind": "points", "value": points}],
    )  # fmt: skip


def assessment_world(
    tenant, *, prefix: str = "as", current: str = Stage.SELF_ASSESSMENT, now: datetime | None = None,
    goals: int = 2, snapshot: bool = True,
) -> tuple[AppraisalWorld, list[PersonalGoal]]:  # fmt: skip
    world = appraisal_world(tenant, prefix=prefix, current=current, now=now)
    made = personal_goals(world, goals)
    if snapshot:
        position_snapshot(world)
    return world, made
