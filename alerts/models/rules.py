"""Alert rules on process KPIs, their state and every evaluation of them (issue 12 §4).

An `AlertRule` watches one KPI (so one stage of one process) in one of two ways: `threshold` — the KPI's
static amber and red lines (amber → a warning, red → critical) — or `anomaly` — the robust z of
`alerts.engine.anomaly` (threshold z, minimum history). A rule fires when the condition held in N of its last
M evaluations, resolves after `recovery` normal evaluations in a row, notifies at most once a cool-down, and
says what no data and errors do (`alerts.engine.states` is the state machine). Its `RuleState` (one a rule)
is the machine's memory; every evaluation is an `Evaluation` row, so a reader sees why an alert fired or why
none did. Evaluations are append-only, read newest first by (tenant, rule, at) and pruned by the check past
`EVALUATION_KEEP_DAYS`.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.kpis import ProcessKpi
from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned

EVALUATION_KEEP_DAYS = 400
MAX_WINDOW = 10  # M, the ring of recent results


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("static threshold (amber/red lines)")
    ANOMALY = "anomaly", _("statistical anomaly")


class Severity(models.TextChoices):
    INFO = "info", _("info")
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class NoDataPolicy(models.TextChoices):
    KEEP = "keep", _("keep the state")
    ALERT = "alert", _("count as a breach")
    RESOLVE = "resolve", _("count as normal")


class RuleStatus(models.TextChoices):
    NORMAL = "normal", _("normal")
    PENDING = "pending", _("pending")
    FIRING = "firing", _("firing")
    RESOLVED = "resolved", _("resolved")
    NO_DATA = "no_data", _("no data")
    ERROR = "error", _("error")
    BROKEN = "broken", _("broken")


class Outcome(models.TextChoices):
    BREACH = "breach", _("condition holds")
    OK = "ok", _("normal")
    NO_DATA = "no_data", _("no data")
    TOO_SHORT = "too_short", _("history too short")
    ERROR = "error", _("error")
    SKIPPED = "skipped", _("skipped (broken)")


class AlertRule(TenantOwned, LockVersioned):
    kpi = models.ForeignKey(ProcessKpi, on_delete=models.CASCADE, related_name="alert_rules",
                            verbose_name=_("KPI"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING,
        help_text=_("An anomaly's severity; a threshold rule takes warning from the amber line and critical "
                    "from the red one."),
    )  # fmt: skip
    threshold_z = models.FloatField(
        _("threshold (robust z)"), default=3.5, validators=[MinValueValidator(1.0), MaxValueValidator(10.0)]
    )
    min_history = models.PositiveSmallIntegerField(
        _("minimum history"), default=8, validators=[MinValueValidator(3), MaxValueValidator(12)]
    )
    breaches_needed = models.PositiveSmallIntegerField(
        _("breaches needed (N)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW)]
    )
    breach_window = models.PositiveSmallIntegerField(
        _("of the last evaluations (M)"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW)],
    )  # fmt: skip
    recovery = models.PositiveSmallIntegerField(
        _("recovery window"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW)],
        help_text=_("Normal evaluations in a row before a firing alert resolves."),
    )  # fmt: skip
    cooldown_minutes = models.PositiveIntegerField(
        _("cool-down (minutes)"), default=240, validators=[MaxValueValidator(10080)],
        help_text=_("After a notification, the rule does not notify of a new firing for this long."),
    )  # fmt: skip
    no_data = models.CharField(_("when data is missing"), max_length=10, choices=NoDataPolicy.choices,
                               default=NoDataPolicy.KEEP)  # fmt: skip
    error_limit = models.PositiveSmallIntegerField(
        _("errors before broken"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    ack_hours = models.PositiveIntegerField(
        _("acknowledge within (hours)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("An alert nobody acknowledges in time escalates: owner unit → escalation role → process "
                    "owner."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kpi", "kind"], name="alert_rule_unique_kind"),
            models.CheckConstraint(
                condition=models.Q(breaches_needed__lte=models.F("breach_window")), name="alert_rule_n_of_m"
            ),  # fmt: skip
        ]
        ordering = ["kpi_id", "kind", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return f"{self.kpi_id}:{self.kind}"


class RuleState(TenantOwned):
    """The state machine's memory of one rule (`alerts.engine.states.Memory`)."""

    rule = models.OneToOneField(AlertRule, on_delete=models.CASCADE, related_name="state")
    state = models.CharField(_("state"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.NORMAL)
    recent = models.JSONField(default=list)  # the last M results, oldest first (true: a breach)
    firing = models.BooleanField(default=False)
    normal_streak = models.PositiveSmallIntegerField(default=0)
    consecutive_errors = models.PositiveSmallIntegerField(default=0)
    last_bucket = models.DateField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.state}"


class Evaluation(TenantOwned):
    """One evaluation of one rule: the bucket and value judged, the expected value and band (or the lines),
    the outcome and the state it left."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="evaluations")
    at = models.DateTimeField(_("evaluated at"))
    bucket = models.DateField(_("period start"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    expected = models.FloatField(_("expected"), null=True, blank=True)
    lower = models.FloatField(_("lower bound"), null=True, blank=True)
    upper = models.FloatField(_("upper bound"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    state_before = models.CharField(max_length=10, choices=RuleStatus.choices)
    state_after = models.CharField(max_length=10, choices=RuleStatus.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="evaluations")  # fmt: skip

    class Meta:
        indexes = [models.Index(fields=["tenant", "rule", "-at", "-id"], name="evaluation_rule_at_idx")]
        ordering = ["-at", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.at}: {self.outcome}"
