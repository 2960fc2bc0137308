"""Recording collaboration events: one (`event_record`), many all-or-nothing (`events_record`, for the API's
bulk and the import), and the completion of an open request or deliverable (`event_complete`).

Every door hands rows of raw values to the same cleaner (`_clean_rows`): units, people and the answered
request as objects or ids (re-read in the tenant scope in one query each: a missing or another tenant's id
is a field error of that row), times as datetimes or ISO 8601 text (a time without a zone is in the tenant's
zone). Errors come back per row, `EventRowErrors.rows` = {row index (from 0): {field: [messages]}}; nothing
is written then.

Idempotency: a row with an `external_id` the tenant already holds is the same event again when kind, units,
time and title match — nothing is written and the stored event is answered (a retried call answers the
same); when they differ it is an `external_id` error. Two rows of one call with the same `external_id`: the
second is an error.

Events are facts: there is no edit and no delete. The one change is completing an open request or
deliverable (`done_at`, once), with the `lock_version` the editor saw.

After a write, `feedback.services.event_kpis.event_kpis_refresh` refills the KPIs that take an event
measure as their data source, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import editor, lock_for_edit, mark_edited
from collab.models import Employee, OrgUnit
from collab.routing.ids import coerce_id
from collab.text import clean_text
from feedback.models import (
    SAME_UNIT_KINDS,
    CollaborationEvent,
    EventKind,
    EventSource,
)
from feedback.models.events import COMPLETABLE_KINDS, DESCRIPTION_MAX, EXTERNAL_ID_MAX, TITLE_MAX
from feedback.services.event_kpis import event_kpis_refresh

BULK_MAX_ROWS = 5000
FIELDS = (
    "kind", "title", "description", "from_unit", "to_unit", "from_employee", "to_employee", "occurred_at",
    "due_at", "done_at", "attended", "answers", "external_id",
)  # fmt: skip
AUDITED = [
    "kind", "title", "description", "from_unit", "to_unit", "from_employee", "to_employee", "occurred_at",
    "due_at", "done_at", "attended", "answers", "source", "external_id",
]  # fmt: skip
BATCH = 1000


class EventRowErrors(ValidationError):
    """Bad rows of a write: `rows` = {index: {field: [messages]}}; nothing was written."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]):
        self.rows = rows
        first = next(iter(rows.values()), {NON_FIELD_ERRORS: [_("Invalid rows.")]})
        super().__init__(first)


@dataclass
class RecordResult:
    ids: list[int] = field(default_factory=list)  # the event of each row, in row order
    new: list[CollaborationEvent] = field(default_factory=list)  # the events created now
    created: int = 0


