"""Running a `Job`: claim it, beat while it runs, report progress, finish it; resume it when its worker died.

The area that queues a kind of job owns what it does; these helpers are the part every long task shares.
Progress moves queued (0) → running (5 at the claim) → done (100) | skipped (100) | failed, committed at
each step. A task that does its work inside one transaction cannot commit progress there (other
connections would not see it), so it reports its stages to the cache under the tenant's key instead, and
`job_progress()` reads whichever is further.

**Liveness and resume.** A claim takes a *lease* (a random token) and stamps `heartbeat`; while the task
runs, `job_heartbeat()` refreshes the stamp every `COLLAB_JOB_HEARTBEAT_SECONDS` from a thread with its own
database connection (committed at once, whatever transaction the task holds), and at a progress report when
the last beat is older than that.
A worker killed outright (kill -9 of the main process, a lost machine) stops beating. Its message stays
unacked in Redis until the broker's visibility timeout (settings: `CELERY_BROKER_TRANSPORT_OPTIONS`), so the
beat task `collab.requeue_stale_jobs` does not wait for that: every minute it lists jobs whose heartbeat is
older than `COLLAB_JOB_STALE_SECONDS` (queued jobs never claimed: `COLLAB_JOB_STALE_QUEUED_SECONDS`) and
per tenant `jobs_requeue_stale` releases the lease, marks the job resumed and sends its message again
(a resumer each kind registers with `register_job_resumer`).

**One attempt at a time.** `job_claim` refuses a job another attempt holds with a fresh heartbeat (a
duplicate delivery, e.g. the old message restored after the visibility timeout, or a second requeue) and
a finished one; it takes over a running job whose lease is released (a retry, a requeue) or whose
heartbeat is stale (its worker died). Claims lock the job row, so two deliveries never both run it.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from collab.models import Job
from collab.tenancy import all_tenants, current_tenant, tenant_cache_key, tenant_scope

logger = logging.getLogger(__name__)

PROGRESS_TTL = 3600
FINISHED = (Job.Status.DONE, Job.Status.SKIPPED, Job.Status.FAILED)
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)

_resumers: dict[str, Callable[[Job], None]] = {}


def heartbeat_seconds() -> float:
    return float(getattr(settings, "COLLAB_JOB_HEARTBEAT_SECONDS", 10))


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this has lost its worker."""
    return timedelta(seconds=float(getattr(settings, "COLLAB_JOB_STALE_SECONDS", 60)))


def stale_queued_after() -> timedelta:
    """A queued job nobody claimed for this long has lost its message (a broker flush, a failed send)."""
    return timedelta(seconds=float(getattr(settings, "COLLAB_JOB_STALE_QUEUED_SECONDS", 600)))


def _progress_key(job_id: int) -> str:
    return tenant_cache_key("job-progress", job_id)


def job_progress(job: Job) -> int:
    """What a poller shows: the committed progress, or the live stage of a running job when further."""
    if job.status != Job.Status.RUNNING:
        return int(job.progress)
    live = cache.get(_progress_key(job.pk))
    return max(int(job.progress), int(live or 0))


# ------------------------------------------------------------------------------------------- heartbeat


class Heartbeat:
    """Refreshes a running job's `heartbeat` every `interval` seconds (and on `touch()`) from its own thread
    and database connection, for as long as the attempt holds the job's lease."""

    def __init__(self, job: Job, *, interval: float | None = None):
        self.job_id = job.pk
        self.lease = job.lease
        self.tenant = current_tenant()
        self.interval = heartbeat_seconds() if interval is None else interval
        self._last = time.monotonic()  # the claim stamped the heartbeat
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job.pk}-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def touch(self) -> None:
        """Beat now (called with each progress report), unless the last beat is younger than the period."""
        if time.monotonic() - self._last >= self.interval:
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            with tenant_scope(self.tenant):
                while not self._stop.is_set():
                    self._wake.wait(self.interval)
                    self._wake.clear()
                    if self._stop.is_set():
                        break
                    self.beat()
        except Exception:  # noqa: BLE001 - a beat that cannot be written must not kill the task
            logger.exception("job %s: the heartbeat thread stopped", self.job_id)
        finally:
            connection.close()  # this thread's own connection

    def beat(self) -> bool:
        self._last = time.monotonic()
        try:
            return bool(
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING, lease=self.lease).update(
                    heartbeat=timezone.now()
                )
            )
        except Exception as error:  # noqa: BLE001 - e.g. SQLite locked by the task's own write: next time
            logger.warning("job %s: heartbeat not written (%s)", self.job_id, error)
            return False


