"""Celery tasks of the interlock area (thin: fetch by id, call a service; see `interlock.recompute`).

- `recompute_period_scores(tenant_id, period_id, job_id)`: one period's recompute. `acks_late` with
  `reject_on_worker_lost`, so a worker killed half way gives the message back and the next worker runs it
  again (idempotent: the snapshots are replaced in one transaction). Retries with exponential backoff only
  for transient errors (the database or the broker unreachable, a lock or serialisation failure); invalid
  data (a closed or missing period) fails the job at once and is never retried.
- `recompute_tenant_nightly(tenant_id)`: queues the full recompute of each active or in-review period.
- `recompute_all_tenants_nightly()`: the beat entry (platform-wide): one tenant task per active tenant.
  `manage.py setup_schedules` creates its PeriodicTask (idempotent; `make run` and the deploy run it).
"""

from __future__ import annotations

from celery import shared_task

from collab.tasks import MAX_RETRIES, TRANSIENT_ERRORS, tenant_task


@tenant_task(
    name="interlock.recompute_period_scores",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def recompute_period_scores(tenant_id: int, period_id: int, job_id: int) -> dict:
    from interlock.recompute import scores_recompute_run

    retries = recompute_period_scores.request.retries or 0
    return scores_recompute_run(job_id=job_id, period_id=period_id, final_attempt=retries >= MAX_RETRIES)


@tenant_task(name="interlock.recompute_tenant_nightly", acks_late=True, reject_on_worker_lost=True)
def recompute_tenant_nightly(tenant_id: int) -> int:
    from interlock.recompute import scores_recompute_request_tenant

    return len(scores_recompute_request_tenant(reason="nightly"))


@shared_task(name="interlock.recompute_all_tenants_nightly")
def recompute_all_tenants_nightly() -> int:
    """Platform task (no tenant data read here): one `recompute_tenant_nightly` per active tenant."""
    from collab.models import Tenant

    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        recompute_tenant_nightly.apply_async(args=[tenant_id])
    return len(tenant_ids)
