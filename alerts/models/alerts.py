"""Alerts, their history and silences (issue 12 §4).

An `Alert` is opened when a rule starts firing; there is at most one open alert (firing or acknowledged) a
rule — a partial unique constraint keeps it so, whatever races. Its stage and process are copied from the
rule's KPI so lists filter without joins. People acknowledge it with a comment; one not acknowledged within
its rule's `ack_hours` escalates one step along the stage's chain (`escalation_level`: 0 the owner unit's
managers, 1 the stage's escalation role, 2 the process owner). It resolves by itself after the rule's
recovery window, or by hand with a comment. An analyst may label it "not an anomaly" (for tuning).
`AlertEvent` is its history.

A `Silence` mutes notifications and escalation of one rule, one stage, one process or the whole tenant
from `starts_at` until `ends_at` (always an end), either throughout or, when it names weekdays, only in a
daily time window on those days (a recurring maintenance window); evaluations still run and are recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.kpis import ProcessKpi
from alerts.models.processes import Process, ProcessStage
from alerts.models.rules import AlertRule, Severity
from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned

MAX_ESCALATION_LEVEL = 2


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("firing")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


OPEN_STATUSES = (AlertStatus.FIRING, AlertStatus.ACKNOWLEDGED)


class EscalationLevel(models.IntegerChoices):
    OWNER_UNIT = 0, _("owner unit")
    ESCALATION_ROLE = 1, _("escalation role")
    PROCESS_OWNER = 2, _("process owner")


class Alert(TenantOwned, LockVersioned):
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    kpi = models.ForeignKey(ProcessKpi, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(ProcessStage, on_delete=models.CASCADE, related_name="alerts")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="alerts")
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices,
                              default=AlertStatus.FIRING)  # fmt: skip
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    opened_at = models.DateTimeField(_("opened at"))
    bucket = models.DateField(_("period start"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    ack_comment = models.TextField(_("acknowledgement comment"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    resolve_comment = models.TextField(_("resolution comment"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=EscalationLevel.OWNER_UNIT
    )
    next_escalation_at = models.DateTimeField(_("escalates at"), null=True, blank=True)
    not_anomaly = models.BooleanField(_("not an anomaly"), default=False)
    labelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "rule"], condition=models.Q(status__in=["firing", "acknowledged"]),
                name="alert_one_open_per_rule",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["tenant", "status", "-opened_at", "-id"], name="alert_status_idx"),
            models.Index(fields=["tenant", "-opened_at", "-id"], name="alert_opened_idx"),
            models.Index(fields=["tenant", "process", "status"], name="alert_process_idx"),
        ]
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AlertEventKind(models.TextChoices):
    FIRED = "fired", _("fired")
    NOTIFIED = "notified", _("notified")
    SUPPRESSED = "suppressed", _("notification held back")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ESCALATED = "escalated", _("escalated")
    RESOLVED = "resolved", _("resolved")
    NOT_ANOMALY = "not_anomaly", _("marked not an anomaly")


class AlertEvent(TenantOwned):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=AlertEventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "alert", "at"], name="alert_event_idx")]
        ordering = ["at", "id"]
        verbose_name = _("alert event")

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.kind}"


class SilenceScope(models.TextChoices):
    RULE = "rule", _("one rule")
    STAGE = "stage", _("one stage")
    PROCESS = "process", _("one process")
    TENANT = "tenant", _("everything")


class Silence(TenantOwned, LockVersioned):
    scope = models.CharField(_("applies to"), max_length=10, choices=SilenceScope.choices)
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("rule"))  # fmt: skip
    stage = models.ForeignKey(ProcessStage, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+", verbose_name=_("stage"))  # fmt: skip
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("process"))  # fmt: skip
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    weekdays = models.JSONField(
        _("weekdays"), default=list, blank=True,
        help_text=_("Recurring: the days of the week (0 Monday … 6 Sunday); empty for one stretch."),
    )  # fmt: skip
    window_start = models.TimeField(_("daily from"), null=True, blank=True)
    window_end = models.TimeField(_("daily until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="silence_has_an_end"
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["tenant", "-ends_at", "-id"], name="silence_ends_idx")]
        ordering = ["-ends_at", "-id"]
        verbose_name = _("silence")
        verbose_name_plural = _("silences")

    def __str__(self) -> str:
        return f"silence {self.pk} ({self.scope})"
