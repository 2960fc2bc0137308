"""The audit log's words for the alerts app (`collab.audit.audit_record` action codes and their names);
`audit_register()` runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register


class AlertsAuditAction(models.TextChoices):
    PROCESS_CREATE = "process.create", _("Process added")
    PROCESS_UPDATE = "process.update", _("Process edited")
    PROCESS_DELETE = "process.delete", _("Process deleted")
    PROCESS_KPI_CREATE = "process_kpi.create", _("Process KPI added")
    PROCESS_KPI_UPDATE = "process_kpi.update", _("Process KPI edited")
    PROCESS_KPI_DELETE = "process_kpi.delete", _("Process KPI deleted")
    PROCESS_KPI_POINTS = "process_kpi.points", _("Process KPI points written")


def audit_register() -> None:
    audit_actions_register(AlertsAuditAction)
