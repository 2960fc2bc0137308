"""Celery tasks of the appraisal app (thin: services, idempotent).

- `appraisals_daily(tenant_id)`: for every active cycle of the tenant, each step of `DAILY_STEPS` in turn —
  move appraisals with the calendar (`appraisals_advance`), then remind the people whose current stage's
  deadline comes within the policy's `reminder_days` (once a stage). Running it twice on a day changes
  nothing the second time.
- `appraisals_daily_all_tenants()`: the beat entry (platform-wide, daily; `manage.py setup_schedules`): one
  `appraisals_daily` per active tenant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from celery import shared_task

from collab.tasks import tenant_task


def _advance(cycle, now: dt.datetime) -> int:
    from appraisal.services.stages import appraisals_advance

    return appraisals_advance(cycle, now)


def _remind(cycle, now: dt.datetime) -> int:
    from appraisal.services.reminders import stage_reminders_send

    return stage_reminders_send(cycle=cycle, now=now)


# The daily steps, run in order for each active cycle: (name in the result, step(cycle, now) -> a count).
# The calibration-release part appends its own here (auto-confirmation at `confirm_by`, appeal escalation).
DAILY_STEPS: list[tuple[str, Callable]] = [
    ("advanced", _advance),
    ("reminded", _remind),
]


@tenant_task(name="appraisal.appraisals_daily", acks_late=True, reject_on_worker_lost=True)
def appraisals_daily(tenant_id: int, now: str | None = None) -> dict:
    from django.utils import timezone

    from appraisal.models import AppraisalCycle, CycleStatus

    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    totals = {name: 0 for name, _step in DAILY_STEPS}
    for cycle in AppraisalCycle.objects.filter(status=CycleStatus.ACTIVE).order_by("id"):
        for name, step in DAILY_STEPS:
            totals[name] += step(cycle, moment)
    return totals


@shared_task(name="appraisal.appraisals_daily_all_tenants")
def appraisals_daily_all_tenants() -> int:
    """Platform task (no tenant data read here): one `appraisals_daily` per active tenant."""
    from collab.models import Tenant

    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        appraisals_daily.apply_async(args=[tenant_id])
    return len(tenant_ids)
