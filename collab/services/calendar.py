"""Writing the tenant's business calendar: its settings (the base of official days, the weekly days off, the
working hours) and its own days (`CalendarDay`: a day off or a working day on one date, which wins over the
base). Every write locks the settings row, moves its `revision` (what the cached calendars are keyed by) and
is audited; a save that changes nothing writes nothing. Errors are keyed by field: base, weekend, day_start,
day_end; date, kind, name, note.

The weekly days off are given as ISO weekday numbers (1 Monday … 7 Sunday) and stored as the engine's
weekmask (seven characters, Monday first, "1" a working weekday)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from collab.audit import AuditAction, audit_record
from collab.concurrency import (
    changed_fields,
    editor,
    field_values,
    lock_for_delete,
    lock_for_edit,
    mark_edited,
)
from collab.models import CalendarBase, CalendarDay, CalendarDayKind, CalendarSettings
from collab.text import clean_text

FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years a calendar day may fall in
SETTINGS_FIELDS = ("base", "weekend", "day_start", "day_end")
DAY_FIELDS = ("date", "kind", "name", "note")
WEEKDAYS = range(1, 8)


def calendar_settings() -> CalendarSettings:
    """The tenant's calendar settings, created with the defaults (base CN, Saturday and Sunday off,
    09:00–18:00) on first use."""
    found = CalendarSettings.objects.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CalendarSettings.objects.create()
    except IntegrityError:  # another request created it at the same moment
        return CalendarSettings.objects.get()


def weekend_of(weekmask: str) -> list[int]:
    """The weekly days off of a weekmask, as ISO weekday numbers."""
    return [day for day, flag in zip(WEEKDAYS, weekmask, strict=True) if flag == "0"]


def weekmask_of(weekend) -> str:
    """The weekmask of a list of ISO weekday numbers (days off); ValueError with the reader's message."""
    if isinstance(weekend, str | bytes) or not hasattr(weekend, "__iter__"):
        raise ValueError(_("Choose the weekly days off."))
    days = set()
    for value in weekend:
        try:
            day = int(value) if not isinstance(value, bool) else 0
        except (TypeError, ValueError):
            day = 0
        if day not in WEEKDAYS:
            raise ValueError(_("A weekday is a number from 1 (Monday) to 7 (Sunday)."))
        days.add(day)
    if len(days) == len(WEEKDAYS):
        raise ValueError(_("At least one weekday must be a working day."))
    return "".join("0" if day in days else "1" for day in WEEKDAYS)


def _time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return dt.time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0)
    except ValueError:
        raise ValueError(_("Enter a time of day, such as 09:00.")) from None


def _settings_clean(data: Mapping[str, Any], current: CalendarSettings) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "base" in data:
        if data["base"] not in CalendarBase.values:
            errors["base"] = [_("Select a valid choice. That choice is not one of the available choices.")]
        clean["base"] = data["base"]
    if "weekend" in data:
        try:
            clean["weekmask"] = weekmask_of(data["weekend"])
        except ValueError as error:
            errors["weekend"] = [str(error)]
    for name in ("day_start", "day_end"):
        if name in data:
            try:
                clean[name] = _time(data[name])
            except ValueError as error:
                errors[name] = [str(error)]
    start, end = clean.get("day_start", current.day_start), clean.get("day_end", current.day_end)
    if not errors and not (end > start or end == dt.time(0, 0)):
        errors["day_end"] = [_("The working day ends after it starts (00:00 for midnight).")]
    if errors:
        raise ValidationError(errors)
    return clean


def calendar_settings_snapshot(settings: CalendarSettings) -> dict[str, Any]:
    return {
        "base": settings.base, "weekend": weekend_of(settings.weekmask),
        "day_start": settings.day_start.isoformat("minutes"),
        "day_end": settings.day_end.isoformat("minutes"),
    }  # fmt: skip


def _locked_settings() -> CalendarSettings:
    settings = calendar_settings()
    return CalendarSettings.objects.select_for_update().get(pk=settings.pk)


def _next_revision(settings: CalendarSettings) -> None:
    CalendarSettings.objects.filter(pk=settings.pk).update(revision=F("revision") + 1)


