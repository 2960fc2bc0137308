"""Isolation samples of the goals area (see the isolation contract in the shared brief)."""

from __future__ import annotations

from decimal import Decimal

from tests.factories.goals import (
    GoalFactory,
    KPIFactory,
    MeasurementFactory,
    ObjectiveFactory,
    ObjectiveLinkFactory,
    OrgUnitFactory,
    PeriodFactory,
    PositionFactory,
)

ORDER = 40


def build(tenant, objects: dict) -> dict:
    unit = objects.get("unit") or OrgUnitFactory()
    period = objects.get("period") or PeriodFactory(year=2031)
    position = objects.get("position") or PositionFactory(org_unit=unit)
    objective = ObjectiveFactory(period=period, owner_unit=unit)
    effect = ObjectiveFactory(period=period, perspective="customer")
    link = ObjectiveLinkFactory(cause=objective, effect=effect)
    kpi = KPIFactory(owner_unit=unit, objective=objective, is_collaborative=True)
    goal = GoalFactory(period=period, org_unit=unit, kpi=kpi)
    child = GoalFactory(
        parent=goal, org_unit=position.org_unit, position=position, kpi=kpi, weight=Decimal(100)
    )
    measurement = MeasurementFactory(kpi=kpi, period=period)
    return {
        "kpi": kpi,
        "objective": objective,
        "objective_link": link,
        "goal": goal,
        "goal_child": child,
        "measurement": measurement,
    }


ROUTE_KWARGS = {
    "kpi-edit": lambda o: {"pk": o["kpi"].pk},
    "kpi-delete": lambda o: {"pk": o["kpi"].pk},
    "objective-edit": lambda o: {"pk": o["objective"].pk},
    "objective-delete": lambda o: {"pk": o["objective"].pk},
    "objective-link-delete": lambda o: {"pk": o["objective_link"].pk},
}

API_DETAIL = {
    "api-kpi": "kpi",
    "objective": "objective",
    "objective-link": "objective_link",
}
