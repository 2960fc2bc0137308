"""Check-ins (绩效沟通): recurring one-to-one records between a manager and an employee on the goals —
progress, obstacles and agreed actions with owners and dates, visible to both; each side may keep a private
note that only its author reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class CheckIn(TenantOwned, LockVersioned):
    appraisal = models.ForeignKey("appraisal.Appraisal", on_delete=models.CASCADE, related_name="check_ins")
    held_on = models.DateField(_("held on"))
    progress = models.TextField(_("progress"), blank=True)
    obstacles = models.TextField(_("obstacles"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "appraisal", "held_on"], name="check_in_held_idx")]
        ordering = ["appraisal_id", "-held_on", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")


class CheckInGoal(TenantOwned):
    """What a check-in said about one personal goal."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="goal_notes")
    personal_goal = models.ForeignKey("appraisal.PersonalGoal", on_delete=models.CASCADE, related_name="+")
    progress = models.TextField(_("progress"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "check_in", "personal_goal"], name="check_in_goal_unique"
            ),
        ]
        ordering = ["check_in_id", "id"]


class CheckInAction(TenantOwned, LockVersioned):
    """An agreed action: what, who owns it, by when, and whether it is done."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        "collab.Employee", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "owner", "due_on"], name="check_in_action_owner_idx")]
        ordering = ["check_in_id", "due_on", "id"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")


class CheckInPrivateNote(TenantOwned):
    """A note only its author reads (the manager's or the employee's own)."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("private note"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "check_in", "author"], name="check_in_note_unique"),
        ]
        ordering = ["check_in_id", "id"]
