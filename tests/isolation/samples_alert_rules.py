"""Isolation samples of alerts: a KPI with a rule, an open alert with its evaluation, and a silence (their
pages and the API's details and actions)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from alerts.models import Alert, AlertEvent, Evaluation
from alerts.services.silences import silence_create
from tests.alerts.alert_factories import make_kpi, make_rule, put_points
from tests.factories.alerts import make_process
from tests.factories.org import OrgUnitFactory

ORDER = 76


def build(tenant, objects: dict) -> dict:
    unit = OrgUnitFactory(name="iso-alert-rules unit")
    process = make_process(unit, name="iso-alert-rules process")
    stage = process.stages.order_by("order").first()
    kpi = make_kpi(stage, code="ISO-ALERT", amber=20, red=30)
    put_points(kpi, dt.date(2026, 1, 1), [35])
    rule = make_rule(kpi)
    now = timezone.now()
    alert = Alert.objects.create(rule=rule, kpi=kpi, stage=stage, process=process, severity="critical",
                                 opened_at=now, bucket=dt.date(2026, 1, 1), value=35)  # fmt: skip
    AlertEvent.objects.create(alert=alert, kind="fired", at=now)
    Evaluation.objects.create(
        rule=rule,
        at=now,
        bucket=dt.date(2026, 1, 1),
        value=35,
        outcome="breach",
        severity="critical",
        state_before="normal",
        state_after="firing",
        alert=alert,
    )
    silence = silence_create(actor=None, data={
        "scope": "process", "process": process.pk, "starts_at": now, "ends_at": now + dt.timedelta(days=1),
        "reason": "iso-alert-rules maintenance"})  # fmt: skip
    return {"alert_rule": rule, "alert": alert, "silence": silence}


ROUTE_KWARGS = {
    "alert-detail": lambda o: {"pk": o["alert"].pk},
    "alert-rule-detail": lambda o: {"pk": o["alert_rule"].pk},
    "alert-rule-edit": lambda o: {"pk": o["alert_rule"].pk},
    "alert-rule-delete": lambda o: {"pk": o["alert_rule"].pk},
    "silence-end": lambda o: {"pk": o["silence"].pk},
}

API_DETAIL = {"api-alert": "alert", "api-alert-rule": "alert_rule", "api-silence": "silence"}
