"""Demo data of the appraisal app (`DEMO_STEPS`, run by `collab.demo` after the apps below): the default
policy and one launched cycle for the current year, its goal setting open today, whose participants are
the units of the demo manager and employee logins (with their sub-units) — so `mining-manager` assesses
`mining-employee`, and `tech-manager` and `tech-employee` each have an appraisal. Created through the
services as the demo HR admin."""

from __future__ import annotations

import datetime as dt

from collab.demo.steps import DemoContext
from collab.models import Role

# Days from today to each stage's opening and deadline: goal setting opened three days ago.
STAGE_DAYS = (
    ("goal_setting", -3, 11),
    ("check_ins", 11, 60),
    ("self_assessment", 60, 70),
    ("manager_assessment", 70, 80),
    ("calibration", 80, 87),
    ("release", 87, 88),
    ("confirmation", 88, 95),
)
NAMES = {"zh-hans": "{period}绩效考核", "en": "{period} performance appraisal"}


def appraisal_cycle_build(ctx: DemoContext) -> None:
    from django.utils import timezone

    from appraisal.services.cycles import cycle_create, cycle_launch
    from appraisal.services.policy import policy_of_tenant

    policy_of_tenant()
    # The year: the demo's goal tree (positions' goals to propose under) and scores are the year's.
    period = ctx.periods.get(str(ctx.today.year))
    units = []
    for login in ctx.plan.logins:
        if login.roles in ((Role.MANAGER,), (Role.EMPLOYEE,)) and login.unit in ctx.units:
            units.append(ctx.units[login.unit])
    if period is None or not units:
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    stages = [
        {"stage": stage, "opens_at": now + dt.timedelta(days=opens), "deadline": now + dt.timedelta(days=due)}
        for stage, opens, due in STAGE_DAYS
    ]
    name = NAMES.get(ctx.plan.locale, NAMES["en"]).format(period=period)
    cycle = cycle_create(
        actor=ctx.hr_user,
        data={"name": name, "period": period, "weight_scorecard": 50, "weight_review": 20,
              "weight_manager": 30},  # fmt: skip
        stages=stages,
        rules=[{"org_unit": unit, "include_sub_units": True} for unit in units],
    )
    cycle_launch(actor=ctx.hr_user, cycle=cycle, lock_version=cycle.lock_version)


DEMO_STEPS = [appraisal_cycle_build]
