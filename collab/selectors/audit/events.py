"""The filtered event list, its filter choices and its text search (fixed queries, tenant-scoped).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from collab.models import AuditEvent
from collab.selectors.audit.vocabulary import (
    OBJECT_NAME_FIELDS,
    REFERENCE_LABELS,
    SIBLINGS_PARENTS,
    _model,
    _referenced_model,
)

SYSTEM_ACTOR = "system"


def tenant_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def audit_events(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    text: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    timezone_name: str = "UTC",
) -> QuerySet[AuditEvent]:
    """The scoped tenant's events, newest first, narrowed by whichever filters are given.

    Dates are whole days in the tenant's time zone, both ends included.
    """
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_name=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if text:
        events = _matching_text(events, text)
    zone = tenant_zone(timezone_name)
    if date_from:
        events = events.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        events = events.filter(
            created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        )
    return events.order_by("-created_at", "-id")


def audit_filter_choices() -> dict[str, list[str]]:
    """Distinct actors, actions and object types in the log (three queries, whatever its size)."""
    base = AuditEvent.objects.order_by()
    return {
        "actors": sorted(base.values_list("actor_name", flat=True).distinct()),
        "actions": sorted(base.values_list("action", flat=True).distinct()),
        "object_types": sorted(base.values_list("object_type", flat=True).distinct()),
    }


# --- search: what the log shows, in the same query ----------------------------------------------------------


def _matching_text(events: QuerySet[AuditEvent], text: str) -> QuerySet[AuditEvent]:
    """The events whose object, as the log names it (object_names), contains `text`: its stored name or id,
    or the label of a unit, position, KPI, period or goal its name is made of. Subqueries of the same query,
    however many objects match."""
    keys = {key for names in OBJECT_NAME_FIELDS.values() for key in names} | set(SIBLINGS_PARENTS.values())
    values = {
        f"{side}_{key}": Cast(KeyTextTransform(key, side), CharField())
        for side in ("after", "before")
        for key in keys
    }
    matches = Q(object_repr__icontains=text) | Q(object_id=text)
    for object_type, names in OBJECT_NAME_FIELDS.items():
        model = _model(object_type)
        in_after = Q(after__has_keys=list(names))  # the snapshot the name is read from (_naming_snapshot)
        in_before = ~in_after & Q(before__has_keys=list(names))
        shown = (in_after & _any_matches(model, "after", names, text)) | (
            in_before & _any_matches(model, "before", names, text)
        )
        if object_type in SIBLINGS_PARENTS:
            parent = SIBLINGS_PARENTS[object_type]
            siblings = ~in_after & ~in_before & Q(after__has_key=parent)
            shown |= siblings & _any_matches(model, "after", (parent,), text)
        matches |= Q(object_type=object_type) & shown
    return events.alias(**values).filter(matches)


def _any_matches(model: type[Model] | None, side: str, keys: Iterable[str], text: str) -> Q:
    """One of the snapshot's `keys`, shown as the label of the object it refers to (or as itself), contains
    `text`."""
    found = Q()
    for key in keys:
        value = f"{side}_{key}"
        target = _referenced_model(model, key)
        if target is None:
            found |= Q(**{f"{value}__icontains": text})
            continue
        labelled = (
            target.objects.alias(reader_label=REFERENCE_LABELS[target._meta.label_lower]())
            .filter(reader_label__icontains=text)
            .values(id_text=Cast("pk", CharField()))
        )  # ids as text, like the snapshot's value
        found |= Q(**{f"{value}__in": labelled})
    return found
