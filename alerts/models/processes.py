"""End-to-end processes and their stages (issue 12 §1; seed 002 §二).

Problems build up at the seams between departments, so a process is drawn as its ordered stages, each a
marked collaboration node: the unit that owns it, the units that work with it, what comes in and what goes
out (each with its standard), who decides what, the time it may take and the role a late stage escalates
to. A process has an owner unit (and, optionally, one person who owns it). The stages are edited as a whole
ordered list with their process (`alerts.services.processes`), so `order` is always 1..n.

A stage's time limit is a number of working hours or working days; the tenant's business calendar that
measures it comes with the alerts (issue 12 §3)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class ProcessKind(models.TextChoices):
    LEAD_TO_CASH = "lead_to_cash", _("Lead to cash")
    ORDER_TO_CASH = "order_to_cash", _("Order to cash")
    PROCURE_TO_PAY = "procure_to_pay", _("Procure to pay")
    HIRE_TO_ONBOARD = "hire_to_onboard", _("Hire to onboard")
    DEMAND_TO_DELIVERY = "demand_to_delivery", _("Demand to delivery")
    CUSTOM = "custom", _("Custom")


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


class Process(TenantOwned, LockVersioned):
    """One end-to-end process (lead to cash, procure to pay …) with its owner."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProcessKind.choices, default=ProcessKind.CUSTOM)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("process owner"),
    )  # fmt: skip
    owner_unit = models.ForeignKey(
        "collab.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive process is kept on record and not monitored.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="process_unique_name")]
        ordering = ["name", "id"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return self.name


class ProcessStage(TenantOwned):
    """One stage of a process, in `order` (1, 2, …)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    owner_unit = models.ForeignKey(
        "collab.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    collaborating_units = models.ManyToManyField(
        "collab.OrgUnit", blank=True, through="ProcessStageUnit", related_name="+",
        verbose_name=_("collaborating units"),
    )  # fmt: skip
    inputs = models.TextField(_("inputs and their standard"), blank=True)
    outputs = models.TextField(_("outputs and their standard"), blank=True)
    decision_rights = models.TextField(_("decision rights"), blank=True)
    time_limit = models.PositiveIntegerField(_("time limit"), validators=[MinValueValidator(1)])
    time_unit = models.CharField(
        _("time unit"), max_length=15, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    escalation_role = models.CharField(_("escalation role"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "process", "order"], name="process_stage_unique_order"),
            models.CheckConstraint(condition=models.Q(time_limit__gte=1), name="process_stage_time_limit"),
        ]
        ordering = ["process_id", "order"]
        verbose_name = _("process stage")
        verbose_name_plural = _("process stages")

    def __str__(self) -> str:
        return self.name


class ProcessStageUnit(TenantOwned):
    """A unit that collaborates in a stage (a tenant-owned row, so row-level security and the same-tenant
    check cover the link too)."""

    stage = models.ForeignKey(ProcessStage, on_delete=models.CASCADE, related_name="unit_links")
    org_unit = models.ForeignKey(
        "collab.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "stage", "org_unit"], name="process_stage_unit_unique"),
        ]
        verbose_name = _("collaborating unit")
        verbose_name_plural = _("collaborating units")
