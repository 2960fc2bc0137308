"""Celery tasks of the appraisal app (thin: services, idempotent).

- `appraisals_daily(tenant_id)`: for every active cycle of the tenant, each step of `DAILY_STEPS` in turn —
  move appraisals with the calendar (`appraisals_advance`), then remind the people whose current stage's
  deadline comes within the policy's `reminder_days` (once a stage); then, once for the tenant, the
  `ANSWER_STEPS`: results not answered by their `confirm_by` are confirmed automatically, and appeals the
  manager's manager let lapse pass to HR. Running it twice on a day changes nothing the second time.
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


def _auto_confirm(now: dt.datetime) -> int:
    from appraisal.services.release import results_auto_confirm

    return len(results_auto_confirm(now))


def _escalate(now: dt.datetime) -> int:
    from appraisal.services.appeals import appeals_escalate

    return len(appeals_escalate(now))


# The daily steps, run in order for each active cycle: (name in the result, step(cycle, now) -> a count).
DAILY_STEPS: list[tuple[str, Callable]] = [
    ("advanced", _advance),
    ("reminded", _remind),
]
# Then once for the tenant (released results and appeals outlive their cycle's stages): step(now) -> a count.
ANSWER_STEPS: list[tuple[str, Callable]] = [
    ("auto_confirmed", _auto_confirm),
    ("escalated", _escalate),
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
    for name, step in ANSWER_STEPS:
        totals[name] = step(moment)
    return totals


@shared_task(name="appraisal.appraisals_daily_all_tenants")
def appraisals_daily_all_tenants() -> int:
    """Platform task (no tenant data read here): one `appraisals_daily` per active tenant."""
    from collab.models import Tenant

    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        appraisals_daily.apply_async(args=[tenant_id])
    return len(tenant_ids)