@contextmanager
def job_heartbeat(job: Job, *, interval: float | None = None) -> Iterator[Heartbeat]:
    """Keep `job`'s heartbeat fresh while the block runs (see the module doc)."""
    heartbeat = Heartbeat(job, interval=interval).start()
    try:
        yield heartbeat
    finally:
        heartbeat.stop()


def job_progress_reporter(job_id: int, heartbeat: Heartbeat | None = None) -> Callable[[int], None]:
    """A `report(percent)` for the running job's stages, visible to pollers before its transaction commits;
    each report also refreshes the job's heartbeat."""

    def report(percent: int) -> None:
        cache.set(_progress_key(job_id), int(percent), PROGRESS_TTL)
        if heartbeat is not None:
            heartbeat.touch()

    return report


# ------------------------------------------------------------------------------------------- claim


def _is_stale(job: Job, now: datetime) -> bool:
    seen = job.heartbeat or job.started_at or job.created_at
    return seen is None or seen < now - stale_after()


def job_claim(job_id: int, *, kind: str) -> Job | None:
    """Take the job for this attempt (committed at once, so pollers see it running), or None when it is
    finished, or held by another attempt whose heartbeat is fresh (a duplicate delivery: nothing to do).

    A running job whose lease was released (a retry, a requeue by `jobs_requeue_stale`) or whose heartbeat
    stopped (its worker died) is taken over and run again: runs must be idempotent."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, kind=kind).first()
        if job is None or job.status in FINISHED:
            return None
        now = timezone.now()
        fields = ["status", "started_at", "progress", "heartbeat", "lease", "attempts"]
        if job.status == Job.Status.RUNNING and job.lease:
            if not _is_stale(job, now):
                return None
            job.resumed_at = now  # its worker stopped beating and no requeue released it yet
            fields.append("resumed_at")
        job.status = Job.Status.RUNNING
        job.started_at = job.started_at or now
        job.progress = max(int(job.progress), 5)
        job.heartbeat = now
        job.lease = uuid.uuid4().hex
        job.attempts = int(job.attempts) + 1
        job.save(update_fields=fields)
    return job


def job_release(job: Job) -> None:
    """Give the lease back (the task will be retried): the retry's claim takes the job at once."""
    Job.objects.filter(pk=job.pk, lease=job.lease).update(lease="")
    job.lease = ""


_job_messages: dict[str, str] = {}


def job_messages_register(messages: dict[str, str]) -> None:
    """{code: lazily translated text with %(name)s placeholders}: the messages an app's jobs end with. The
    area that owns a kind registers them from its `AppConfig.ready`."""
    _job_messages.update(messages)


def job_message_set(job: Job, code: str, params: dict | None = None) -> None:
    """Give `job` the registered message `code` with `params` (JSON values): the reader sees it in their
    language; `message` keeps the text in the current one. Does not save."""
    params = dict(params or {})
    job.message_code, job.message_params = code, params
    job.message = (str(_job_messages[code]) % params)[:2000]


def job_message(job: Job) -> str:
    """The job's message in the active language (the reader's); the stored text when it has no code (or a
    code no longer registered)."""
    template = _job_messages.get(job.message_code or "")
    if template is None:
        return job.message
    try:
        return str(template) % (job.message_params or {})
    except (KeyError, TypeError, ValueError):
        return job.message


