"""Bonus and penalty points (协同加减分, seed 000 §三.2.1; DESIGN.md §5–6).

- `PointItem`: HR's catalog of items (+2 proactive support in a key project, −3 repeated refusal …), each
  for some management levels and job families (empty = every one) — matched against the subject
  employee's `Position.level` / `Position.job_family`.
- `PointSettings`: per tenant, the cap of absolute points a proposer may propose per period, by proposer
  role, and whether a second approval level is required. `PointProjectLead`: the people HR names project
  leads (a project lead may propose points for anyone in the tenant, within the project leads' cap).
- `PointProposal`: a proposal by a line manager or a project lead, with a reason and evidence: an
  attachment (`PointEvidence`), a link and/or events cited from the collaboration event log
  (`evidence_events`, through `PointProposalEvent`: a tenant-owned row, so row-level security and the
  same-tenant check cover the link too).
- `PointLedgerEntry`: what a final approval (or an HR correction) writes. Immutable: `save` refuses an
  update, `delete` refuses, the manager's `update`/`delete` refuse; a correction is a new entry that
  `corrects` another. The subject's unit and position, the item and its name, the signed points, the
  period and its year are frozen on the entry when it is written.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantManager, TenantOwned

POINTS_DIGITS = {"max_digits": 6, "decimal_places": 2}
DEFAULT_MANAGER_CAP = Decimal(10)
DEFAULT_PROJECT_LEAD_CAP = Decimal(6)


class ProposerRole(models.TextChoices):
    LINE_MANAGER = "line_manager", _("Line manager")
    PROJECT_LEAD = "project_lead", _("Project lead")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    AWAITING_SECOND = "awaiting_second", _("Awaiting second approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (ProposalStatus.PENDING, ProposalStatus.AWAITING_SECOND)


class PointItem(TenantOwned, LockVersioned):
    """One kind of behaviour and its signed points, for some management levels and job families."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    points = models.DecimalField(_("points"), **POINTS_DIGITS)
    levels = models.JSONField(_("management levels"), default=list, blank=True)
    job_families = models.JSONField(_("job families"), default=list, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive item is kept on record and cannot be proposed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="point_item_unique_name"),
            models.CheckConstraint(condition=~Q(points=0), name="point_item_points_not_zero"),
        ]
        ordering = ["name", "id"]
        verbose_name = _("point item")
        verbose_name_plural = _("point items")

    def __str__(self) -> str:
        return self.name

    def applies_to(self, position) -> bool:
        """Whether the item may be given to someone in `position` (None: no position, so no level/family)."""
        level = getattr(position, "level", "") or ""
        family = getattr(position, "job_family", "") or ""
        return (not self.levels or level in self.levels) and (
            not self.job_families or family in self.job_families
        )


class PointSettings(TenantOwned, LockVersioned):
    """The tenant's point rules HR edits (one row a tenant, created on first read)."""

    manager_cap = models.DecimalField(
        _("line managers' cap per period"), default=DEFAULT_MANAGER_CAP, **POINTS_DIGITS,
        help_text=_("The most absolute points one line manager may propose in one period."),
    )  # fmt: skip
    project_lead_cap = models.DecimalField(
        _("project leads' cap per period"), default=DEFAULT_PROJECT_LEAD_CAP, **POINTS_DIGITS,
        help_text=_("The most absolute points one project lead may propose in one period."),
    )  # fmt: skip
    second_approval = models.BooleanField(
        _("second approval level"), default=False,
        help_text=_("A first approval passes the proposal to someone above the first approver."),
    )  # fmt: skip

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="point_settings_one_per_tenant")]
        verbose_name = _("point settings")
        verbose_name_plural = _("point settings")

    def cap_of(self, role: str) -> Decimal:
        return self.project_lead_cap if role == ProposerRole.PROJECT_LEAD else self.manager_cap


