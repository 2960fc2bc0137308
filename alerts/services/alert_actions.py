"""What people do with an alert: acknowledge it (a comment; escalation stops), resolve it by hand (a
comment; the rule's memory is cleared so a new alert needs fresh breaches) and label it "not an anomaly"
(for tuning the rule: `alerts.engine.anomaly.backtest`). Each locks the alert, checks its status, records an
event and an audit row. Repeating an acknowledgement or a label answers the alert as it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.engine import states
from alerts.models import Alert, AlertEvent, AlertEventKind, AlertStatus, RuleState
from alerts.services.rules import MEMORY_FIELDS, memory_store
from collab.audit import audit_record
from collab.concurrency import editor
from collab.text import clean_text

COMMENT_LIMIT = 2000


def _comment(value: Any, *, required: bool) -> str:
    try:
        text = clean_text(value, COMMENT_LIMIT)
    except ValueError as error:
        raise ValidationError({"comment": [str(error)]}) from None
    if required and not text:
        raise ValidationError({"comment": [_("Say what is being done about it.")]})
    return text


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update(of=("self",)).select_related("rule").get(pk=alert.pk)


def _event(alert: Alert, kind: str, actor, now: dt.datetime, comment: str = "") -> None:
    AlertEvent.objects.create(alert=alert, kind=kind, at=now, actor=editor(actor), comment=comment)


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, comment: Any, now: dt.datetime | None = None) -> Alert:
    now = now or timezone.now()
    text = _comment(comment, required=True)
    current = _locked(alert)
    if current.status == AlertStatus.ACKNOWLEDGED:
        return current
    if current.status != AlertStatus.FIRING:
        raise ValidationError({"status": [_("Only a firing alert is acknowledged.")]})
    current.status, current.acknowledged_at = AlertStatus.ACKNOWLEDGED, now
    current.acknowledged_by, current.ack_comment, current.next_escalation_at = editor(actor), text, None
    current.lock_version += 1
    current.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "ack_comment",
                                "next_escalation_at", "lock_version", "updated_at"])  # fmt: skip
    _event(current, AlertEventKind.ACKNOWLEDGED, actor, now, text)
    audit_record(actor=actor, action=AlertsAuditAction.ALERT_ACKNOWLEDGE, obj=current,
                 after={"status": current.status, "comment": text})  # fmt: skip
    return current


@transaction.atomic
def alert_resolve(*, actor, alert: Alert, comment: Any, now: dt.datetime | None = None) -> Alert:
    now = now or timezone.now()
    text = _comment(comment, required=True)
    current = _locked(alert)
    if current.status == AlertStatus.RESOLVED:
        raise ValidationError({"status": [_("This alert is resolved already.")]})
    before = current.status
    current.status, current.resolved_at, current.resolved_by = AlertStatus.RESOLVED, now, editor(actor)
    current.resolve_comment, current.next_escalation_at = text, None
    current.lock_version += 1
    current.save(update_fields=["status", "resolved_at", "resolved_by", "resolve_comment",
                                "next_escalation_at", "lock_version", "updated_at"])  # fmt: skip
    state = RuleState.objects.select_for_update().filter(rule_id=current.rule_id).first()
    if state is not None and state.state != states.BROKEN:
        memory_store(state, states.Memory(state=states.RESOLVED))
        state.save(update_fields=MEMORY_FIELDS)
    _event(current, AlertEventKind.RESOLVED, actor, now, text)
    audit_record(actor=actor, action=AlertsAuditAction.ALERT_RESOLVE, obj=current,
                 before={"status": before}, after={"status": current.status, "comment": text})  # fmt: skip
    return current


@transaction.atomic
def alert_mark_not_anomaly(
    *, actor, alert: Alert, comment: Any = "", now: dt.datetime | None = None
) -> Alert:
    now = now or timezone.now()
    text = _comment(comment, required=False)
    current = _locked(alert)
    if current.not_anomaly:
        return current
    current.not_anomaly, current.labelled_by = True, editor(actor)
    current.lock_version += 1
    current.save(update_fields=["not_anomaly", "labelled_by", "lock_version", "updated_at"])
    _event(current, AlertEventKind.NOT_ANOMALY, actor, now, text)
    audit_record(actor=actor, action=AlertsAuditAction.ALERT_NOT_ANOMALY, obj=current,
                 after={"not_anomaly": True, "comment": text})  # fmt: skip
    return current