def _when(value: Any) -> dt.datetime | None:
    """A time from a datetime or ISO 8601 text; a naive one is in the current (tenant's) zone. ValueError
    for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(_("Enter a date and time like 2026-03-31T17:30:00+08:00.")) from None
    else:
        raise ValueError(_("Enter a date and time like 2026-03-31T17:30:00+08:00."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if not 1970 <= moment.year <= 2200:
        raise ValueError(_("Enter a date between 1970 and 2200."))
    return moment


def _ids(rows: Sequence[Mapping[str, Any]], name: str, model) -> set[int]:
    return {pk for row in rows if isinstance(row, Mapping) and (pk := coerce_id(row.get(name), model))}


def _lookups(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[int, Any]]:
    """The units, people and answered requests the rows name, read in the tenant scope (one query each)."""
    unit_ids = _ids(rows, "from_unit", OrgUnit) | _ids(rows, "to_unit", OrgUnit)
    people = _ids(rows, "from_employee", Employee) | _ids(rows, "to_employee", Employee)
    requests = _ids(rows, "answers", CollaborationEvent)
    return {
        "unit": {pk: pk for pk in OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", flat=True)},
        "person": {pk: pk for pk in Employee.objects.filter(pk__in=people).values_list("pk", flat=True)},
        "request": {
            pk: (kind, to_unit, occurred)
            for pk, kind, to_unit, occurred in CollaborationEvent.objects.filter(pk__in=requests).values_list(
                "pk", "kind", "to_unit_id", "occurred_at"
            )
        },
    }


def _reference(row: Mapping, name: str, model, found: dict, errors: dict, *, required: bool) -> int | None:
    value = row.get(name)
    if value is None or value == "":
        if required:
            errors[name] = [_("This field is required.")]
        return None
    pk = coerce_id(value, model) if not isinstance(value, float) else None
    if pk is None or pk not in found:
        errors[name] = [_("No such object here: check the id.")]
        return None
    return pk


def _clean_row(
    row: Any, found: dict[str, dict], scope_units: set[int] | None, sender: int | None = None
) -> tuple[dict, dict]:
    """One row's values for a CollaborationEvent (ids as *_id) and its field errors."""
    if not isinstance(row, Mapping):
        return {}, {NON_FIELD_ERRORS: [_("Send an object for each event.")]}
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(key) for key in row if key not in FIELDS)
    for key in unknown[:5]:
        errors[key] = [_("This field cannot be set here.")]
    out: dict[str, Any] = {}
    kind = row.get("kind")
    if kind not in EventKind.values:
        errors["kind"] = [_("Choose a valid option; that one does not exist.")]
    out["kind"] = kind
    for name, limit, required in (("title", TITLE_MAX, True), ("description", DESCRIPTION_MAX, False),
                                  ("external_id", EXTERNAL_ID_MAX, False)):  # fmt: skip
        try:
            out[name] = clean_text(row.get(name), limit)
        except ValueError as error:
            errors[name] = [str(error)]
            continue
        if required and not out[name]:
            errors[name] = [_("This field is required.")]
    for name in ("from_unit", "to_unit"):
        out[f"{name}_id"] = _reference(row, name, OrgUnit, found["unit"], errors, required=True)
    for name in ("from_employee", "to_employee"):
        out[f"{name}_id"] = _reference(row, name, Employee, found["person"], errors, required=False)
    for name in ("occurred_at", "due_at", "done_at"):
        try:
            out[name] = _when(row.get(name))
        except ValueError as error:
            errors[name] = [str(error)]
    if "occurred_at" not in errors and out["occurred_at"] is None:
        errors["occurred_at"] = [_("This field is required.")]
    occurred = out.get("occurred_at")
    for name, message in (("due_at", _("The due time cannot be before the event.")),
                          ("done_at", _("The done time cannot be before the event."))):  # fmt: skip
        if occurred is not None and out.get(name) is not None and out[name] < occurred:
            errors.setdefault(name, []).append(message)
    same_unit = out["from_unit_id"] is not None and out["from_unit_id"] == out["to_unit_id"]
    if same_unit and kind in EventKind.values and kind not in SAME_UNIT_KINDS:
        errors.setdefault("to_unit", []).append(_("Choose another unit than the one it comes from."))
    if out["from_employee_id"] is not None and out["from_employee_id"] == out["to_employee_id"]:
        errors.setdefault("to_employee", []).append(_("Choose another person than the one it comes from."))
    attended = row.get("attended")
    if attended is not None and not isinstance(attended, bool):
        errors["attended"] = [_("Must be a valid boolean.")]
    elif attended is not None and kind != EventKind.MEETING:
        errors["attended"] = [_("Only a meeting has an attendance.")]
    out["attended"] = attended
    answers = _reference(row, "answers", CollaborationEvent, found["request"], errors, required=False)
    out["answers_id"] = answers
    if answers is not None:
        request_kind, request_unit, request_at = found["request"][answers]
        if kind != EventKind.RESPONSE:
            errors["answers"] = [_("Only a response answers a request.")]
        elif request_kind != EventKind.REQUEST:
            errors["answers"] = [_("This event is not a request.")]
        elif out["from_unit_id"] is not None and out["from_unit_id"] != request_unit:
            errors.setdefault("from_unit", []).append(_("A response comes from the unit that was asked."))
        elif occurred is not None and occurred < request_at:
            errors.setdefault("occurred_at", []).append(_("A response cannot come before the request."))
    if scope_units is not None and "from_unit" not in errors and "to_unit" not in errors:
        if out["from_unit_id"] not in scope_units and out["to_unit_id"] not in scope_units:
            errors.setdefault("from_unit", []).append(_("You may record only events of your own units."))
    if sender is not None:
        if out["from_employee_id"] != sender:
            errors.setdefault("from_employee", []).append(_("You record events that come from you."))
        unit = out["from_unit_id"]
        if unit is not None and scope_units is not None and unit not in scope_units:
            errors.setdefault("from_unit", []).append(_("An event you record comes from your own unit."))
    return out, errors


def _identity(values: Mapping[str, Any]) -> tuple:
    """What makes a retry with the same external id the same event."""
    return (
        values["kind"],
        values["from_unit_id"],
        values["to_unit_id"],
        values["occurred_at"],
        values["title"],
    )


