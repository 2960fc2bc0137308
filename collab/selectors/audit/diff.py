"""An event's before/after as rows, and events in words for the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from collab.models import AuditEvent
from collab.selectors.audit.vocabulary import action_label, object_type_label
from collab.selectors.audit.words import SnapshotWords, _display, object_names

# --- before/after comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: str
    after: str
    status: str  # "same", "changed", "added", "removed"
    label: str = ""  # the field's name in the reader's language

    @property
    def changed(self) -> bool:
        return self.status != "same"


def audit_diff(
    before: Any, after: Any, *, words: SnapshotWords | None = None, object_type: str = ""
) -> list[DiffRow]:
    """Field-by-field comparison of two snapshots, in a stable order (before's keys, then new ones).

    Snapshots are normally dicts. A creation has no "before" (every field is added), a deletion no
    "after" (every field is removed); anything that is not a dict is compared as a single value.
    The comparison is of the stored values; `words` (when given) only changes how they are shown.
    """
    if before is None and after is None:
        return []
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [DiffRow("value", _display(before), _display(after), _status(before, after), "value")]
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
        if words is None:
            rows.append(DiffRow(str(key), _display(old.get(key)), _display(new.get(key)), status, str(key)))
            continue
        shown = (words.value(object_type, key, old.get(key)), words.value(object_type, key, new.get(key)))
        rows.append(DiffRow(str(key), *shown, status, words.field(object_type, key)))
    return rows


def _status(old: Any, new: Any) -> str:
    return "same" if old == new else "changed"


# --- export ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInWords:
    event: AuditEvent
    action: str
    object_type: str
    object_name: str
    changes: list[DiffRow]  # the changed fields only, values in words


def audit_events_in_words(
    events: QuerySet[AuditEvent], *, limit: int, batch_size: int = 2000
) -> Iterator[EventInWords]:
    """At most `limit` events in the words of the pages, streamed: per batch of events one query for the
    events and one per referenced model for their words, without caching the whole result."""
    stream = events[:limit].iterator(chunk_size=batch_size)
    while batch := list(islice(stream, batch_size)):
        words = SnapshotWords(batch)
        names = object_names(batch, words=words)
        for event in batch:
            rows = audit_diff(event.before, event.after, words=words, object_type=event.object_type)
            yield EventInWords(
                event=event,
                action=action_label(event.action),
                object_type=object_type_label(event.object_type),
                object_name=names.get(event.pk, event.object_repr),
                changes=[row for row in rows if row.changed],
            )
