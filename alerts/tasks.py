"""Celery tasks of the alerts app (thin, idempotent).

- `alerts_check(tenant_id)`: evaluate the tenant's alert rules, tell people, escalate
  (`alerts.services.check.alerts_check`). Running it twice in a row changes nothing the second time.
- `alerts_check_all_tenants()`: the beat entry (platform-wide, hourly; `manage.py setup_schedules`): one
  `alerts_check` per active tenant.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from collab.tasks import tenant_task


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
