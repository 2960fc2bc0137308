"""Celery tasks of process monitoring (thin, idempotent: ids in, a service does the work).

- `alerts_check(tenant_id)`: evaluate the tenant's alert rules, tell people, escalate
  (`alerts.services.check.alerts_check`). Running it twice in a row changes nothing the second time.
- `alerts_check_all_tenants()`: the beat entry (platform-wide, hourly; `manage.py setup_schedules`): one
  `alerts_check` per active tenant.
- `event_log_import_task(tenant_id, job_id, event_log_id)`: one event log's import
  (`alerts.services.event_log_import`). `acks_late` with `reject_on_worker_lost`, so a killed worker gives
  the message back; the import is idempotent. Retries with backoff only for transient errors.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from collab.tasks import MAX_RETRIES, TRANSIENT_ERRORS, tenant_task


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


@tenant_task(name="alerts.alerts_check", acks_late=True, reject_on_worker_lost=True)
def alerts_check(tenant_id: int, now: str | None = None) -> dict:
    from alerts.services.check import alerts_check as check

    return check(now=dt.datetime.fromisoformat(now) if now else None)


@shared_task(name="alerts.alerts_check_all_tenants")
def alerts_check_all_tenants() -> int:
    """Platform task (no tenant data read here): one `alerts_check` per active tenant."""
    from collab.models import Tenant

    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        alerts_check.apply_async(args=[tenant_id])
    return len(tenant_ids)
