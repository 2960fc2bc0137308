"""Calibration (校准): sessions per unit or level group compare the proposed grades with the tenant's
distribution guideline and change grades with a reason. Every change of a grade after the manager's
assessment — in a session or on appeal — is a `GradeChange` (before → after, reason code, who, when), and the
appraisal's `final_source` says which step the result came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class CalibrationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CalibrationSession(TenantOwned, LockVersioned):
    """One session of a cycle: the appraisals of a unit (with its sub-units) or of a group of levels."""

    cycle = models.ForeignKey(
        "appraisal.AppraisalCycle", on_delete=models.CASCADE, related_name="calibrations"
    )
    name = models.CharField(_("name"), max_length=200)
    org_unit = models.ForeignKey(
        "collab.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    levels = models.JSONField(_("levels"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CalibrationStatus.choices, default=CalibrationStatus.OPEN
    )
    # Whether the closing was outside the guideline (allowed in "warn" mode, with this note).
    guideline_note = models.TextField(_("note on the guideline"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cycle", "name"], name="calibration_unique_name"),
        ]
        ordering = ["cycle_id", "name", "id"]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")

    def __str__(self) -> str:
        return self.name


class CalibrationMember(TenantOwned):
    """Who takes part in a session (only they, HR and auditors read it) and, on closing, who attended."""

    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "session", "user"], name="calibration_member_unique"),
        ]
        ordering = ["session_id", "id"]


class GradeSource(models.TextChoices):
    ASSESSMENT = "assessment", _("Manager assessment")
    CALIBRATION = "calibration", _("Calibration")
    APPEAL = "appeal", _("Appeal")


class GradeChangeReason(models.TextChoices):
    DISTRIBUTION = "distribution", _("Distribution guideline")
    CONSISTENCY = "consistency", _("Consistency across units")
    EVIDENCE = "evidence", _("New or overlooked evidence")
    CORRECTION = "correction", _("Correction of an error")
    OTHER = "other", _("Other")


class GradeChange(TenantOwned):
    """A grade changed after the manager's assessment: before → after, why, by whom, in which step."""

    appraisal = models.ForeignKey(
        "appraisal.Appraisal", on_delete=models.CASCADE, related_name="grade_changes"
    )
    source = models.CharField(max_length=12, choices=GradeSource.choices)
    session = models.ForeignKey(
        CalibrationSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="grade_changes"
    )
    appeal = models.ForeignKey(
        "appraisal.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="grade_changes"
    )
    before = models.ForeignKey("appraisal.Grade", null=True, on_delete=models.PROTECT, related_name="+")
    after = models.ForeignKey("appraisal.Grade", on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(_("reason code"), max_length=20, choices=GradeChangeReason.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appraisal_id", "changed_at", "id"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
