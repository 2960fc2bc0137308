"""Reads of the audit log: filtered lists, filter choices, one event, and a before/after diff.

Every query here runs inside the request's tenant scope (the default manager fails closed), and
each function issues a fixed number of queries however many events there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet

from collab.models import AuditEvent

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
        events = events.filter(Q(object_repr__icontains=text) | Q(object_id=text))
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


def audit_event_get(pk: int) -> AuditEvent:
    """One event of the scoped tenant; raises AuditEvent.DoesNotExist for a missing or foreign id."""
    return AuditEvent.objects.get(pk=pk)


def audit_rows_for_export(events: QuerySet[AuditEvent], *, limit: int) -> Iterator[AuditEvent]:
    """Stream at most `limit` events in one query, without caching the whole result."""
    return events[:limit].iterator(chunk_size=2000)


# --- before/after comparison (pure; no ORM) -------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: str
    after: str
    status: str  # "same", "changed", "added", "removed"

    @property
    def changed(self) -> bool:
        return self.status != "same"


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def audit_diff(before: Any, after: Any) -> list[DiffRow]:
    """Field-by-field comparison of two snapshots, in a stable order (before's keys, then new ones).

    Snapshots are normally dicts. A creation has no "before" (every field is added), a deletion no
    "after" (every field is removed); anything that is not a dict is compared as a single value.
    """
    if before is None and after is None:
        return []
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [DiffRow("value", _display(before), _display(after), _status(before, after))]
    old, new = before or {}, after or {}
    keys = list(old) + [key for key in new if key not in old]
    rows = []
    for key in keys:
        if key not in new:
            status = "removed"
        elif key not in old:
            status = "added"
        else:
            status = _status(old[key], new[key])
        rows.append(DiffRow(str(key), _display(old.get(key)), _display(new.get(key)), status))
    return rows


def _status(old: Any, new: Any) -> str:
    return "same" if old == new else "changed"
