"""Reads of the audit log: filtered lists, filter choices, one event, a before/after diff, and the words
that show codes, ids and choices to a reader.

Every query here runs inside the request's tenant scope (the default manager fails closed), and
each function issues a fixed number of queries however many events there are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, CharField, DateTimeField, F, Model, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_action_labels
from collab.models import AuditEvent, Membership, Period, Role
from collab.tenancy import TenantOwned, current_tenant_or_none

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


# --- words for codes: actions, object types, snapshot fields and values ----------------------------

# Snapshot keys that are not fields of the audited model but still name another object or choices.
EXTRA_REFERENCES = {
    "collab.membership": {"employee": "collab.employee"},
    "collab.period": {"period": "collab.period"},  # a goal tree's publication
}
EXTRA_CHOICES = {"collab.membership": {"roles": Role.choices}}


# Words where a model's own verbose name is missing or not what the pages call it.
OBJECT_TYPE_LABELS = {"collab.tenant": _("Company"), "collab.membership": _("Member")}
KEY_LABELS = {
    "user": _("User"),
    "updated_by": _("Updated by"),
    "goals": _("Goals"),
    "weights": _("Weights"),  # a reweight's
    "sum": _("Weight sum"),
    # fields whose verbose name Django made from the field's name (so never translated)
    "published_at": _("Published at"),
    "created_at": _("Created at"),
    "updated_at": _("Updated at"),
    "deactivated_at": _("Deactivated at"),
    "lock_version": _("Edit version"),
    "version": _("Version"),
    "depth": _("Depth"),
    "path": _("Tree path"),
}


# --- how referenced objects are named: database expressions, so that one query names any number of them and
# the log's search matches the words the reader sees. `via` reaches the object through a relation ("kpi__").


def _coded(via: str, name: str, code: str) -> Concat:
    return Concat(F(f"{via}{name}"), Value(" ("), F(f"{via}{code}"), Value(")"), output_field=CharField())


def unit_label_expr(via: str = "") -> Concat:
    """Same-named units exist in every subsidiary (生产部): a unit is named with its code."""
    return _coded(via, "name", "code")


def position_label_expr(via: str = "") -> Concat:
    return _coded(via, "title", "code")


def _employee_label(via: str = "") -> Concat:
    return _coded(via, "name", "employee_no")


def period_label_expr(via: str = "") -> Case:
    """As Period.label: 2026, 2026 Q4, 2026-03."""
    year = Cast(F(f"{via}year"), CharField())
    return Case(
        When(
            **{f"{via}kind": Period.Kind.QUARTER},
            then=Concat(year, Value(" Q"), Cast(F(f"{via}quarter"), CharField())),
        ),
        When(
            **{f"{via}kind": Period.Kind.MONTH},
            then=Concat(year, Value("-"), LPad(Cast(F(f"{via}month"), CharField()), 2, Value("0"))),
        ),
        default=year,
        output_field=CharField(),
    )


REFERENCE_LABELS: dict[str, Callable[[], Any]] = {
    "collab.orgunit": unit_label_expr,
    "collab.position": position_label_expr,
    "collab.employee": _employee_label,
    "collab.period": period_label_expr,
}
# Snapshot values that are dicts keyed by ids of another object (a reweight's {"<goal id>": "40.00"}).
KEYED_BY_REFERENCES: dict[str, dict[str, str]] = {}

# Objects whose own name is made of ids (a scorecard is "unit:44@52"): named by these snapshot fields.
OBJECT_NAME_FIELDS: dict[str, tuple[str, ...]] = {}
# Objects whose events may change their children instead (a reweight of a goal's children is recorded on
# their parent goal with only {"period", "parent", "weights"} in its snapshots): such an event is named by
# the parent (the snapshot key given here), or the period's top level.
SIBLINGS_PARENTS: dict[str, str] = {}


def audit_object_words_register(
    object_type: str,
    *,
    label: Callable[[str], Any] | None = None,
    name_fields: tuple[str, ...] = (),
    keyed_by: dict[str, str] | None = None,
    siblings_parent: str = "",
) -> None:
    """How the log words an app's objects (registered from the app's `AppConfig.ready()`): `label`, a
    database expression naming one by its relation path ("kpi__"); `name_fields`, the snapshot fields that
    name an object whose stored name is made of ids; `keyed_by`, snapshot keys whose dict values are keyed
    by ids of another object type; `siblings_parent`, see SIBLINGS_PARENTS."""
    if label is not None:
        REFERENCE_LABELS[object_type] = label
    if name_fields:
        OBJECT_NAME_FIELDS[object_type] = name_fields
    if keyed_by:
        KEYED_BY_REFERENCES[object_type] = keyed_by
    if siblings_parent:
        SIBLINGS_PARENTS[object_type] = siblings_parent


def action_label(code: str) -> str:
    """The action in the reader's language; an action nobody has named yet shows its code."""
    return str(audit_action_labels().get(code, code))


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    if object_type in OBJECT_TYPE_LABELS:
        return str(OBJECT_TYPE_LABELS[object_type])
    model = _model(object_type)
    return capfirst(model._meta.verbose_name) if model is not None else object_type


