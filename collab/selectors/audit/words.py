"""Naming what snapshots hold: referenced objects, choices and the events' own objects, in one query each.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from collab.models import AuditEvent, Membership
from collab.selectors.audit.events import tenant_zone
from collab.selectors.audit.vocabulary import (
    EXTRA_CHOICES,
    KEY_LABELS,
    OBJECT_NAME_FIELDS,
    REFERENCE_LABELS,
    SIBLINGS_PARENTS,
    _child_model,
    _field,
    _ids,
    _key_ids,
    _keyed_model,
    _model,
    _referenced_model,
)
from collab.tenancy import TenantOwned, current_tenant_or_none


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
    elif field is not None and field.auto_created and not field.concrete:  # a reverse one-to-one
        name = field.related_model._meta.verbose_name
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


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
