"""Use of results beyond pay: a development note per person (training, rotation, mentoring), which the next
cycle's goal setting shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class DevelopmentKind(models.TextChoices):
    TRAINING = "training", _("Training")
    ROTATION = "rotation", _("Rotation")
    MENTORING = "mentoring", _("Mentoring")
    OTHER = "other", _("Other")


class DevelopmentNote(TenantOwned, LockVersioned):
    appraisal = models.ForeignKey(
        "appraisal.Appraisal", on_delete=models.CASCADE, related_name="development_notes"
    )
    employee = models.ForeignKey("collab.Employee", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=DevelopmentKind.choices)
    text = models.TextField(_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "employee", "created_at"], name="development_note_person_idx")
        ]
        ordering = ["employee_id", "-created_at", "-id"]
        verbose_name = _("development note")
        verbose_name_plural = _("development notes")
