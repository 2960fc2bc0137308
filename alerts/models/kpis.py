"""Process KPIs: time series per stage (issue 12 §2).

A `ProcessKpi` measures one stage of a process (contract approval time, shipment delay ratio, overdue
receivable days, conversion rate) at a granularity — daily, weekly or monthly — and says which way is bad
(`direction`, the words of `alerts.engine.anomaly`) and, optionally, where its static health lines lie
(amber and red, in its bad direction: `alerts.engine.health`). Its values are `ProcessKpiPoint`s, one per
bucket: `at` is the bucket's first day (the day; the week's Monday; the month's first), so a series is a
regular sequence the anomaly engine can read as a matrix. Points arrive through the API in bulk, a CSV or
Excel import, or derived from an event log; a point written again for the same bucket replaces the value.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.processes import ProcessStage
from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned

VALUE_DIGITS = {"max_digits": 20, "decimal_places": 6}


class Granularity(models.TextChoices):
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")


class KpiDirection(models.TextChoices):
    """Which way is bad; the values are `alerts.engine.anomaly`'s direction names."""

    HIGHER_BETTER = "higher_better", _("higher is better (a drop is bad)")
    LOWER_BETTER = "lower_better", _("lower is better (a rise is bad)")
    BOTH = "both", _("either way is bad")


class PointSource(models.TextChoices):
    API = "api", _("API")
    IMPORT = "import", _("import")
    EVENT_LOG = "event_log", _("event log")
    MANUAL = "manual", _("entered by hand")


class ProcessKpi(TenantOwned, LockVersioned):
    """One KPI series of a process stage."""

    stage = models.ForeignKey(
        ProcessStage, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("stage")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit_label = models.CharField(
        _("unit of measure"), max_length=20, blank=True, help_text=_("e.g. h, %, days")
    )
    granularity = models.CharField(
        _("granularity"), max_length=10, choices=Granularity.choices, default=Granularity.MONTHLY
    )
    direction = models.CharField(_("direction"), max_length=15, choices=KpiDirection.choices)
    amber = models.DecimalField(_("amber line"), null=True, blank=True, **VALUE_DIGITS)
    red = models.DecimalField(_("red line"), null=True, blank=True, **VALUE_DIGITS)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive KPI keeps its series and is not monitored.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="process_kpi_unique_code")]
        indexes = [models.Index(fields=["tenant", "stage", "code"], name="process_kpi_stage_idx")]
        ordering = ["code", "id"]
        verbose_name = _("process KPI")
        verbose_name_plural = _("process KPIs")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcessKpiPoint(TenantOwned):
    """The value of a KPI for one bucket (`at`: the bucket's first day)."""

    kpi = models.ForeignKey(ProcessKpi, on_delete=models.CASCADE, related_name="points")
    at = models.DateField(_("period start"))
    value = models.DecimalField(_("value"), **VALUE_DIGITS)
    source = models.CharField(_("source"), max_length=10, choices=PointSource.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        # Serves the series read (a KPI's points in time order) and the upsert's conflict target.
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kpi", "at"], name="process_kpi_point_unique_at")
        ]
        ordering = ["kpi_id", "at"]
        verbose_name = _("process KPI point")
        verbose_name_plural = _("process KPI points")

    def __str__(self) -> str:
        return f"{self.kpi_id}@{self.at}: {self.value}"
