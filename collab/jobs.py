"""Running a `Job`: claim it, report progress while it runs, finish it (DESIGN.md §7).

The area that queues a kind of job owns what it does; these helpers are the part every long task shares.
Progress moves queued (0) → running (5 at the claim) → done (100) | skipped (100) | failed, committed at
each step. A task that does its work inside one transaction cannot commit progress there (other
connections would not see it), so it reports its stages to the cache under the tenant's key instead, and
`job_progress()` reads whichever is further.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from collab.models import Job
from collab.tenancy import tenant_cache_key

PROGRESS_TTL = 3600
FINISHED = (Job.Status.DONE, Job.Status.SKIPPED, Job.Status.FAILED)


def _progress_key(job_id: int) -> str:
    return tenant_cache_key("job-progress", job_id)


def job_progress(job: Job) -> int:
    """What a poller shows: the committed progress, or the live stage of a running job when further."""
    if job.status != Job.Status.RUNNING:
        return int(job.progress)
    live = cache.get(_progress_key(job.pk))
    return max(int(job.progress), int(live or 0))


def job_progress_reporter(job_id: int) -> Callable[[int], None]:
    """A `report(percent)` for the running job's stages, visible to pollers before its transaction commits."""

    def report(percent: int) -> None:
        cache.set(_progress_key(job_id), int(percent), PROGRESS_TTL)

    return report


def job_claim(job_id: int, *, kind: str) -> Job | None:
    """Mark the job running (committed at once, so pollers see it). None when it is finished already
    (a duplicate message). A *running* job is run again: its worker was lost, and runs must be idempotent."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, kind=kind).first()
        if job is None or job.status in FINISHED:
            return None
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.progress = max(int(job.progress), 5)
        job.save(update_fields=["status", "started_at", "progress"])
    return job


def job_finish(job: Job, *, status: str, message: str, result: dict | None = None) -> None:
    """End the job with `status` and a message for the reader; `result` is kept in its params."""
    job.status = status
    job.message = message[:2000]
    job.finished_at = timezone.now()
    if status in (Job.Status.DONE, Job.Status.SKIPPED):
        job.progress = 100
    if result is not None:
        job.params = {**job.params, "result": result}
    job.save(update_fields=["status", "message", "finished_at", "progress", "params"])
    cache.delete(_progress_key(job.pk))
