"""Reads of alerts, rules and evaluations for the pages and the API (a fixed number of queries each)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from alerts.models import OPEN_STATUSES, Alert, AlertEvent, AlertRule, Evaluation, ProcessKpi
from collab.models import OrgUnit

EVIDENCE_ROWS = 24  # the evaluations an alert's page shows (the latest of its rule up to the alert's end)


def alerts(*, status: str = "", process=None, severity: str = "", open_only: bool = False) -> QuerySet[Alert]:
    """Alerts, the latest first; `status` "open" means firing or acknowledged."""
    queryset = Alert.objects.select_related("kpi", "stage__owner_unit", "process", "acknowledged_by")
    if status == "open" or open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if process is not None:
        queryset = queryset.filter(process_id=process)
    if severity:
        queryset = queryset.filter(severity=severity)
    return queryset.order_by("-opened_at", "-id")


def alert_detail_queryset() -> QuerySet[Alert]:
    events = AlertEvent.objects.select_related("actor").order_by("at", "id")
    return (
        alerts()
        .select_related("rule", "resolved_by", "labelled_by")
        .prefetch_related(Prefetch("events", queryset=events))
    )


def alert_page(alert: Alert) -> Alert:
    return alert_detail_queryset().get(pk=alert.pk)


def alert_evidence(alert: Alert) -> list[Evaluation]:
    """The rule's evaluations around the alert: up to its resolution, the latest first."""
    rows = Evaluation.objects.filter(rule_id=alert.rule_id)
    if alert.resolved_at is not None:
        rows = rows.filter(at__lte=alert.resolved_at)
    return list(rows.order_by("-at", "-id")[:EVIDENCE_ROWS])


def rules(*, kpi=None) -> QuerySet[AlertRule]:
    queryset = AlertRule.objects.select_related("kpi__stage__process", "state")
    if kpi is not None:
        queryset = queryset.filter(kpi_id=kpi)
    return queryset.order_by("id")


def rule_evaluations(rule: AlertRule) -> QuerySet[Evaluation]:
    """A rule's evaluations, the latest first (the index (tenant, rule, at, id) serves it)."""
    return Evaluation.objects.filter(rule=rule).order_by("-at", "-id")


def kpi_choices() -> QuerySet[ProcessKpi]:
    return ProcessKpi.objects.select_related("stage__process").order_by("stage__process__name", "code")


def unit_open_alerts(employee, *, limit: int = 5) -> dict:
    """The manager home's panel: open alerts of stages that the person's unit (or a unit below it) owns or
    works with, the latest first (two queries)."""
    unit = OrgUnit.objects.filter(pk=employee.org_unit_id).values_list("path", flat=True).first()
    if not unit:
        return {"alerts": [], "more": False}
    units = OrgUnit.objects.filter(path__startswith=unit).values("pk")
    rows = list(
        alerts(open_only=True).filter(
            Q(stage__owner_unit__in=units) | Q(stage__unit_links__org_unit__in=units)
        ).distinct()[: limit + 1]
    )  # fmt: skip
    return {"alerts": rows[:limit], "more": len(rows) > limit}
