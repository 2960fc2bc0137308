"""Uploading an event log, mapping its columns, starting its import, deleting it.

An upload keeps the file (gzip-compressed, in the database) and, for CSV and Excel, its headers, so the
mapping form can offer them; a guessed mapping is prefilled from common header names (BPI exports',
English and Chinese). Starting the import checks the mapping against the headers and queues a `Job`
(`alerts.services.event_log_import` runs it). XES needs no mapping: it starts at once.
"""

from __future__ import annotations

import gzip
import io
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.models import EventLog, EventLogFile, EventLogStatus, LogFormat, Process
from collab.audit import audit_record
from collab.concurrency import UNSET
from collab.models import Job
from collab.routing.ids import coerce_id
from collab.tenancy import current_tenant
from collab.text import clean_text

MAX_FILE_BYTES = 200 * 1024 * 1024
MAPPED_FIELDS = ("case", "activity", "timestamp", "start_timestamp", "unit", "resource", "lifecycle")
REQUIRED_FIELDS = ("case", "activity", "timestamp")
# Header names (lower case) each field is guessed from, in order of preference.
GUESSES = {
    "case": ("case:concept:name", "case id", "case_id", "caseid", "case", "案例", "案件", "单号", "case:id"),
    "activity": ("concept:name", "activity", "activity name", "活动", "环节", "步骤", "event"),
    "timestamp": ("time:timestamp", "complete timestamp", "end timestamp", "timestamp", "时间", "完成时间",
                  "end time", "time"),
    "start_timestamp": ("start_timestamp", "start timestamp", "start time", "开始时间"),
    "unit": ("org:group", "unit", "department", "部门", "单位", "group"),
    "resource": ("org:resource", "resource", "user", "执行人", "处理人"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition"),
}  # fmt: skip
ENCODINGS = ("utf-8-sig", "gb18030")  # what Excel in China saves a CSV as, after UTF-8


def format_of(file_name: str) -> str | None:
    name = file_name.lower().removesuffix(".gz")
    if name.endswith((".csv", ".txt")):
        return LogFormat.CSV
    if name.endswith((".xlsx", ".xlsm")):
        return LogFormat.EXCEL
    if name.endswith(".xes"):
        return LogFormat.XES
    return None


def csv_encoding(data: bytes) -> str:
    """The first of `ENCODINGS` that reads the file's first 64 kB (a cut multi-byte character at the end is
    forgiven)."""
    head = data[: 64 * 1024]
    for encoding in ENCODINGS:
        try:
            head.decode(encoding)
        except UnicodeDecodeError as failure:
            if failure.start < len(head) - 4:
                continue
        return encoding
    return ENCODINGS[0]


def _headers(data: bytes, file_format: str, encoding: str) -> list[str]:
    try:
        if file_format == LogFormat.CSV:
            frame = pd.read_csv(io.BytesIO(data), nrows=0, encoding=encoding, compression="infer")
        else:
            frame = pd.read_excel(io.BytesIO(data), nrows=0, engine="openpyxl")
    except Exception as failure:  # pandas, openpyxl and zipfile raise many kinds for what is not a table
        message = _("The file cannot be read as %(format)s: %(error)s")
        params = {"format": LogFormat(file_format).label, "error": failure}
        raise ValidationError({"file": message % params}) from None
    headers = [str(header).strip() for header in frame.columns]
    if not headers or all(not header for header in headers):
        raise ValidationError({"file": _("The file has no header row.")})
    return headers


def guess_mapping(headers: list[str]) -> dict[str, str]:
    by_lower = {header.lower(): header for header in headers}
    guessed: dict[str, str] = {}
    for field, names in GUESSES.items():
        for name in names:
            header = by_lower.get(name)
            if header and header not in guessed.values():
                guessed[field] = header
                break
    return guessed


def _process_in_scope(process) -> Process | None:
    if process in (None, ""):
        return None
    found = Process.objects.filter(pk=coerce_id(process, Process)).first()
    if found is None:
        message = _("Select a valid choice. That choice is not one of the available choices.")
        raise ValidationError({"process": message})
    return found


@transaction.atomic
def event_log_upload(
    *, actor, name: str, file_name: str, data: bytes, process=None, naive_zone: str | None = None
) -> EventLog:
    """Keep an uploaded log. CSV and Excel wait for their mapping (guessed from the headers); XES is queued
    for import at once."""
    errors: dict[str, list[str]] = {}
    try:
        name = clean_text(name or file_name, 200)
    except ValueError as invalid:
        errors["name"] = [str(invalid)]
    file_format = format_of(file_name)
    if file_format is None:
        errors["file"] = [_("Upload a CSV, Excel (.xlsx) or XES file.")]
    elif not data:
        errors["file"] = [_("The file is empty.")]
    elif len(data) > MAX_FILE_BYTES:
        errors["file"] = [_("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_BYTES // 2**20}]
    if errors:
        raise ValidationError(errors)
    found_process = _process_in_scope(process)
    zone = _zone(naive_zone)
    if file_name.lower().endswith(".gz") and file_format != LogFormat.XES:
        data = _gunzipped(data)
    encoding = csv_encoding(data) if file_format == LogFormat.CSV else ""
    headers = [] if file_format == LogFormat.XES else _headers(data, file_format, encoding)
    log = EventLog.objects.create(
        name=name, process=found_process, file_name=file_name[:255], file_format=file_format,
        file_size=len(data), headers=headers, naive_zone=zone,
        mapping={"columns": guess_mapping(headers), "encoding": encoding} if headers else {},
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    compressed = data if data[:2] == b"\x1f\x8b" else gzip.compress(data, 6)
    EventLogFile.objects.create(event_log=log, data=compressed)
    kept = {"name": log.name, "file": log.file_name, "format": log.file_format, "size": log.file_size}
    audit_record(actor=actor, action=AlertsAuditAction.EVENT_LOG_UPLOAD, obj=log, after=kept)
    if file_format == LogFormat.XES:
        _queue_import(log, actor)
    return log


def _gunzipped(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        raise ValidationError({"file": _("The file is not a readable gzip file.")}) from None


def _zone(name: str | None) -> str:
    """The zone naive timestamps are read in: the one given, else the tenant's."""
    if not name:
        return current_tenant().timezone or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"naive_zone": _("Unknown time zone %(zone)s.") % {"zone": name}}) from None
    return name


@transaction.atomic
def event_log_map(*, actor, event_log: EventLog, columns: dict[str, Any], process=UNSET) -> EventLog:
    """Set the column mapping of a CSV or Excel log waiting for it, and queue its import."""
    log = EventLog.objects.select_for_update().get(pk=event_log.pk)
    if log.status != EventLogStatus.MAPPING:
        raise ValidationError(_("This log is not waiting for a column mapping."))
    errors: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    for field in MAPPED_FIELDS:
        header = (columns.get(field) or "").strip() if isinstance(columns.get(field) or "", str) else None
        if header is None:
            errors[field] = [_("Select one of the file's columns.")]
        elif not header:
            if field in REQUIRED_FIELDS:
                errors[field] = [_("This field is required.")]
        elif header not in log.headers:
            errors[field] = [_("The file has no column %(header)s.") % {"header": header}]
        else:
            chosen[field] = header
    repeated = {header for header in chosen.values() if list(chosen.values()).count(header) > 1}
    for field, header in chosen.items():
        if header in repeated:
            errors.setdefault(field, []).append(_("Each column can be mapped to one field only."))
    if process is not UNSET:
        try:
            log.process = _process_in_scope(process)
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    log.mapping = {**log.mapping, "columns": chosen}
    log.save(update_fields=["mapping", "process"])
    audit_record(actor=actor, action=AlertsAuditAction.EVENT_LOG_MAP, obj=log, after={"columns": chosen})
    _queue_import(log, actor)
    return log


def _queue_import(log: EventLog, actor) -> None:
    from alerts.tasks import event_log_import_task

    job = Job.objects.create(
        kind=Job.Kind.EVENT_LOG_IMPORT, key=f"event_log:{log.pk}", params={"event_log": log.pk},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    log.status, log.job = EventLogStatus.IMPORTING, job
    log.save(update_fields=["status", "job"])
    tenant_id, job_id, log_id = log.tenant_id, job.pk, log.pk
    transaction.on_commit(lambda: event_log_import_task.delay(tenant_id, job_id, log_id))


@transaction.atomic
def event_log_delete(*, actor, event_log: EventLog) -> None:
    """Delete a log with its file and cases (a running import finds it gone and stops)."""
    pk, name = event_log.pk, event_log.name
    EventLog.objects.filter(pk=pk).delete()
    audit_record(actor=actor, action=AlertsAuditAction.EVENT_LOG_DELETE, object_type="alerts.eventlog",
                 object_id=pk, object_repr=name, before={"name": name})  # fmt: skip
