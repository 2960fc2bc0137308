"""Celery tasks of the feedback app (thin: a service each, idempotent).

- `campaigns_daily(tenant_id)`: close the tenant's campaigns whose deadline has passed (results released,
  recompute queued, next rounds opened), then remind raters with open assignments (at most once a day each),
  then refill the KPIs whose actual comes from the event log (an on-time rate moves with time alone, as a
  deliverable falls overdue). Running it twice on a day changes nothing the second time.
- `campaigns_daily_all_tenants()`: the beat entry (platform-wide, daily; `manage.py setup_schedules`): one
  `campaigns_daily` per active tenant.
"""

from __future__ import annotations

from celery import shared_task

from collab.tasks import tenant_task


@tenant_task(name="feedback.campaigns_daily", acks_late=True, reject_on_worker_lost=True)
def campaigns_daily(tenant_id: int) -> dict:
    from feedback.services.campaigns.close import campaigns_close_due
    from feedback.services.campaigns.reminders import campaign_reminders_send
    from feedback.services.event_kpis import event_kpis_refresh_all

    closed = campaigns_close_due()
    reminded = campaign_reminders_send()
    return {"closed": closed, "reminded": reminded, "event_kpis": event_kpis_refresh_all(actor=None)}


@shared_task(name="feedback.campaigns_daily_all_tenants")
def campaigns_daily_all_tenants() -> int:
    """Platform task (no tenant data read here): one `campaigns_daily` per active tenant."""
    from collab.models import Tenant

    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        campaigns_daily.apply_async(args=[tenant_id])
    return len(tenant_ids)
