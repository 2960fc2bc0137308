"""A small appraisal world with position goals to propose under and KPIs to propose (goals-checkins tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appraisal.models import Stage
from goals.models import KPI, Goal
from tests.factories.appraisal import AppraisalWorld, appraisal_world
from tests.factories.goals import GoalFactory, KPIFactory


@dataclass
class GoalsWorld:
    world: AppraisalWorld
    unit_goal: Goal  # the unit's goal, the position goal's parent
    position_goal: Goal  # the employee's position's goal in the cycle's period
    kpi: KPI
    other_kpi: KPI


def goals_world(tenant, *, prefix: str = "ap", current: str = Stage.GOAL_SETTING,
                now: datetime | None = None) -> GoalsWorld:  # fmt: skip
    world = appraisal_world(tenant, prefix=prefix, current=current, now=now)
    position = world.employee.position
    unit_goal = GoalFactory(period=world.period, org_unit=world.unit, kpi=KPIFactory(code=f"{prefix}-U"))
    position_goal = GoalFactory(
        parent=unit_goal, org_unit=world.unit, position=position, kpi=KPIFactory(code=f"{prefix}-P")
    )
    return GoalsWorld(
        world,
        unit_goal,
        position_goal,
        KPIFactory(code=f"{prefix}-K1", name=f"{prefix} sales"),
        KPIFactory(code=f"{prefix}-K2", name=f"{prefix} quality"),
    )
