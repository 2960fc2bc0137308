"""Writing silences: create, update, end (now) and delete. A silence always has an end after its start (at
most `MAX_DAYS` later, so none is forgotten), names exactly the object its scope asks for (a rule, a stage,
a process, or nothing for the whole tenant) and, when recurring, weekdays 0–6 with an optional daily window
(both times or neither). Errors are keyed by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.models import AlertRule, Process, ProcessStage, Silence, SilenceScope
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
from collab.text import clean_text

MAX_DAYS = 366
TARGETS = {SilenceScope.RULE: ("rule", AlertRule), SilenceScope.STAGE: ("stage", ProcessStage),
           SilenceScope.PROCESS: ("process", Process)}  # fmt: skip
SILENCE_FIELDS = ("scope", "rule", "stage", "process", "starts_at", "ends_at", "weekdays", "window_start",
                  "window_end", "reason")  # fmt: skip


def silence_snapshot(silence: Silence) -> dict[str, Any]:
    return {
        "scope": silence.scope, "rule": silence.rule_id, "stage": silence.stage_id,
        "process": silence.process_id, "starts_at": silence.starts_at.isoformat(),
        "ends_at": silence.ends_at.isoformat(), "weekdays": silence.weekdays,
        "window_start": silence.window_start.isoformat() if silence.window_start else None,
        "window_end": silence.window_end.isoformat() if silence.window_end else None,
        "reason": silence.reason,
    }  # fmt: skip


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    scope = data.get("scope")
    if scope not in SilenceScope.values:
        errors["scope"] = [_("Select a valid choice. That choice is not one of the available choices.")]
    clean["scope"] = scope
    for name, model in (("rule", AlertRule), ("stage", ProcessStage), ("process", Process)):
        wanted = TARGETS.get(scope, (None,))[0] == name
        value = data.get(name)
        if not wanted:
            clean[name] = None
            continue
        pk = coerce_id(value, model)
        found = model.objects.filter(pk=pk).first() if pk is not None else None
        if found is None:
            errors[name] = [_("Choose what the silence applies to.")]
        clean[name] = found
    for name in ("starts_at", "ends_at"):
        value = data.get(name)
        if not isinstance(value, dt.datetime):
            errors[name] = [_("Enter a valid date/time.")]
        clean[name] = value
    if "starts_at" not in errors and "ends_at" not in errors:
        if clean["ends_at"] <= clean["starts_at"]:
            errors["ends_at"] = [_("A silence ends after it starts.")]
        elif clean["ends_at"] - clean["starts_at"] > dt.timedelta(days=MAX_DAYS):
            errors["ends_at"] = [_("A silence lasts at most %(days)d days.") % {"days": MAX_DAYS}]
    weekdays = data.get("weekdays") or []
    if not isinstance(weekdays, list | tuple) or any(
        isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays
    ):
        errors["weekdays"] = [_("Weekdays are numbers from 0 (Monday) to 6 (Sunday).")]
        weekdays = []
    clean["weekdays"] = sorted(set(weekdays))
    start, end = data.get("window_start"), data.get("window_end")
    if (start is None) != (end is None):
        errors["window_end"] = [_("Give both ends of the daily window, or neither.")]
    if start is not None and not clean["weekdays"]:
        errors["weekdays"] = [_("A daily window needs the weekdays it recurs on.")]
    clean["window_start"], clean["window_end"] = start, end
    try:
        clean["reason"] = clean_text(data.get("reason"), 500)
    except ValueError as error:
        errors["reason"] = [str(error)]
    else:
        if not clean["reason"]:
            errors["reason"] = [_("Say why alerts are silenced.")]
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def silence_create(*, actor, data: Mapping[str, Any]) -> Silence:
    silence = Silence.objects.create(**_clean(data), created_by=editor(actor), updated_by=editor(actor))
    audit_record(actor=actor, action=AlertsAuditAction.SILENCE_CREATE, obj=silence,
                 after=silence_snapshot(silence))  # fmt: skip
    return silence


@transaction.atomic
def silence_update(*, actor, silence: Silence, lock_version: Any, data: Mapping[str, Any]) -> Silence:
    current = lock_for_edit(Silence, silence, lock_version)
    before, values = silence_snapshot(current), field_values(current)
    merged = {name: getattr(current, name) for name in SILENCE_FIELDS} | dict(data)
    for name, value in _clean(merged).items():
        setattr(current, name, value)
    fields = changed_fields(current, values)
    if not fields:
        return current
    columns = mark_edited(current, actor)
    current.save(update_fields=[*fields, *columns])
    audit_record(actor=actor, action=AlertsAuditAction.SILENCE_UPDATE, obj=current, before=before,
                 after=silence_snapshot(current))  # fmt: skip
    return current


@transaction.atomic
def silence_end(*, actor, silence: Silence, lock_version: Any, now: dt.datetime | None = None) -> Silence:
    """End a silence now (one not begun yet ends before it starts: it never holds)."""
    now = now or timezone.now()
    current = lock_for_edit(Silence, silence, lock_version)
    if current.ends_at <= now:
        return current
    before = silence_snapshot(current)
    current.ends_at = now
    if current.starts_at >= now:
        current.starts_at = now - dt.timedelta(seconds=1)
    columns = mark_edited(current, actor)
    current.save(update_fields=["starts_at", "ends_at", *columns])
    audit_record(actor=actor, action=AlertsAuditAction.SILENCE_END, obj=current, before=before,
                 after=silence_snapshot(current))  # fmt: skip
    return current


@transaction.atomic
def silence_delete(*, actor, silence: Silence, lock_version: Any) -> None:
    current = lock_for_delete(Silence, silence, lock_version)
    before, pk = silence_snapshot(current), current.pk
    current.delete()
    audit_record(actor=actor, action=AlertsAuditAction.SILENCE_DELETE, object_type="alerts.silence",
                 object_id=pk, object_repr=str(pk), before=before)  # fmt: skip
