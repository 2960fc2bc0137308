"""Running an event log's import (a `Job` of kind event_log_import): read, mine, keep what was found.

Idempotent: a rerun (a retry, a resumed job whose worker died) replaces the cases it wrote. A file with bad
rows fails the import with the rows listed (all-or-nothing: nothing of it is kept but the errors); the file
is dropped once read, either way. Transient errors (the database, the broker) propagate for the task to retry.

Conformance needs the designed order: the log's process's stages, matched to activities by name (case and
surrounding spaces ignored). A log without a process, or whose activities name no stage, has no conformance.
"""

from __future__ import annotations

import gzip
import io
import math
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from alerts.engine.eventlog.frame import ACTIVITY, TIMESTAMP, ColumnMapping, EventLogError
from alerts.engine.eventlog.readers import read_csv, read_excel, read_xes
from alerts.engine.mining.paths import directly_follows, handovers, rework, variants
from alerts.engine.mining.times import case_durations, conformance, service_and_waiting
from alerts.models import EventLog, EventLogCase, EventLogFile, EventLogStatus, LogFormat
from collab.jobs import job_claim, job_finish, job_heartbeat, job_progress_reporter, job_release
from collab.models import Job

KIND = Job.Kind.EVENT_LOG_IMPORT
JOB_MESSAGES = {
    "event_log_done": _("%(events)s events in %(cases)s cases imported."),
    "event_log_errors": _("%(total)s rows could not be read; nothing was imported."),
    "event_log_gone": _("The event log was deleted before its import ran."),
    "event_log_read": _("The event log was imported already."),
}
# How much of each analysis the log keeps for its pages and the API (the cases behind a variant are read
# from `EventLogCase`).
TOP_EDGES, TOP_VARIANTS, TOP_HANDOVERS, TOP_OUTSIDE = 300, 50, 200, 100
CASE_BATCH = 5000
# Rough bytes per event, to turn "rows read" into a percentage before the total is known.
BYTES_PER_EVENT = {LogFormat.CSV: 90, LogFormat.EXCEL: 40, LogFormat.XES: 450}


def event_log_import_run(*, job_id: int, event_log_id: int, final_attempt: bool = True) -> dict[str, Any]:
    job = job_claim(job_id, kind=KIND)
    if job is None:
        return {"job": job_id, "status": "skipped"}
    log = EventLog.objects.filter(pk=event_log_id).first()
    stored = EventLogFile.objects.filter(event_log_id=event_log_id).first()
    if log is None or stored is None:  # deleted, or read already by an attempt that finished its work
        job_finish(job, status=Job.Status.SKIPPED, code="event_log_gone" if log is None else "event_log_read")
        return {"job": job.pk, "status": Job.Status.SKIPPED}
    try:
        with job_heartbeat(job) as heartbeat:
            report = job_progress_reporter(job.pk, heartbeat)
            events = _read(log, bytes(stored.data), report)
            report(65)
            analysis, cases = analyse(events, _designed_stages(log))
            report(85)
            store_imported(log, events, analysis, cases)
    except EventLogError as invalid:
        _fail(log, invalid)
        job_finish(job, status=Job.Status.FAILED, code="event_log_errors", params={"total": invalid.total},
                   error=str(invalid))  # fmt: skip
        return {"job": job.pk, "status": Job.Status.FAILED}
    except Exception as error:
        from collab.tasks import TRANSIENT_ERRORS

        if isinstance(error, TRANSIENT_ERRORS) and not final_attempt:
            job_release(job)
            raise
        EventLog.objects.filter(pk=log.pk).update(status=EventLogStatus.FAILED)
        message = str(error) or type(error).__name__
        job_finish(job, status=Job.Status.FAILED, message=message, error=repr(error))
        raise
    summary = {"event_log": log.pk, "events": int(len(events)), "cases": analysis["summary"]["cases"]}
    job_finish(job, status=Job.Status.DONE, code="event_log_done", params=summary, result=summary)
    return {"job": job.pk, "status": Job.Status.DONE, **summary}


def event_log_import_resume(job: Job) -> None:
    """Send a stale import's message again (its worker died); the next claim takes the job over."""
    from alerts.tasks import event_log_import_task

    event_log_import_task.delay(job.tenant_id, job.pk, int((job.params or {})["event_log"]))


def _read(log: EventLog, data: bytes, report) -> pd.DataFrame:
    estimate = max(1, log.file_size // BYTES_PER_EVENT[log.file_format])

    def progress(read: int) -> None:
        report(5 + min(55, int(55 * read / estimate)))

    if log.file_format == LogFormat.XES:
        return read_xes(io.BytesIO(data), naive_zone=log.naive_zone, progress=progress)
    mapping = ColumnMapping(**log.mapping["columns"])
    if log.file_format == LogFormat.EXCEL:
        workbook = io.BytesIO(gzip.decompress(data))
        return read_excel(workbook, mapping, naive_zone=log.naive_zone, progress=progress)
    stream = gzip.GzipFile(fileobj=io.BytesIO(data))
    return read_csv(stream, mapping, encoding=log.mapping.get("encoding") or "utf-8-sig",
                    naive_zone=log.naive_zone, progress=progress)  # fmt: skip


def _designed_stages(log: EventLog) -> list[str]:
    if log.process_id is None:
        return []
    return list(log.process.stages.order_by("order").values_list("name", flat=True))


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, 3)


