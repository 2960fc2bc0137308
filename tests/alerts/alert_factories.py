"""Factories of the alert tests: a KPI on a process stage with its points (straight through the ORM: the
KPI services are another part's), a rule through its service, and a small world with managers to notify."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alerts.engine.buckets import bucket_index, index_day
from alerts.models import ProcessKpi, ProcessKpiPoint
from alerts.services.rules import alert_rule_create
from collab.models import Role
from tests.factories import make_member
from tests.factories.alerts import make_process
from tests.factories.org import EmployeeFactory, OrgUnitFactory

UTC = dt.UTC


def make_kpi(stage, *, code="K1", direction="lower_better", granularity="monthly", amber=None, red=None):
    return ProcessKpi.objects.create(
        stage=stage, code=code, name=f"KPI {code}", unit_label="h", granularity=granularity,
        direction=direction, amber=None if amber is None else Decimal(str(amber)),
        red=None if red is None else Decimal(str(red)),
    )  # fmt: skip


def put_points(kpi, first: dt.date, values) -> list[dt.date]:
    """Consecutive buckets from `first`, one a value (None: no point); returns the buckets."""
    start = bucket_index(first, kpi.granularity)
    days = []
    for offset, value in enumerate(values):
        day = index_day(start + offset, kpi.granularity)
        days.append(day)
        if value is not None:
            ProcessKpiPoint.objects.update_or_create(
                kpi=kpi, at=day, defaults={"value": Decimal(str(value)), "source": "api"}
            )
    return days


def make_rule(kpi, **params):
    return alert_rule_create(actor=None, kpi=kpi, data={"kind": "threshold", **params})


def manager_of(tenant, unit, username, **employee):
    """A member holding the manager role, linked to an employee of `unit`."""
    user = make_member(tenant, Role.MANAGER, username=username)
    return EmployeeFactory(org_unit=unit, user=user, **employee), user


def alert_world(tenant, *, prefix="w"):
    """A process (owner unit Sales, collaborating Finance) with managers in both units and a process owner."""
    sales = OrgUnitFactory(name=f"{prefix} Sales")
    finance = OrgUnitFactory(name=f"{prefix} Finance")
    sales_head, sales_user = manager_of(tenant, sales, f"{prefix}_sales_head")
    _finance_head, finance_user = manager_of(tenant, finance, f"{prefix}_finance_head")
    owner_user = make_member(tenant, Role.EMPLOYEE, username=f"{prefix}_owner")  # no manager: told only late
    owner = EmployeeFactory(org_unit=OrgUnitFactory(name=f"{prefix} Board"), user=owner_user)
    process = make_process(sales, name=f"{prefix} Lead to cash", collaborating=[finance], owner=owner)
    stage = process.stages.order_by("order").first()
    return {"sales": sales, "finance": finance, "process": process, "stage": stage, "sales_user": sales_user,
            "finance_user": finance_user, "owner_user": owner_user, "sales_head": sales_head}  # fmt: skip
