"""Appeals (申诉): within the confirmation window an employee appeals a released result with a reason and
evidence (scores, events, ratings they can read). The appeal goes to the manager's manager, then HR, each
with a deadline; every step is recorded and the decision may change the grade (a `GradeChange` with source
"appeal")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class AppealLevel(models.TextChoices):
    UPPER_MANAGER = "upper_manager", _("Manager's manager")
    HR = "hr", _("HR")


class AppealStatus(models.TextChoices):
    AT_UPPER_MANAGER = "at_upper_manager", _("With the manager's manager")
    AT_HR = "at_hr", _("With HR")
    DECIDED = "decided", _("Decided")


class Appeal(TenantOwned, LockVersioned):
    appraisal = models.OneToOneField("appraisal.Appraisal", on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("reason"))
    # What the employee cites ([{"kind": "score" | "event" | "rating", "id": …}]), only what they read.
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.AT_UPPER_MANAGER
    )
    # Frozen when raised: who answers at the first level (none: the appeal starts with HR).
    upper_manager = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level_deadline = models.DateTimeField(_("answer due"))
    outcome = models.TextField(_("outcome"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "level_deadline"], name="appeal_due_idx")]
        ordering = ["-created_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")


class AppealStepDecision(models.TextChoices):
    UPHOLD = "uphold", _("Result upheld")
    CHANGE = "change", _("Grade changed")
    ESCALATE = "escalate", _("Passed to HR")
    DEADLINE = "deadline", _("No answer by the deadline: passed on")


class AppealStep(TenantOwned):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(max_length=20, choices=AppealLevel.choices)
    decision = models.CharField(max_length=10, choices=AppealStepDecision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appeal_id", "decided_at", "id"]