def _rows(frame: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    """A frame's rows as JSON-able dicts (NaN → None, numpy scalars → Python)."""
    rows = []
    for record in frame.head(limit).to_dict("records") if limit else frame.to_dict("records"):
        rows.append({key: _plain(value) for key, value in record.items()})
    return rows


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, tuple):
        return [str(item) for item in value]
    if value is None or value is pd.NA:
        return None
    return str(value) if not isinstance(value, (int, bool, str)) else value


def analyse(events: pd.DataFrame, stages: list[str]) -> tuple[dict[str, Any], pd.DataFrame]:
    """What the log's pages show (JSON-able) and one row per case (for `EventLogCase`)."""
    graph = directly_follows(events)
    found_variants = variants(events)
    found_rework = rework(events)
    timing = service_and_waiting(events)
    cases = case_durations(events)
    cases["variant"] = found_variants.case_variant.reindex(cases["case"]).to_numpy()
    activities = [str(name) for name in events[ACTIVITY].cat.categories]
    stage_of = _stage_of(activities, stages)
    checked = None
    if stage_of:
        checked = conformance(events, stages, stage_of)
        per_case = checked.cases.set_index("case")
        cases["fitness"] = per_case["fitness"].reindex(cases["case"]).to_numpy()
        cases["follows_design"] = per_case["follows_design"].reindex(cases["case"]).to_numpy()
    analysis = {
        "summary": {
            "events": int(len(events)), "cases": int(len(cases)), "activities": len(activities),
            "variants": int(len(found_variants.variants)), "ignored": events.attrs.get("ignored", {}),
            "timed_share": _number(timing.timed_share), "rework_share": _number(found_rework.share),
        },
        "edges": _rows(graph.edges, TOP_EDGES), "edge_total": int(len(graph.edges)),
        "start_activities": {str(k): int(v) for k, v in graph.start_activities.items()},
        "end_activities": {str(k): int(v) for k, v in graph.end_activities.items()},
        "variants": _rows(found_variants.variants, TOP_VARIANTS),
        "rework": _rows(found_rework.activities),
        "handovers": _rows(handovers(events), TOP_HANDOVERS),
        "service_waiting": _rows(timing.activities),
        "conformance": None if checked is None else {
            "stages": stages, "matched": sorted(stage_of), "follows_share": _number(checked.follows_share),
            "mean_fitness": _number(checked.mean_fitness), "outside": _rows(checked.outside, TOP_OUTSIDE),
        },
    }  # fmt: skip
    return analysis, cases


def _stage_of(activities: list[str], stages: list[str]) -> dict[str, str]:
    by_name = {stage.strip().lower(): stage for stage in stages}
    return {activity: by_name[activity.strip().lower()] for activity in activities
            if activity.strip().lower() in by_name}  # fmt: skip


@transaction.atomic
def store_imported(log: EventLog, events: pd.DataFrame, analysis: dict[str, Any], cases: pd.DataFrame):
    EventLogCase.objects.filter(event_log=log).delete()
    has_conformance = "fitness" in cases
    rows = (
        EventLogCase(
            event_log=log, case=str(row.case)[:200], events=int(row.events),
            started=row.started.to_pydatetime(), ended=row.ended.to_pydatetime(),
            duration_seconds=float(row.duration_seconds),
            first_activity=str(row.first_activity)[:200], last_activity=str(row.last_activity)[:200],
            last_unit="" if pd.isna(row.last_unit) else str(row.last_unit)[:200], variant=int(row.variant),
            fitness=_number(row.fitness) if has_conformance else None,
            follows_design=bool(row.follows_design) if has_conformance else None,
        )
        for row in cases.itertuples(index=False)
    )  # fmt: skip
    batch: list[EventLogCase] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CASE_BATCH:
            EventLogCase.objects.bulk_create(batch)
            batch = []
    EventLogCase.objects.bulk_create(batch)
    EventLog.objects.filter(pk=log.pk).update(
        status=EventLogStatus.READY, events=len(events), cases=len(cases),
        activities=analysis["summary"]["activities"], first_at=events[TIMESTAMP].min().to_pydatetime(),
        last_at=events[TIMESTAMP].max().to_pydatetime(), analysis=analysis, errors=[], error_total=0,
    )  # fmt: skip
    EventLogFile.objects.filter(event_log=log).delete()


def _fail(log: EventLog, invalid: EventLogError) -> None:
    errors = [{"row": e.row, "field": e.field, "message": e.message} for e in invalid.errors]
    with transaction.atomic():
        EventLog.objects.filter(pk=log.pk).update(status=EventLogStatus.FAILED, errors=errors,
                                                  error_total=invalid.total)  # fmt: skip
        EventLogFile.objects.filter(event_log=log).delete()
