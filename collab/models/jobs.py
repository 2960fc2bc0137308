"""`Job`: the platform's record of every long task (kind, tenant, progress, result, error, heartbeat).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantOwned


class Job(TenantOwned):
    """Background work a page can poll (progress 0–100) and the API can point to (202 + job URL).

    A platform model: every long task of every app (score recomputes now; imports and exports next) records
    itself here, run through `collab.jobs`."""

    class Kind(models.TextChoices):
        SCORE_RECOMPUTE = "score_recompute", _("Score recompute")  # interlock
        EVENT_LOG_IMPORT = "event_log_import", _("Event log import")  # alerts

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")  # nothing to do: e.g. its period closed before it ran
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # What the job is about ("period:12"): one queued job per (tenant, kind, key), so triggers coalesce.
    key = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # The message for the reader: `message_code` (registered with `collab.jobs.job_messages_register`) and
    # `message_params` render it in the reader's language (`collab.jobs.job_message`); `message` keeps the
    # text as written (the worker's language), shown when there is no code (e.g. an exception's text).
    message = models.TextField(_("message"), blank=True)
    message_code = models.CharField(max_length=60, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the finished job produced (a summary for the reader and the API), and, when it failed, why.
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Liveness (collab.jobs): the running attempt refreshes `heartbeat` every few seconds; a job whose
    # heartbeat stopped is requeued by the beat task `collab.requeue_stale_jobs`; the next claim resumes it.
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    # The running attempt's token: only it refreshes the heartbeat; blank while no attempt holds the job.
    lease = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_range"),
            models.UniqueConstraint(
                fields=["tenant", "kind", "key"], condition=Q(status="queued"), name="job_one_queued_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "kind", "status"], name="job_kind_status_idx"),
            models.Index(fields=["status", "heartbeat"], name="job_status_heartbeat_idx"),
            models.Index(fields=["tenant", "created_at", "id"], name="job_created_idx"),  # the jobs list
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.status}"
