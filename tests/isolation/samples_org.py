"""Isolation samples of the organisation area (see the isolation contract in the shared brief)."""

from __future__ import annotations

from collab.models import OrgUnit
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

ORDER = 10


def build(tenant, objects: dict) -> dict:
    unit = OrgUnitFactory(code="ISO-ROOT", name="Isolation root", kind=OrgUnit.Kind.GROUP)
    child = OrgUnitFactory(code="ISO-CHILD", name="Isolation child", parent=unit)
    position = PositionFactory(code="ISO-POS", org_unit=child)
    manager = EmployeeFactory(employee_no="ISO-M", org_unit=unit)
    employee = EmployeeFactory(employee_no="ISO-E", org_unit=child, position=position, manager=manager)
    period = PeriodFactory(year=2031, status="planning")
    return {"unit": unit, "child_unit": child, "position": position, "employee": employee, "period": period}


ROUTE_KWARGS = {
    "org-tree-children": lambda o: {"pk": o["unit"].pk},
    "org-unit-edit": lambda o: {"pk": o["child_unit"].pk},
    "org-unit-move": lambda o: {"pk": o["child_unit"].pk},
    "org-unit-delete": lambda o: {"pk": o["child_unit"].pk},
    "position-edit": lambda o: {"pk": o["position"].pk},
    "position-delete": lambda o: {"pk": o["position"].pk},
    "employee-edit": lambda o: {"pk": o["employee"].pk},
    "employee-delete": lambda o: {"pk": o["employee"].pk},
    "period-edit": lambda o: {"pk": o["period"].pk},
    "period-advance": lambda o: {"pk": o["period"].pk},
    "period-delete": lambda o: {"pk": o["period"].pk},
}

API_DETAIL = {
    "org-unit": "unit",
    "api-position": "position",
    "api-employee": "employee",
    "api-period": "period",
}
