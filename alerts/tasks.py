"""Celery tasks of process monitoring (thin: ids in, a service does the work).

- `event_log_import_task(tenant_id, job_id, event_log_id)`: one event log's import
  (`alerts.services.event_log_import`). `acks_late` with `reject_on_worker_lost`, so a killed worker gives
  the message back; the import is idempotent. Retries with backoff only for transient errors.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from collab.tasks import tenant_task

try:  # redis-py is installed with celery[redis]; the broker's connection errors are transient too
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover
    RedisConnectionError = RedisTimeoutError = OSError  # type: ignore[misc,assignment]

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)
MAX_RETRIES = 5


@tenant_task(
    name="alerts.event_log_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def event_log_import_task(tenant_id: int, job_id: int, event_log_id: int) -> dict:
    from alerts.services.event_log_import import event_log_import_run

    retries = event_log_import_task.request.retries or 0
    final = retries >= MAX_RETRIES
    return event_log_import_run(job_id=job_id, event_log_id=event_log_id, final_attempt=final)