@transaction.atomic
def events_record(
    *,
    actor,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    scope_units: set[int] | None = None,
    sender: int | None = None,
    check_only: bool = False,
) -> RecordResult:
    """Record events, all or nothing (see the module docstring); `scope_units` (a manager's units) limits
    them to events from or to one of those units; `sender` (an employee recording for themselves) to events
    from that person and from a unit of `scope_units`; `check_only` (an import's dry run) checks and writes
    nothing. Raises EventRowErrors."""
    rows = list(rows)
    if source not in EventSource.values:
        raise ValueError(f"unknown source {source!r}")
    if len(rows) > BULK_MAX_ROWS:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("At most %(n)d events per call.") % {"n": BULK_MAX_ROWS}]}
        )
    found = _lookups(rows)
    cleaned: list[dict] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        values, row_errors = _clean_row(row, found, scope_units, sender)
        cleaned.append(values)
        if row_errors:
            errors[index] = row_errors
    keys = {values["external_id"] for values in cleaned if values.get("external_id")}
    stored: dict[str, tuple[int, tuple]] = {}
    if keys:
        for key, pk, *identity in (
            CollaborationEvent.objects.select_for_update()
            .filter(external_id__in=keys)
            .values_list("external_id", "pk", "kind", "from_unit_id", "to_unit_id", "occurred_at", "title")
        ):
            stored[key] = (pk, tuple(identity))
    seen: dict[str, int] = {}
    for index, values in enumerate(cleaned):
        key = values.get("external_id")
        if not key or index in errors:
            continue
        if key in seen:
            message = _("Duplicate of row %(row)d (same external id).") % {"row": seen[key]}
            errors.setdefault(index, {}).setdefault("external_id", []).append(message)
            continue
        seen[key] = index
        existing = stored.get(key)
        if existing is not None and _identity(values) != existing[1]:
            message = _("This external id belongs to another event.")
            errors.setdefault(index, {}).setdefault("external_id", []).append(message)
    if errors:
        raise EventRowErrors(errors)
    result = RecordResult()
    if check_only:
        return result
    new: list[CollaborationEvent] = []
    who = editor(actor)
    slots: list[CollaborationEvent | int] = []
    for values in cleaned:
        existing = stored.get(values["external_id"]) if values["external_id"] else None
        if existing is not None:
            slots.append(existing[0])
            continue
        # recorded_by says who; updated_by stays empty until someone changes the event (one key less to check)
        event = CollaborationEvent(**values, source=source, recorded_by=who)
        new.append(event)
        slots.append(event)
    if new:
        CollaborationEvent.objects.bulk_create(new, batch_size=BATCH)
        if any(event.pk is None for event in new):  # a backend that returns no ids (not ours)
            raise RuntimeError("bulk_create returned no ids")
        event_kpis_refresh(actor=actor, events=new)
    result.new = new
    result.created = len(new)
    result.ids = [slot if isinstance(slot, int) else slot.pk for slot in slots]
    return result


def event_record(
    *,
    actor,
    data: Mapping[str, Any],
    source: str = EventSource.APP,
    scope_units: set[int] | None = None,
    sender: int | None = None,
) -> tuple[CollaborationEvent, bool]:
    """One event (see `events_record`): (the event, whether it was created now). Raises ValidationError
    keyed by field."""
    try:
        result = events_record(
            actor=actor, rows=[data], source=source, scope_units=scope_units, sender=sender
        )
    except EventRowErrors as invalid:
        raise ValidationError(invalid.rows[0]) from None
    if result.created:
        event = result.new[0]
        audit_record(actor=actor, action="event.create", obj=event, after=snapshot(event, AUDITED))
        return event, True
    return CollaborationEvent.objects.get(pk=result.ids[0]), False


def events_record_bulk(
    *, actor, rows: Sequence[Mapping[str, Any]], source: str, label: str = "", check_only: bool = False
) -> RecordResult:
    """Many events (the API's bulk, an import): `events_record` and one audit row for the call."""
    result = events_record(actor=actor, rows=rows, source=source, check_only=check_only)
    if result.created:
        audit_record(
            actor=actor, action="event.bulk_create", object_type="feedback.collaborationevent",
            object_repr=label[:300] or _("%(n)d collaboration events") % {"n": result.created},
            after={"source": source, "rows": len(rows), "created": result.created},
        )  # fmt: skip
    return result


@transaction.atomic
def event_complete(
    *, actor, event: CollaborationEvent, lock_version: Any, done_at: Any
) -> CollaborationEvent:
    """Mark an open request or deliverable done at `done_at` (once). Stale `lock_version`: StaleEditError."""
    current = lock_for_edit(CollaborationEvent, event, lock_version)
    errors: dict[str, list[str]] = {}
    if current.kind not in COMPLETABLE_KINDS:
        errors[NON_FIELD_ERRORS] = [_("Only a request or a deliverable is completed.")]
    elif current.done_at is not None:
        errors["done_at"] = [_("This event is done already.")]
    try:
        moment = _when(done_at)
    except ValueError as error:
        errors.setdefault("done_at", []).append(str(error))
        moment = None
    if moment is None and "done_at" not in errors:
        errors["done_at"] = [_("This field is required.")]
    elif moment is not None and moment < current.occurred_at:
        errors.setdefault("done_at", []).append(_("The done time cannot be before the event."))
    if errors:
        raise ValidationError(errors)
    before = snapshot(current, ["done_at"])
    current.done_at = moment
    columns = mark_edited(current, actor)
    current.save(update_fields=["done_at", *columns])
    audit_record(actor=actor, action="event.complete", obj=current, before=before,
                 after=snapshot(current, ["done_at"]))  # fmt: skip
    event_kpis_refresh(actor=actor, events=[current])
    return current
