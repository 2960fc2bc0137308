"""Isolation samples of process monitoring: one process with two stages (its page, editor, delete and the
API's detail)."""

from __future__ import annotations

from tests.factories.alerts import make_process
from tests.factories.org import OrgUnitFactory

ORDER = 75


def build(tenant, objects: dict) -> dict:
    unit = OrgUnitFactory(name="iso-alerts sales")
    partner = OrgUnitFactory(name="iso-alerts finance")
    return {"process": make_process(unit, name="iso-alerts lead to cash", collaborating=[partner])}


ROUTE_KWARGS = {
    "process-detail": lambda o: {"pk": o["process"].pk},
    "process-edit": lambda o: {"pk": o["process"].pk},
    "process-delete": lambda o: {"pk": o["process"].pk},
}

API_DETAIL = {"api-process": "process"}