def _field(model: type[Model] | None, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _referenced_model(model: type[Model] | None, key: str) -> type[Model] | None:
    """The model a snapshot key points to (a foreign key, or a key named in EXTRA_REFERENCES)."""
    if model is None:
        return None
    extra = EXTRA_REFERENCES.get(model._meta.label_lower, {}).get(key)
    if extra:
        return apps.get_model(extra)
    field = _field(model, key)
    if field is not None and field.concrete and field.is_relation:
        return field.related_model
    return None


def _child_model(model: type[Model] | None, key: str) -> type[Model] | None:
    """The model of rows nested under a reverse relation (a matrix's rows, a scorecard's lines)."""
    field = _field(model, key)
    return field.related_model if field is not None and field.one_to_many else None


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _keyed_model(model: type[Model] | None, key: str) -> type[Model] | None:
    """The model whose ids key a snapshot's dict value (see KEYED_BY_REFERENCES)."""
    if model is None:
        return None
    keyed = KEYED_BY_REFERENCES.get(model._meta.label_lower, {}).get(key)
    return apps.get_model(keyed) if keyed else None


def _key_ids(value: dict) -> list[int]:
    return [int(key) for key in value if str(key).isdigit()]


class SnapshotWords:
    """Turns the before/after snapshots of some events into words: field names by their labels, foreign keys
    by the referenced object's label (loaded in bulk: one query per referenced model, however many events),
    choices by their labels, booleans as yes/no. A referenced object that is gone shows its id, "(deleted)".
    """

    def __init__(
        self,
        events: Iterable[AuditEvent],
        *,
        only: dict[str, tuple[str, ...]] | None = None,
        timezone_name: str | None = None,
    ):
        """`only`: read just these keys of these object types' snapshots (and no other type's).
        `timezone_name`: where moments are shown (default: the current tenant's time zone)."""
        if timezone_name is None:
            tenant = current_tenant_or_none()
            timezone_name = tenant.timezone if tenant is not None else None
        self.zone = tenant_zone(timezone_name)
        wanted: dict[type[Model], set[int]] = defaultdict(set)
        for event in events:
            if only is not None and event.object_type not in only:
                continue
            model = _model(event.object_type)
            for snapshot in (event.before, event.after):
                if isinstance(snapshot, dict):
                    keys = only[event.object_type] if only is not None else snapshot
                    self._collect(model, {key: snapshot.get(key) for key in keys}, wanted)
        self.labels = {target: _labels(target, ids) for target, ids in wanted.items()}

    def _collect(self, model, snapshot: dict, wanted: dict) -> None:
        for key, value in snapshot.items():
            target = _referenced_model(model, key)
            if target is not None:
                wanted[target].update(_ids(value))
            keyed = _keyed_model(model, key)
            if keyed is not None and isinstance(value, dict):
                wanted[keyed].update(_key_ids(value))
            child = _child_model(model, key)
            if child is not None and isinstance(value, list):
                for row in value:
                    if isinstance(row, dict):
                        self._collect(child, row, wanted)

    def field(self, object_type: str, key: str) -> str:
        return _field_label(_model(object_type), key)

    def value(self, object_type: str, key: str, value: Any) -> str:
        return self._words(_model(object_type), key, value)

    def _words(self, model, key: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        target = _referenced_model(model, key)
        if target is not None and _ids(value):
            return ", ".join(self._reference(target, pk) for pk in _ids(value))
        choices = _choices(model, key)
        if choices:
            values = value if isinstance(value, list) else [value]
            return ", ".join(str(choices.get(v, v)) for v in values)
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(_field(model, key), DateTimeField) and isinstance(value, str):
            moment = parse_datetime(value)
            if moment is not None:  # stored in UTC; read in the tenant's time zone, to the second
                if timezone.is_naive(moment):
                    moment = timezone.make_aware(moment, ZoneInfo("UTC"))
                return f"{timezone.localtime(moment, self.zone):%Y-%m-%d %H:%M:%S}"
        keyed = _keyed_model(model, key)
        if keyed is not None and isinstance(value, dict) and len(_key_ids(value)) == len(value):
            return "\n".join(
                _("%(field)s: %(value)s") % {"field": self._reference(keyed, int(pk)), "value": _display(v)}
                for pk, v in value.items()
            )
        child = _child_model(model, key)
        if child is not None and isinstance(value, list) and all(isinstance(row, dict) for row in value):
            return "\n".join(self._row(child, row) for row in value)
        return _display(value)

    def _row(self, model, row: dict) -> str:
        # In the model's field order: PostgreSQL's jsonb does not keep the order the keys were written in.
        fields = model._meta.fields
        order = {name: i for i, field in enumerate(fields) for name in (field.name, field.attname)}
        keys = sorted(row, key=lambda key: order.get(key, len(fields)))
        parts = (
            _("%(field)s: %(value)s")
            % {"field": _field_label(model, key), "value": self._words(model, key, row[key]) or "—"}
            for key in keys
        )
        return " · ".join(parts)

    def _reference(self, target: type[Model], pk: int) -> str:
        label = self.labels.get(target, {}).get(pk)
        if label is None:
            return str(_("#%(id)s (deleted)") % {"id": pk})
        return label


def _field_label(model, key: str) -> str:
    field = _field(model, key)
    if field is not None and field.one_to_many:  # nested rows: the rows' model, in the plural
        name = field.related_model._meta.verbose_name_plural
    elif field is not None:
        name = field.verbose_name
        if isinstance(name, str):  # made from the field's name, so never translated
            name = KEY_LABELS.get(key, name)
    else:
        target = _referenced_model(model, key)
        name = target._meta.verbose_name if target is not None else KEY_LABELS.get(key)
    return capfirst(str(name)) if name else key


def object_names(events: list[AuditEvent], *, words: SnapshotWords | None = None) -> dict[int, str]:
    """Readable names of the events' objects where the stored name is made of ids (see OBJECT_NAME_FIELDS),
    from the snapshot the event carries: one query per referenced model for the whole list (none when the
    events' `words` are given)."""
    if words is None:
        keys = {**OBJECT_NAME_FIELDS}
        keys.update({kind: (*OBJECT_NAME_FIELDS[kind], parent) for kind, parent in SIBLINGS_PARENTS.items()})
        words = SnapshotWords(events, only=keys)
    names = {}
    for event in events:
        keys = OBJECT_NAME_FIELDS.get(event.object_type)
        if not keys:
            continue
        snapshot = _naming_snapshot(event, keys)
        if snapshot is not None:
            parts = [words.value(event.object_type, key, snapshot.get(key)) for key in keys]
            names[event.pk] = " · ".join(part for part in parts if part)
        elif event.object_type in SIBLINGS_PARENTS and isinstance(event.after, dict):
            names[event.pk] = _siblings_name(words, event.object_type, event.after)
    return {pk: name for pk, name in names.items() if name}


def _naming_snapshot(event: AuditEvent, keys: tuple[str, ...]) -> dict | None:
    """The snapshot that holds the object's name: "after", or "before" when "after" is a summary (a
    deletion's {"period", "deleted"}); neither for a reweight."""
    for snapshot in (event.after, event.before):
        if isinstance(snapshot, dict) and all(key in snapshot for key in keys):
            return snapshot
    return None


def _siblings_name(words: SnapshotWords, object_type: str, snapshot: dict) -> str:
    key = SIBLINGS_PARENTS[object_type]
    parent = words.value(object_type, key, snapshot.get(key))
    if parent:
        return parent
    period = words.value(object_type, "period", snapshot.get("period"))
    return str(_("top level of %(p)s") % {"p": period}) if period else ""


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


def _choices(model, key: str) -> dict:
    if model is None:
        return {}
    extra = EXTRA_CHOICES.get(model._meta.label_lower, {}).get(key)
    if extra:
        return dict(extra)
    field = _field(model, key)
    return dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}


def _labels(target: type[Model], ids: set[int]) -> dict[int, str]:
    """One query: the labels of the tenant's objects among `ids` (users: those who are members here)."""
    if target is get_user_model():
        members = Membership.objects.filter(user_id__in=ids).values_list("user_id", "user__username")
        return dict(members)
    if not issubclass(target, TenantOwned):
        return {}  # not the tenant's to show
    objects = target.objects.filter(pk__in=ids)
    label = REFERENCE_LABELS.get(target._meta.label_lower)
    if label is None:
        return {obj.pk: str(obj) for obj in objects}
    return dict(objects.annotate(reader_label=label()).values_list("pk", "reader_label"))


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


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


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
