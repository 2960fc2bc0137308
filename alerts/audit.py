"""The audit log's words for the alerts app (`collab.audit.audit_record` action codes and their names);
`audit_register()` runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register


class AlertsAuditAction(models.TextChoices):
    PROCESS_CREATE = "process.create", _("Process added")
    PROCESS_UPDATE = "process.update", _("Process edited")
    PROCESS_DELETE = "process.delete", _("Process deleted")
    EVENT_LOG_UPLOAD = "event_log.upload", _("Event log uploaded")
    EVENT_LOG_MAP = "event_log.map", _("Event log columns mapped")
    EVENT_LOG_DELETE = "event_log.delete", _("Event log deleted")
    RULE_CREATE = "alert_rule.create", _("Alert rule added")
    RULE_UPDATE = "alert_rule.update", _("Alert rule edited")
    RULE_DELETE = "alert_rule.delete", _("Alert rule deleted")
    RULE_RESET = "alert_rule.reset", _("Broken alert rule reset")
    ALERT_ACKNOWLEDGE = "alert.acknowledge", _("Alert acknowledged")
    ALERT_RESOLVE = "alert.resolve", _("Alert resolved by hand")
    ALERT_NOT_ANOMALY = "alert.not_anomaly", _("Alert marked not an anomaly")
    SILENCE_CREATE = "silence.create", _("Silence added")
    SILENCE_UPDATE = "silence.update", _("Silence edited")
    SILENCE_END = "silence.end", _("Silence ended")
    SILENCE_DELETE = "silence.delete", _("Silence deleted")
    PROCESS_KPI_CREATE = "process_kpi.create", _("Process KPI added")
    PROCESS_KPI_UPDATE = "process_kpi.update", _("Process KPI edited")
    PROCESS_KPI_DELETE = "process_kpi.delete", _("Process KPI deleted")
    PROCESS_KPI_POINTS = "process_kpi.points", _("Process KPI points written")


def audit_register() -> None:
    audit_actions_register(AlertsAuditAction)
