"""Event logs for process mining (issue 12 §6).

An `EventLog` is one uploaded file — CSV or Excel with a column mapping, or XES — and what mining found in it.
The file itself is kept in the database (`EventLogFile`, tenant-owned, so row-level security guards it as
every other row), gzip-compressed, until the import has read it: an import runs as a platform `Job`, which
a worker on another machine (no shared disk) must be able to resume. The import reads the file with
`alerts.engine.eventlog`, analyses it with `alerts.engine.mining`, and stores the results: the summary and
the analyses as JSON on the log (`analysis`), and one `EventLogCase` row per case (its duration, variant,
conformance), which the risk model reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.processes import Process
from collab.tenancy import TenantOwned


class LogFormat(models.TextChoices):
    CSV = "csv", "CSV"
    EXCEL = "excel", "Excel"
    XES = "xes", "XES"


class EventLogStatus(models.TextChoices):
    MAPPING = "mapping", _("waiting for the column mapping")
    IMPORTING = "importing", _("importing")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class EventLog(TenantOwned):
    name = models.CharField(_("name"), max_length=200)
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_logs",
        verbose_name=_("process"),
        help_text=_("Its stages are the designed order the cases are checked against."),
    )  # fmt: skip
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=LogFormat.choices)
    file_size = models.PositiveBigIntegerField(_("file size"))
    # The file's column headers (CSV, Excel), for the mapping form; empty for XES.
    headers = models.JSONField(default=list, blank=True)
    # `alerts.engine.eventlog.frame.ColumnMapping`'s fields ({field: header}); empty for XES.
    mapping = models.JSONField(default=dict, blank=True)
    naive_zone = models.CharField(
        _("time zone of timestamps written without one"), max_length=64,
        help_text=_("Timestamps that carry their own offset keep it."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=EventLogStatus.choices, default=EventLogStatus.MAPPING
    )
    job = models.ForeignKey(
        "collab.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("job"),
    )  # fmt: skip
    events = models.PositiveIntegerField(_("events"), default=0)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    first_at = models.DateTimeField(_("first event"), null=True, blank=True)
    last_at = models.DateTimeField(_("last event"), null=True, blank=True)
    # The rows that made the import fail: [{row, field, message}], at most 100, and how many there were.
    errors = models.JSONField(default=list, blank=True)
    error_total = models.PositiveIntegerField(default=0)
    # What mining found (`alerts.services.event_log_import`): directly-follows edges, variants, rework,
    # hand-overs, service and waiting time, conformance; null until the import is done.
    analysis = models.JSONField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "created_at", "id"], name="event_log_created_idx")]
        ordering = ["-created_at", "-id"]
        verbose_name = _("event log")
        verbose_name_plural = _("event logs")

    def __str__(self) -> str:
        return self.name


class EventLogFile(TenantOwned):
    """The uploaded file, gzip-compressed, kept until the import has read it."""

    event_log = models.OneToOneField(EventLog, on_delete=models.CASCADE, related_name="file")
    data = models.BinaryField()

    class Meta:
        verbose_name = _("event log file")
        verbose_name_plural = _("event log files")


class EventLogCase(TenantOwned):
    """One case of an imported log: when it ran, how it went, and how well it followed the design."""

    event_log = models.ForeignKey(EventLog, on_delete=models.CASCADE, related_name="case_rows")
    case = models.CharField(_("case"), max_length=200)
    events = models.PositiveIntegerField(_("events"))
    started = models.DateTimeField(_("started"))
    ended = models.DateTimeField(_("ended"))
    duration_seconds = models.FloatField(_("duration (seconds)"))
    first_activity = models.CharField(_("first activity"), max_length=200)
    last_activity = models.CharField(_("last activity"), max_length=200)
    last_unit = models.CharField(_("last unit"), max_length=200, blank=True)
    variant = models.PositiveIntegerField(_("variant"))
    fitness = models.FloatField(_("fitness"), null=True, blank=True)  # null: the log has no designed stages
    follows_design = models.BooleanField(_("follows the design"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "event_log", "case"], name="event_log_case_unique")
        ]
        indexes = [
            models.Index(fields=["tenant", "event_log", "variant", "id"], name="event_log_case_variant_idx")
        ]
        ordering = ["event_log_id", "case"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.case