@transaction.atomic
def calendar_update(*, actor, lock_version: Any, data: Mapping[str, Any]) -> CalendarSettings:
    """Change the settings given in `data` (base, weekend, day_start, day_end)."""
    current = lock_for_edit(CalendarSettings, calendar_settings(), lock_version)
    clean = _settings_clean(data, current)
    before = calendar_settings_snapshot(current)
    values = field_values(current)
    for name, value in clean.items():
        setattr(current, name, value)
    fields = changed_fields(current, values)
    if not fields:
        return current
    current.revision += 1
    current.save(update_fields=[*fields, "revision", *mark_edited(current, actor)])
    audit_record(
        actor=actor, action=AuditAction.CALENDAR_UPDATE, obj=current, before=before,
        after=calendar_settings_snapshot(current),
    )  # fmt: skip
    return current


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(_("Enter a valid date."))
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValueError(_("Enter a valid date.")) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            _("Choose a date from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


def _day_clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "date" in data or not partial:
        try:
            clean["date"] = _date(data.get("date"))
        except ValueError as error:
            errors["date"] = [str(error)]
    if "kind" in data or not partial:
        if data.get("kind") not in CalendarDayKind.values:
            errors["kind"] = [_("Choose a day off or a working day.")]
        clean["kind"] = data.get("kind")
    for name, limit in (("name", 100), ("note", 500)):
        if name in data or not partial:
            try:
                clean[name] = clean_text(data.get(name), limit)
            except ValueError as error:
                errors[name] = [str(error)]
    if "name" in clean and not clean["name"] and "name" not in errors:
        errors["name"] = [_("Name the day, such as “Company anniversary” or “Make-up working day”.")]
    if errors:
        raise ValidationError(errors)
    return clean


def _date_taken() -> ValidationError:
    return ValidationError({"date": [_("This date has its own entry already: edit that one.")]})


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise _date_taken() from None


def calendar_day_snapshot(day: CalendarDay) -> dict[str, Any]:
    return {"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "note": day.note}


@transaction.atomic
def calendar_day_create(*, actor, data: Mapping[str, Any]) -> CalendarDay:
    """The tenant's own word on one date (date, kind, name, note?); one entry a date."""
    clean = _day_clean(data, partial=False)
    settings = _locked_settings()
    if CalendarDay.objects.filter(date=clean["date"]).exists():
        raise _date_taken()
    day = _saved(lambda: CalendarDay.objects.create(**clean, updated_by=editor(actor)))
    _next_revision(settings)
    audit_record(
        actor=actor, action=AuditAction.CALENDAR_DAY_CREATE, obj=day, after=calendar_day_snapshot(day)
    )
    return day


@transaction.atomic
def calendar_day_update(
    *, actor, day: CalendarDay, lock_version: Any, data: Mapping[str, Any]
) -> CalendarDay:
    """Change the fields of `data` (date, kind, name, note) of one of the tenant's days."""
    settings = _locked_settings()
    current = lock_for_edit(CalendarDay, day, lock_version)
    clean = _day_clean(data, partial=True)
    if "date" in clean and CalendarDay.objects.filter(date=clean["date"]).exclude(pk=current.pk).exists():
        raise _date_taken()
    before = calendar_day_snapshot(current)
    values = field_values(current)
    for name, value in clean.items():
        setattr(current, name, value)
    fields = changed_fields(current, values)
    if not fields:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*fields, *columns]))
    _next_revision(settings)
    audit_record(
        actor=actor, action=AuditAction.CALENDAR_DAY_UPDATE, obj=current, before=before,
        after=calendar_day_snapshot(current),
    )  # fmt: skip
    return current


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay, lock_version: Any) -> None:
    """Remove one of the tenant's days: the date follows the base again."""
    settings = _locked_settings()
    current = lock_for_delete(CalendarDay, day, lock_version)
    before = calendar_day_snapshot(current)
    pk, label = current.pk, str(current)
    current.delete()
    _next_revision(settings)
    audit_record(
        actor=actor, action=AuditAction.CALENDAR_DAY_DELETE, object_type="collab.calendarday", object_id=pk,
        object_repr=label, before=before,
    )  # fmt: skip
