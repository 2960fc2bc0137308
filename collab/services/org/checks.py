"""What every org write shares: validation, uniqueness, scoped look-ups, deletes, changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET
from collab.models import OrgUnit

MAX_PATH = OrgUnit._meta.get_field("path").max_length
MAX_MANAGER_CHAIN = 10_000

_FK_FIELDS = ("tenant", "parent", "org_unit", "position", "manager", "user")


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _validate(obj, *, exclude: tuple[str, ...] = ()) -> None:
    """Field validation (lengths, choices, validators, NUL characters) without FK queries."""
    errors: dict[str, list[str]] = {}
    for model_field in obj._meta.concrete_fields:
        value = getattr(obj, model_field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            errors.setdefault(model_field.name, []).append(_("Null characters are not allowed."))
    try:
        obj.full_clean(
            exclude=[*_FK_FIELDS, *exclude, *errors], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _unique(model, obj, field: str, message: str) -> None:
    value = getattr(obj, field)
    clash = model.objects.filter(**{field: value})
    if obj.pk is not None:
        clash = clash.exclude(pk=obj.pk)
    if clash.exists():
        raise ValidationError({field: message})


def _scoped(model, obj, field: str, *, lock: bool = False):
    """The scoped tenant's fresh row for `obj`; another tenant's row reads as missing (a field error)."""
    if obj is None:
        return None
    queryset = model.objects.select_for_update() if lock else model.objects
    pk = obj.pk if isinstance(obj, model) else None
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: _("Choose a valid option; that one does not exist.")})
    return found


def _delete(obj, *, actor, action: str) -> None:
    before = snapshot(obj)
    pk, label = obj.pk, str(obj)
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as error:
        message = _("%(object)s is still used elsewhere (for example by goals) and cannot be deleted.")
        raise ValidationError(message % {"object": label}) from error
    audit_record(
        actor=actor, action=action, object_type=obj._meta.label_lower, object_id=pk, object_repr=label,
        before=before,
    )


def _apply(obj, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the given fields; returns those whose value really changes (saving the same values writes nothing,
    so the audit log holds no "edited" events without a change)."""
    applied = {}
    for key, value in changes.items():
        if value is UNSET:
            continue
        value = _text(value)
        field = obj._meta.get_field(key)
        new = value.pk if field.is_relation and value is not None else value
        if getattr(obj, field.attname) != new:
            setattr(obj, key, value)
            applied[key] = value
    return applied
