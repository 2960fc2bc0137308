"""Isolation samples of goals set together and check-ins (appraisal, goals-checkins): a cycle in goal
setting with one appraisal, an open goal proposal under the position's goal, and a check-in with an agreed
action (built without the grade scale, which other appraisal samples may create)."""

from __future__ import annotations

from django.utils import timezone

from appraisal.models import Stage
from appraisal.services.check_ins import check_in_create
from appraisal.services.goal_proposals import goal_proposal_create
from tests.factories import make_member
from tests.factories.appraisal import AppraisalFactory, CycleFactory, date_stages
from tests.factories.goals import GoalFactory, KPIFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PositionFactory

ORDER = 90


def build(tenant, objects: dict) -> dict:
    prefix = f"iso-gc-{tenant.slug}"
    unit = OrgUnitFactory(name=f"{prefix} team")
    position = PositionFactory(org_unit=unit, title=f"{prefix} analyst")
    manager = EmployeeFactory(
        org_unit=unit,
        name=f"{prefix} manager",
        user=make_member(tenant, "manager", username=f"{prefix}-manager"),
    )
    user = make_member(tenant, "employee", username=f"{prefix}-employee")
    employee = EmployeeFactory(
        org_unit=unit, position=position, manager=manager, user=user, name=f"{prefix} e"
    )
    cycle = CycleFactory(name=f"{prefix} cycle", launched_at=timezone.now())
    date_stages(cycle, current=Stage.GOAL_SETTING)
    appraisal = AppraisalFactory(cycle=cycle, employee=employee, stage=Stage.GOAL_SETTING)
    position_goal = GoalFactory(
        period=cycle.period, org_unit=unit, position=position, kpi=KPIFactory(code=f"{prefix}-P")
    )
    proposal = goal_proposal_create(
        actor=user,
        appraisal=appraisal,
        data={
            "kind": "new",
            "parent_goal": position_goal,
            "kpi": KPIFactory(code=f"{prefix}-K"),
            "target": "1",
            "weight": "100",
        },
    )
    check_in = check_in_create(
        actor=user,
        appraisal=appraisal,
        data={
            "held_on": timezone.localdate(),
            "private_note": "theirs",
            "actions": [{"description": "a", "owner": "manager", "due_on": timezone.localdate()}],
        },
    )
    return {
        "gc_appraisal": appraisal,
        "gc_proposal": proposal,
        "gc_check_in": check_in,
        "gc_action": check_in.actions.get(),
    }


ROUTE_KWARGS = {
    "appraisal-goals": lambda o: {"pk": o["gc_appraisal"].pk},
    "appraisal-check-ins": lambda o: {"pk": o["gc_appraisal"].pk},
    "appraisal-goal-proposal-accept": lambda o: {"pk": o["gc_proposal"].pk},
    "appraisal-goal-proposal-return": lambda o: {"pk": o["gc_proposal"].pk},
    "appraisal-goal-proposal-withdraw": lambda o: {"pk": o["gc_proposal"].pk},
    "appraisal-check-in-note": lambda o: {"pk": o["gc_check_in"].pk},
    "appraisal-check-in-action-done": lambda o: {"pk": o["gc_action"].pk},
}

API_DETAIL = {
    "api-goal-proposal": "gc_proposal",
    "api-check-in": "gc_check_in",
}
