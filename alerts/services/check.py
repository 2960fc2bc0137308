"""The scheduled check of one tenant (`alerts.tasks.alerts_check`): evaluate the rules, tell people, escalate.

1. `rules_evaluate` judges every due rule and opens or resolves alerts.
2. Firing alerts nobody has been told of are told — unless a silence mutes them (they are told once it
   ends) or the rule notified within its cool-down (a flapping series: told once the cool-down has passed,
   if still firing). Being told starts the acknowledgement clock. Alerts resolved in this check are told
   to those who heard they fired, unless muted.
3. Firing alerts past their acknowledgement deadline escalate one step (owner unit → escalation role →
   process owner), unless muted; the next step's deadline is set again.
4. Messages go grouped per process and person (`alert_notices.alerts_tell`).
5. Evaluations older than `EVALUATION_KEEP_DAYS` are pruned.
Running it twice at the same moment changes nothing the second time."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts.engine.states import may_notify
from alerts.models import Alert, AlertEvent, AlertEventKind, AlertStatus, Evaluation, RuleState
from alerts.models.alerts import MAX_ESCALATION_LEVEL
from alerts.models.rules import EVALUATION_KEEP_DAYS
from alerts.selectors.silences import Muting
from alerts.services.alert_notices import ESCALATED, FIRED, RESOLVED, alerts_tell
from alerts.services.evaluation import escalation_deadline, rules_evaluate

ALERT_RELATED = ("rule__state", "kpi", "stage", "process__owner__user")


def _tell_firing(now: dt.datetime, muting: Muting, opened_ids: set[int]) -> list[tuple[Alert, str]]:
    items, events, states_told = [], [], {}
    waiting = Alert.objects.filter(status=AlertStatus.FIRING, notified_at__isnull=True).select_related(
        *ALERT_RELATED
    )
    for alert in waiting.order_by("pk"):
        state = alert.rule.state
        state = states_told.get(state.pk, state)
        if muting.mutes(alert) or not may_notify(state.last_notified_at, now, alert.rule.cooldown_minutes):
            if alert.pk in opened_ids:
                events.append(AlertEvent(alert=alert, kind=AlertEventKind.SUPPRESSED, at=now))
            continue
        # The acknowledgement clock starts when people are told (not while a silence or cool-down holds).
        alert.notified_at, alert.next_escalation_at = now, escalation_deadline(now, alert.rule.ack_hours)
        alert.save(update_fields=["notified_at", "next_escalation_at"])
        state.last_notified_at = now
        states_told[state.pk] = state
        events.append(AlertEvent(alert=alert, kind=AlertEventKind.NOTIFIED, at=now))
        items.append((alert, FIRED))
    RuleState.objects.bulk_update(list(states_told.values()), ["last_notified_at"])
    AlertEvent.objects.bulk_create(events)
    return items


def _tell_resolved(resolved: list[Alert], muting: Muting) -> list[tuple[Alert, str]]:
    return [(a, RESOLVED) for a in resolved if a.notified_at is not None and not muting.mutes(a)]


def _escalate(now: dt.datetime, muting: Muting) -> list[tuple[Alert, str]]:
    items, events = [], []
    late = Alert.objects.filter(
        status=AlertStatus.FIRING, next_escalation_at__lte=now, escalation_level__lt=MAX_ESCALATION_LEVEL
    ).select_related(*ALERT_RELATED)
    for alert in late.order_by("pk"):
        if muting.mutes(alert):
            continue
        alert.escalation_level += 1
        last = alert.escalation_level >= MAX_ESCALATION_LEVEL
        alert.next_escalation_at = None if last else escalation_deadline(now, alert.rule.ack_hours)
        alert.save(update_fields=["escalation_level", "next_escalation_at"])
        events.append(AlertEvent(alert=alert, kind=AlertEventKind.ESCALATED, at=now,
                                 comment=alert.get_escalation_level_display()))  # fmt: skip
        items.append((alert, ESCALATED))
    AlertEvent.objects.bulk_create(events)
    return items


@transaction.atomic
def alerts_check(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    run = rules_evaluate(now=now)
    muting = Muting(now)
    resolved = list(Alert.objects.filter(pk__in=[a.pk for a in run.resolved]).select_related(*ALERT_RELATED))
    items = _tell_firing(now, muting, {a.pk for a in run.opened})
    items += _tell_resolved(resolved, muting)
    escalated = _escalate(now, muting)
    sent = alerts_tell(items + escalated)
    pruned, _kinds = Evaluation.objects.filter(at__lt=now - dt.timedelta(days=EVALUATION_KEEP_DAYS)).delete()
    return {"evaluated": run.evaluated, "opened": len(run.opened), "resolved": len(run.resolved),
            "escalated": len(escalated), "messages": sent, "pruned": pruned}  # fmt: skip
