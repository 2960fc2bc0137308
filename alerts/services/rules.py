"""Writing alert rules: create, update, delete and reset a broken one. A rule watches one KPI; a KPI has at
most one rule of each kind. Parameters are checked by the model's validators (field keys); N never exceeds M.
Every rule has its `RuleState` from the start. A save that changes nothing writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.engine import states
from alerts.models import AlertRule, ProcessKpi, RuleKind, RuleState
from collab.audit import audit_record
from collab.concurrency import (
    changed_fields,
    editor,
    field_values,
    lock_for_delete,
    lock_for_edit,
    mark_edited,
)
from collab.routing.ids import coerce_id

RULE_FIELDS = (
    "kind", "severity", "threshold_z", "min_history", "breaches_needed", "breach_window", "recovery",
    "cooldown_minutes", "no_data", "error_limit", "ack_hours", "is_active",
)  # fmt: skip


def rule_snapshot(rule: AlertRule) -> dict[str, Any]:
    return {"kpi": rule.kpi_id, **{name: getattr(rule, name) for name in RULE_FIELDS}}


def _check(rule: AlertRule) -> None:
    errors: dict[str, list[str]] = {}
    try:
        rule.full_clean(exclude=["tenant", "kpi", "updated_by"], validate_unique=False,
                        validate_constraints=False)  # fmt: skip
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if "breaches_needed" not in errors and "breach_window" not in errors:
        if rule.breaches_needed > rule.breach_window:
            errors["breaches_needed"] = [_("N cannot exceed M, the number of evaluations it is counted in.")]
    if rule.kind == RuleKind.THRESHOLD and "kind" not in errors and rule.kpi_id:
        kpi = rule.kpi
        if kpi.amber is None and kpi.red is None:
            errors["kind"] = [_("The KPI has no amber or red line for a threshold rule to watch.")]
        elif kpi.direction == "both":
            errors["kind"] = [_("A KPI bad in both directions has no static lines; use an anomaly rule.")]
    if errors:
        raise ValidationError(errors)


def _taken() -> ValidationError:
    return ValidationError({"kind": [_("This KPI has a rule of this kind already.")]})


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise _taken() from None


@transaction.atomic
def alert_rule_create(*, actor, kpi: Any, data: Mapping[str, Any]) -> AlertRule:
    """A rule on `kpi` (an instance or an id of this tenant's) with `data`'s parameters (defaults else)."""
    kpi_id = coerce_id(kpi, ProcessKpi)
    found = ProcessKpi.objects.filter(pk=kpi_id).first() if kpi_id is not None else None
    if found is None:
        raise ValidationError({"kpi": [_("Select a valid choice. That choice is not one of the available "
                                         "choices.")]})  # fmt: skip
    rule = AlertRule(kpi=found, updated_by=editor(actor),
                     **{k: v for k, v in data.items() if k in RULE_FIELDS})  # fmt: skip
    _check(rule)
    if AlertRule.objects.filter(kpi=found, kind=rule.kind).exists():
        raise _taken()
    _saved(rule.save)
    RuleState.objects.create(rule=rule)
    audit_record(actor=actor, action=AlertsAuditAction.RULE_CREATE, obj=rule, after=rule_snapshot(rule))
    return rule


@transaction.atomic
def alert_rule_update(*, actor, rule: AlertRule, lock_version: Any, data: Mapping[str, Any]) -> AlertRule:
    current = lock_for_edit(AlertRule, rule, lock_version, queryset=AlertRule.objects.select_related("kpi"))
    before, before_values = rule_snapshot(current), field_values(current)
    for name, value in data.items():
        if name in RULE_FIELDS:
            setattr(current, name, value)
    _check(current)
    fields = changed_fields(current, before_values)
    if not fields:
        return current
    if "kind" in fields and AlertRule.objects.filter(kpi_id=current.kpi_id, kind=current.kind).exists():
        raise _taken()
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*fields, *columns]))
    audit_record(actor=actor, action=AlertsAuditAction.RULE_UPDATE, obj=current, before=before,
                 after=rule_snapshot(current))  # fmt: skip
    return current


@transaction.atomic
def alert_rule_delete(*, actor, rule: AlertRule, lock_version: Any) -> None:
    current = lock_for_delete(AlertRule, rule, lock_version)
    before, pk = rule_snapshot(current), current.pk
    current.delete()
    audit_record(actor=actor, action=AlertsAuditAction.RULE_DELETE, object_type="alerts.alertrule",
                 object_id=pk, object_repr=str(pk), before=before)  # fmt: skip


def memory_of(state: RuleState) -> states.Memory:
    return states.Memory(
        state=state.state, recent=tuple(bool(x) for x in state.recent), firing=state.firing,
        normal_streak=state.normal_streak, consecutive_errors=state.consecutive_errors,
    )  # fmt: skip


def memory_store(state: RuleState, memory: states.Memory) -> None:
    state.state, state.recent, state.firing = memory.state, list(memory.recent), memory.firing
    state.normal_streak, state.consecutive_errors = memory.normal_streak, memory.consecutive_errors


MEMORY_FIELDS = ["state", "recent", "firing", "normal_streak", "consecutive_errors"]


@transaction.atomic
def alert_rule_reset(*, actor, rule: AlertRule) -> RuleState:
    """Make a broken rule evaluate again (errors forgotten; an open alert stays open)."""
    state, _created = RuleState.objects.select_for_update().get_or_create(rule=rule)
    if state.state != states.BROKEN:
        raise ValidationError({"state": [_("Only a broken rule is reset.")]})
    before = state.state
    memory_store(state, states.reset(memory_of(state)))
    state.last_outcome, state.last_bucket = "", None  # the last bucket is judged again
    state.save(update_fields=[*MEMORY_FIELDS, "last_outcome", "last_bucket"])
    audit_record(actor=actor, action=AlertsAuditAction.RULE_RESET, obj=rule, before={"state": before},
                 after={"state": state.state})  # fmt: skip
    return state
