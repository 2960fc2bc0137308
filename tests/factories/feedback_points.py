"""Factories of bonus and penalty points (feedback.models.points) and a small reporting line to test them.
Use them inside `tenant_scope(tenant)`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import factory

from collab.models import Employee, OrgUnit, Period
from feedback.models import PointItem, PointProjectLead
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory


class PointItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointItem

    name = factory.Sequence(lambda n: f"Point item {n}")
    description = ""
    points = Decimal("2")


class PointProjectLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointProjectLead

    employee = factory.SubFactory(EmployeeFactory)
    project = factory.Sequence(lambda n: f"Project {n}")


@dataclass
class Line:
    """A reporting line: director ← manager ← (staff, peer); the manager leads `team` under `dept`.
    Each person has a user (a member of the tenant) with the roles a test needs."""

    dept: OrgUnit
    team: OrgUnit
    period: Period
    director: Employee
    manager: Employee
    staff: Employee
    peer: Employee
    item: PointItem
    users: dict


def build_line(tenant, *, prefix: str = "", period: Period | None = None) -> Line:
    dept = OrgUnitFactory(name=f"{prefix}Department")
    team = OrgUnitFactory(name=f"{prefix}Team", parent=dept)
    position = PositionFactory(org_unit=team, level="L3", job_family="engineering")
    users = {
        name: make_member(tenant, *roles, username=f"{prefix}{name}")
        for name, roles in (
            ("director", ("manager",)), ("manager", ("manager",)), ("staff", ("employee",)),
            ("peer", ("employee",)),
        )
    }  # fmt: skip
    director = EmployeeFactory(name=f"{prefix}Director", org_unit=dept, user=users["director"])
    manager = EmployeeFactory(name=f"{prefix}Manager", org_unit=team, manager=director, user=users["manager"])
    staff = EmployeeFactory(
        name=f"{prefix}Staff", org_unit=team, position=position, manager=manager, user=users["staff"]
    )
    peer = EmployeeFactory(name=f"{prefix}Peer", org_unit=team, manager=manager, user=users["peer"])
    return Line(
        dept=dept, team=team, period=period or PeriodFactory(kind=Period.Kind.YEAR),
        director=director, manager=manager, staff=staff, peer=peer,
        item=PointItemFactory(name=f"{prefix}Proactive support", points=Decimal("2")), users=users,
    )  # fmt: skip


def proposal_data(line: Line, **overrides) -> dict:
    return {
        "subject_employee": line.staff, "item": line.item, "period": line.period,
        "reason": "Stayed late to unblock the sales demo.", "proposer_role": "line_manager",
        "evidence_link": "https://tickets.example.com/42", **overrides,
    }  # fmt: skip