class PointProjectLead(TenantOwned):
    """Someone HR names a project lead: they may propose points as one (the org chart knows no projects)."""

    employee = models.ForeignKey(
        "collab.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    project = models.CharField(_("project"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "employee", "project"], name="point_lead_unique"),
        ]
        ordering = ["project", "id"]
        verbose_name = _("project lead")
        verbose_name_plural = _("project leads")

    def __str__(self) -> str:
        return f"{self.project}: {self.employee_id}"


class PointProposal(TenantOwned, LockVersioned):
    """A proposal of an item's points for an employee or a unit in a period, on its way to the ledger."""

    subject_employee = models.ForeignKey(
        "collab.Employee", verbose_name=_("employee"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    subject_unit = models.ForeignKey(
        "collab.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    item = models.ForeignKey(PointItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), **POINTS_DIGITS)  # the item's when proposed
    period = models.ForeignKey(
        "collab.Period", verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_events = models.ManyToManyField(
        "feedback.CollaborationEvent", verbose_name=_("evidence events"), through="PointProposalEvent",
        blank=True, related_name="+",
    )  # fmt: skip
    proposer = models.ForeignKey(
        "collab.Employee", verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="+"
    )
    proposer_role = models.CharField(_("proposer's role"), max_length=20, choices=ProposerRole.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    first_approver = models.ForeignKey(
        "collab.Employee", verbose_name=_("first approver"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    first_approved_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "collab.Employee", verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_employee__isnull=True, subject_unit__isnull=False)
                | Q(subject_employee__isnull=False, subject_unit__isnull=True),
                name="point_proposal_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "created_at", "id"], name="point_proposal_status_idx"),
            models.Index(fields=["tenant", "proposer", "period"], name="point_proposal_cap_idx"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("point proposal")
        verbose_name_plural = _("point proposals")

    def __str__(self) -> str:
        return f"{self.item_id} {self.points:+}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PointProposalEvent(TenantOwned):
    """A collaboration event a proposal cites as evidence."""

    proposal = models.ForeignKey(PointProposal, on_delete=models.CASCADE, related_name="event_citations")
    event = models.ForeignKey(
        "feedback.CollaborationEvent", verbose_name=_("event"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "proposal", "event"], name="point_proposal_event_unique"
            ),
        ]
        verbose_name = _("cited event")
        verbose_name_plural = _("cited events")


class PointEvidence(TenantOwned):
    """A proposal's attachment, kept in the database (tenant-owned, so row-level security guards it too)."""

    proposal = models.OneToOneField(PointProposal, on_delete=models.CASCADE, related_name="evidence_file")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class LedgerImmutable(ValidationError):
    pass


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable(_("Ledger entries cannot be changed; record a correction instead."))

    def delete(self):
        raise LedgerImmutable(_("Ledger entries cannot be deleted; record a correction instead."))


class LedgerManager(TenantManager.from_queryset(LedgerQuerySet)):
    pass


class PointLedgerEntry(TenantOwned):
    """An approved point, or a correction of one: written once, never changed."""

    proposal = models.OneToOneField(
        PointProposal, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="corrections",
    )  # fmt: skip
    employee = models.ForeignKey(
        "collab.Employee", verbose_name=_("employee"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    org_unit = models.ForeignKey(
        "collab.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        "collab.Position", verbose_name=_("position"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    item = models.ForeignKey(
        PointItem, verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_name = models.CharField(_("item"), max_length=200)
    points = models.DecimalField(_("points"), **POINTS_DIGITS)
    period = models.ForeignKey(
        "collab.Period", verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerManager()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="point_ledger_points_not_zero")]
        indexes = [
            models.Index(fields=["tenant", "year", "employee"], name="point_ledger_year_emp_idx"),
            models.Index(fields=["tenant", "year", "org_unit"], name="point_ledger_year_unit_idx"),
            models.Index(fields=["tenant", "period", "org_unit"], name="point_ledger_period_idx"),
            models.Index(fields=["tenant", "created_at", "id"], name="point_ledger_list_idx"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.item_name} {self.points:+}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerImmutable(_("Ledger entries cannot be changed; record a correction instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(_("Ledger entries cannot be deleted; record a correction instead."))
