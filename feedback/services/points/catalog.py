"""HR's side of points: the catalog of items, the tenant's point settings and the list of project leads.
Atomic and audited; a stale `lock_version` raises `StaleEditError`; a save that changes nothing writes
nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import (
    UNSET,
    changed_fields,
    editor,
    field_values,
    lock_for_delete,
    lock_for_edit,
    mark_edited,
)
from collab.models import Employee
from collab.numbers import parse_number
from collab.text import clean_text
from feedback.models import PointItem, PointLedgerEntry, PointProjectLead, PointProposal, PointSettings

MAX_POINTS = Decimal(100)
MAX_TAGS = 30
ITEM_FIELDS = ["name", "description", "points", "levels", "job_families", "is_active"]
SETTINGS_FIELDS = ["manager_cap", "project_lead_cap", "second_approval"]


def points_value(value: Any, *, field: str = "points", allow_zero: bool = False) -> Decimal:
    """Signed points as typed or sent: a number with at most two decimals, not 0, at most ±100."""
    try:
        number = parse_number(value)
    except ValueError as error:
        raise ValidationError({field: [str(error)]}) from None
    if abs(number) > MAX_POINTS:  # first: a huge exponent (1e400) cannot be quantized
        raise ValidationError({field: [_("At most %(n)s points either way.") % {"n": MAX_POINTS}]})
    if number == 0 and not allow_zero:
        raise ValidationError({field: [_("Points are a bonus (+) or a penalty (−), never 0.")]})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("Use at most two decimals.")]})
    return number.quantize(Decimal("0.01"))


def _tags(value: Any, field: str, limit: int) -> list[str]:
    """A list of short labels (levels, job families): trimmed, blanks and repeats dropped."""
    if isinstance(value, str):
        value = re.split(r"[,，、;；\n]", value)
    if not isinstance(value, Sequence):
        raise ValidationError({field: [_("Give a list of names.")]})
    out: list[str] = []
    for item in value:
        try:
            text = clean_text(item, limit)
        except ValueError as error:
            raise ValidationError({field: [str(error)]}) from None
        if text and text not in out:
            out.append(text)
    if len(out) > MAX_TAGS:
        raise ValidationError({field: [_("Name at most %(n)d.") % {"n": MAX_TAGS}]})
    return out


def _item_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def check(field, read):
        if field not in data and (partial or field not in ("name", "points")):
            return
        try:
            out[field] = read(data.get(field))
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
        except ValueError as error:
            errors[field] = [str(error)]

    def name(value):
        text = clean_text(value, 200)
        if not text:
            raise ValidationError({"name": [_("This field is required.")]})
        return text

    def active(value):
        if not isinstance(value, bool):
            raise ValidationError({"is_active": [_("Must be a valid boolean.")]})
        return value

    check("name", name)
    check("description", lambda value: clean_text(value, 5000))
    check("points", lambda value: points_value(value))
    check("levels", lambda value: _tags(value, "levels", 30))
    check("job_families", lambda value: _tags(value, "job_families", 100))
    check("is_active", active)
    if errors:
        raise ValidationError(errors)
    return out


def _refuse_same_name(name: str | None, item: PointItem | None = None) -> None:
    if not name:
        return
    clash = PointItem.objects.filter(name__iexact=name)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise ValidationError({"name": _("A point item with this name exists already.")})


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationError({"name": _("A point item with this name exists already.")}) from None


@transaction.atomic
def point_item_create(*, actor, data: Mapping[str, Any]) -> PointItem:
    fields = _item_fields(data, partial=False)
    _refuse_same_name(fields["name"])
    item = _saved(lambda: PointItem.objects.create(**fields, updated_by=editor(actor)))
    audit_record(actor=actor, action="point_item.create", obj=item, after=snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def point_item_update(*, actor, item: PointItem, lock_version: Any, data: Mapping[str, Any]) -> PointItem:
    """Correct an item. Proposals made already keep the points they were made with; the ledger keeps its
    frozen copy."""
    current = lock_for_edit(PointItem, item, lock_version)
    fields = _item_fields(data, partial=True)
    _refuse_same_name(fields.get("name"), current)
    before_values = field_values(current)
    before = snapshot(current, ITEM_FIELDS)
    for field, value in fields.items():
        setattr(current, field, value)
    changed = changed_fields(current, before_values)
    if not changed:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*changed, *columns]))
    audit_record(
        actor=actor, action="point_item.update", obj=current, before=before,
        after=snapshot(current, ITEM_FIELDS),
    )  # fmt: skip
    return current


@transaction.atomic
def point_item_delete(*, actor, item: PointItem, lock_version: Any = UNSET) -> None:
    """Delete an item nobody used; one that was proposed is kept on record (make it inactive)."""
    current = lock_for_delete(PointItem, item, lock_version)
    used = (
        PointProposal.objects.filter(item=current).exists()
        or PointLedgerEntry.objects.filter(item=current).exists()
    )
    if used:
        raise ValidationError(
            {"item": [_("This item was proposed already and stays on record; make it inactive instead.")]}
        )
    before = snapshot(current, ITEM_FIELDS)
    pk = current.pk
    current.delete()
    audit_record(
        actor=actor, action="point_item.delete", object_type="feedback.pointitem", object_id=pk,
        object_repr=before.get("name", ""), before=before,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------- settings


def point_settings_current(*, lock: bool = False) -> PointSettings:
    """The tenant's point settings (the defaults, stored, the first time they are read)."""
    queryset = PointSettings.objects.select_for_update() if lock else PointSettings.objects.all()
    found = queryset.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PointSettings.objects.create()
    except IntegrityError:  # a concurrent first read stored them
        return queryset.get()


