"""Isolation samples of process monitoring: one process with two stages (its page, editor, delete and the
API's detail), a KPI of its first stage with two points (its page, editor, delete, point form; the API's
detail, points and series) and an imported event log with one case."""

from __future__ import annotations

from alerts.models import ProcessStage
from tests.factories.alerts import make_event_log, make_kpi, make_process, monthly_points
from tests.factories.org import OrgUnitFactory

ORDER = 75


def build(tenant, objects: dict) -> dict:
    unit = OrgUnitFactory(name="iso-alerts sales")
    partner = OrgUnitFactory(name="iso-alerts finance")
    process = make_process(unit, name="iso-alerts lead to cash", collaborating=[partner])
    stage = ProcessStage.objects.filter(process=process).order_by("order").first()
    kpi = make_kpi(stage, code="ISO-ALERTS-KPI", points=monthly_points([3, 4]))
    return {"process": process, "process_kpi": kpi, "event_log": make_event_log(process)}


ROUTE_KWARGS = {
    "process-detail": lambda o: {"pk": o["process"].pk},
    "process-edit": lambda o: {"pk": o["process"].pk},
    "process-delete": lambda o: {"pk": o["process"].pk},
    "process-kpi-create": lambda o: {"pk": o["process"].pk},
    "process-kpi-detail": lambda o: {"pk": o["process_kpi"].pk},
    "process-kpi-edit": lambda o: {"pk": o["process_kpi"].pk},
    "process-kpi-delete": lambda o: {"pk": o["process_kpi"].pk},
    "process-kpi-point": lambda o: {"pk": o["process_kpi"].pk},
    "event-log-detail": lambda o: {"pk": o["event_log"].pk},
    "event-log-delete": lambda o: {"pk": o["event_log"].pk},
}

API_DETAIL = {"api-process": "process", "api-process-kpi": "process_kpi", "api-event-log": "event_log"}
