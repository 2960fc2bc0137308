"""Isolation samples of process monitoring: one process with two stages (its page, editor, delete and the
API's detail) and an imported event log with one case."""

from __future__ import annotations

from tests.factories.alerts import make_event_log, make_process
from tests.factories.org import OrgUnitFactory

ORDER = 75


def build(tenant, objects: dict) -> dict:
    unit = OrgUnitFactory(name="iso-alerts sales")
    partner = OrgUnitFactory(name="iso-alerts finance")
    process = make_process(unit, name="iso-alerts lead to cash", collaborating=[partner])
    return {"process": process, "event_log": make_event_log(process)}


ROUTE_KWARGS = {
    "process-detail": lambda o: {"pk": o["process"].pk},
    "process-edit": lambda o: {"pk": o["process"].pk},
    "process-delete": lambda o: {"pk": o["process"].pk},
}

API_DETAIL = {"api-process": "process", "api-event-log": "event_log"}