def _cap(value: Any, field: str) -> Decimal:
    number = points_value(value, field=field, allow_zero=True)
    if number < 0:
        raise ValidationError({field: [_("A cap is 0 or more.")]})
    return number


@transaction.atomic
def point_settings_update(*, actor, lock_version: Any, data: Mapping[str, Any]) -> PointSettings:
    current = lock_for_edit(PointSettings, point_settings_current(), lock_version)
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for field in ("manager_cap", "project_lead_cap"):
        if field in data:
            try:
                fields[field] = _cap(data[field], field)
            except ValidationError as invalid:
                errors.update(invalid.message_dict)
    if "second_approval" in data:
        if isinstance(data["second_approval"], bool):
            fields["second_approval"] = data["second_approval"]
        else:
            errors["second_approval"] = [_("Must be a valid boolean.")]
    if errors:
        raise ValidationError(errors)
    before_values = field_values(current)
    before = snapshot(current, SETTINGS_FIELDS)
    for field, value in fields.items():
        setattr(current, field, value)
    changed = changed_fields(current, before_values)
    if not changed:
        return current
    columns = mark_edited(current, actor)
    current.save(update_fields=[*changed, *columns])
    audit_record(
        actor=actor, action="point_settings.update", obj=current, object_repr=_("Point settings"),
        before=before, after=snapshot(current, SETTINGS_FIELDS),
    )  # fmt: skip
    return current


# ------------------------------------------------------------------------------------- project leads


@transaction.atomic
def point_project_lead_add(*, actor, employee: Employee, project: Any) -> PointProjectLead:
    """Name `employee` a project lead of `project`: they may propose points as a project lead."""
    try:
        name = clean_text(project, 200)
    except ValueError as error:
        raise ValidationError({"project": [str(error)]}) from None
    if not name:
        raise ValidationError({"project": [_("This field is required.")]})
    person = Employee.objects.filter(pk=getattr(employee, "pk", None), is_active=True).first()
    if person is None:
        raise ValidationError({"employee": [_("Choose an active employee.")]})
    if PointProjectLead.objects.filter(employee=person, project__iexact=name).exists():
        raise ValidationError(
            {"project": [_("%(name)s leads this project already.") % {"name": person.name}]}
        )
    lead = PointProjectLead.objects.create(employee=person, project=name)
    audit_record(
        actor=actor, action="point_project_lead.add", obj=lead, object_repr=f"{name}: {person.name}",
        after={"employee": person.pk, "project": name},
    )  # fmt: skip
    return lead


@transaction.atomic
def point_project_lead_remove(*, actor, lead: PointProjectLead) -> None:
    found = PointProjectLead.objects.select_related("employee").filter(pk=lead.pk).first()
    if found is None:
        return
    before = {"employee": found.employee_id, "project": found.project}
    pk, label = found.pk, f"{found.project}: {found.employee.name}"
    found.delete()
    audit_record(
        actor=actor, action="point_project_lead.remove", object_type="feedback.pointprojectlead",
        object_id=pk, object_repr=label, before=before,
    )  # fmt: skip