def job_finish(
    job: Job,
    *,
    status: str,
    message: str = "",
    code: str = "",
    params: dict | None = None,
    result: dict | None = None,
    error: str = "",
) -> None:
    """End the job with `status` and a message for the reader — a registered `code` with `params` (shown
    in the reader's language) or, for text that has none (an exception's), `message` as it is; `result` is
    what it produced, `error` (for a failure) the technical cause."""
    job.status = status
    if code:
        job_message_set(job, code, params)
        message = job.message
    else:
        job.message, job.message_code, job.message_params = message[:2000], "", {}
    job.finished_at = timezone.now()
    if status in (Job.Status.DONE, Job.Status.SKIPPED):
        job.progress = 100
    if result is not None:
        job.result = result
    if error or status == Job.Status.FAILED:
        job.error = (error or message)[:4000]
    job.lease = ""
    job.save(
        update_fields=[
            "status", "message", "message_code", "message_params", "finished_at", "progress", "result",
            "error", "lease",
        ]
    )  # fmt: skip
    cache.delete(_progress_key(job.pk))


# ------------------------------------------------------------------------------------------- resume


def register_job_resumer(kind: str, resume: Callable[[Job], None]) -> None:
    """`resume(job)` sends the task message that runs `job` again (inside its tenant's scope, after the
    requeue commits). The area that owns a kind registers it from its `AppConfig.ready`."""
    _resumers[str(kind)] = resume


def _stale_filter(now: datetime, *, running_after: timedelta, queued_after: timedelta) -> Q:
    running_cutoff, queued_cutoff = now - running_after, now - queued_after
    running = Q(status=Job.Status.RUNNING) & (
        Q(heartbeat__lt=running_cutoff) | Q(heartbeat__isnull=True, started_at__lt=running_cutoff)
    )
    queued = Q(status=Job.Status.QUEUED, created_at__lt=queued_cutoff) & (
        Q(heartbeat__isnull=True) | Q(heartbeat__lt=queued_cutoff)
    )
    return running | queued


def _thresholds(stale_seconds: float | None) -> tuple[timedelta, timedelta]:
    """(running, queued) thresholds; `stale_seconds` (the beat passes what it listed with) sets the first."""
    running = stale_after() if stale_seconds is None else timedelta(seconds=float(stale_seconds))
    return running, stale_queued_after()


def stale_job_ids(*, stale_seconds: float | None = None) -> list[tuple[int, int]]:
    """(tenant id, job id) of every tenant's job whose heartbeat stopped (the beat's listing; nothing else
    of any tenant is read here)."""
    running_after, queued_after = _thresholds(stale_seconds)
    now = timezone.now()
    condition = _stale_filter(now, running_after=running_after, queued_after=queued_after)
    with all_tenants("list jobs whose worker stopped, to requeue each in its own tenant's scope"):
        pairs = Job.objects.filter(condition, kind__in=list(_resumers)).values_list("tenant_id", "pk")
        return sorted(pairs)


def _resume_in(tenant, resume: Callable[[Job], None], job: Job) -> None:
    with tenant_scope(tenant):
        resume(job)


def jobs_requeue_stale(*, job_ids: list[int], stale_seconds: float | None = None) -> list[int]:
    """In the current tenant's scope: requeue each of these jobs that is still stale (row-locked and checked
    again, so a job that beat, finished or was requeued meanwhile is left alone). A requeued job's lease is
    released, it is marked resumed, its heartbeat restarts the stale clock, and its message is sent once
    the requeue commits. Returns the ids requeued."""
    running_after, queued_after = _thresholds(stale_seconds)
    requeued: list[int] = []
    for job_id in job_ids:
        with transaction.atomic():
            now = timezone.now()
            condition = _stale_filter(now, running_after=running_after, queued_after=queued_after)
            job = Job.objects.select_for_update().filter(condition, pk=job_id).first()
            resume = _resumers.get(job.kind) if job is not None else None
            if job is None or resume is None:
                continue
            fields = ["heartbeat"]
            job.heartbeat = now
            if job.status == Job.Status.RUNNING:
                job.lease = ""
                job.resumed_at = now
                fields += ["lease", "resumed_at"]
            job.save(update_fields=fields)
            transaction.on_commit(functools.partial(_resume_in, current_tenant(), resume, job))
            requeued.append(job.pk)
            logger.warning("job %s (%s %s) requeued: its worker stopped", job.pk, job.kind, job.key)
    return requeued
