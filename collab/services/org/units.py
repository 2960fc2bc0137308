"""Writes of the org unit tree: create, update, rename, move (the whole subtree), delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Length, Replace
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, edited_columns, editor, lock_for_delete, lock_for_edit, mark_edited
from collab.models import Employee, OrgUnit, Position
from collab.page_cache import display_changed
from collab.services.org.checks import (
    MAX_PATH,
    _apply,
    _delete,
    _scoped,
    _text,
    _unique,
    _validate,
)
from collab.tenancy import current_tenant


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _lock_tree(*units: OrgUnit | None) -> list[OrgUnit]:
    """Lock every row on the paths of `units` (ancestors included), in id order, and return the units fresh.

    Raises a field-less ValidationError if a unit no longer exists or the tree keeps changing under us.
    """
    wanted = [unit.pk for unit in units if unit is not None]
    for _attempt in range(5):
        fresh = {u.pk: u for u in OrgUnit.objects.filter(pk__in=wanted)}
        if len(fresh) != len(set(wanted)):
            raise ValidationError(_("That org unit no longer exists."))
        ids = sorted({pk for unit in fresh.values() for pk in _path_ids(unit.path)} | set(wanted))
        locked = {u.pk: u for u in OrgUnit.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        if all(
            pk in locked and set(_path_ids(locked[pk].path)) <= set(locked) for pk in wanted
        ):
            return [locked[unit.pk] if unit is not None else None for unit in units]
    raise ValidationError(_("The org tree is being changed by someone else; try again."))


@transaction.atomic
def org_unit_create(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    if parent is not None:
        parent = _scoped(OrgUnit, parent, "parent")
        (parent,) = _lock_tree(parent)
    unit = OrgUnit(
        tenant=current_tenant(),
        code=_text(code),
        name=_text(name),
        kind=kind,
        parent=parent,
        path="/",
        depth=0 if parent is None else parent.depth + 1,
        updated_by=editor(actor),
    )
    _validate(unit, exclude=("path", "depth"))
    _unique(OrgUnit, unit, "code", _("An org unit with this code already exists."))
    prefix = parent.path if parent is not None else "/"
    if len(prefix) + 20 > MAX_PATH:
        raise ValidationError({"parent": _("The tree is too deep to add a unit here.")})
    unit.save()
    unit.path = f"{prefix}{unit.pk}/"
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    audit_record(actor=actor, action="org_unit.create", obj=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def org_unit_update(
    *,
    actor,
    unit: OrgUnit,
    lock_version: int | None,
    code: str = UNSET,
    name: str = UNSET,
    kind: str = UNSET,
) -> OrgUnit:
    """Change code, name or kind (not the parent: that is `org_unit_move`)."""
    unit = lock_for_edit(OrgUnit, _scoped(OrgUnit, unit, "unit"), lock_version)
    before = snapshot(unit)
    applied = _apply(unit, {"code": code, "name": name, "kind": kind})
    if not applied:
        return unit
    _validate(unit)
    if "code" in applied:
        _unique(OrgUnit, unit, "code", _("An org unit with this code already exists."))
    unit.save(update_fields=[*applied, *mark_edited(unit, actor)])
    audit_record(actor=actor, action="org_unit.update", obj=unit, before=before, after=snapshot(unit))
    return unit


def org_unit_rename(*, actor, unit: OrgUnit, lock_version: int | None, name: str) -> OrgUnit:
    return org_unit_update(actor=actor, unit=unit, lock_version=lock_version, name=name)


@transaction.atomic
def org_unit_move(*, actor, unit: OrgUnit, parent: OrgUnit | None, lock_version: int | None) -> OrgUnit:
    """Put `unit` (with its whole subtree) under `parent` (None: make it a root).

    Refused when `parent` is the unit itself or one of its descendants. The subtree's paths and depths are
    rewritten in a single UPDATE.
    """
    unit = _scoped(OrgUnit, unit, "unit")
    if parent is not None:
        parent = _scoped(OrgUnit, parent, "parent")
    unit, parent = _lock_tree(unit, parent)
    unit = lock_for_edit(OrgUnit, unit, lock_version)
    if parent is not None and (parent.pk == unit.pk or parent.path.startswith(unit.path)):
        if parent.pk == unit.pk:
            message = _("A unit cannot be moved under itself.")
        else:
            message = _(
                "“%(unit)s” cannot be moved under “%(parent)s”: that unit is one of its own sub-units."
            ) % {"unit": unit.name, "parent": parent.name}
        raise ValidationError({"parent": message})
    if (parent.pk if parent is not None else None) == unit.parent_id:
        return unit
    old_path = unit.path
    new_path = f"{parent.path if parent is not None else '/'}{unit.pk}/"
    delta = (parent.depth + 1 if parent is not None else 0) - unit.depth
    subtree = OrgUnit.objects.filter(path__startswith=old_path)
    longest = subtree.aggregate(longest=Max(Length("path")))["longest"] or len(old_path)
    if longest - len(old_path) + len(new_path) > MAX_PATH:
        raise ValidationError({"parent": _("The tree would become too deep; choose a higher parent.")})
    before = snapshot(unit)
    # One UPDATE for the whole subtree: swap the path prefix, shift depth, re-point the moved unit's parent
    # (and only the moved unit takes a new lock_version: its parent changed, its sub-units' did not).
    def moved_only(name: str, value):
        field = OrgUnit._meta.get_field(name)
        return Case(When(pk=unit.pk, then=value), default=F(name), output_field=field)

    stamp = edited_columns(actor)
    subtree.update(
        path=Replace("path", Value(old_path), Value(new_path)),
        depth=F("depth") + delta,
        parent=moved_only("parent", Value(parent.pk if parent is not None else None)),
        lock_version=moved_only("lock_version", stamp["lock_version"]),
        updated_by=moved_only("updated_by", Value(getattr(stamp["updated_by"], "pk", None))),
        updated_at=moved_only("updated_at", Value(stamp["updated_at"])),
    )
    unit.refresh_from_db()
    display_changed(unit.tenant_id)  # the UPDATE sends no post_save; labels name the parent
    audit_record(actor=actor, action="org_unit.move", obj=unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def org_unit_delete(*, actor, unit: OrgUnit, lock_version: Any = UNSET) -> None:
    """Delete an empty unit: refused while it has sub-units, positions or employees, or when it changed
    since the editor saw `lock_version` (StaleEditError)."""
    (unit,) = _lock_tree(_scoped(OrgUnit, unit, "unit"))
    unit = lock_for_delete(OrgUnit, unit, lock_version)
    if OrgUnit.objects.filter(parent=unit).exists():
        raise ValidationError(_("“%(unit)s” has sub-units: move or delete them first.") % {"unit": unit.name})
    if Position.objects.filter(org_unit=unit).exists():
        raise ValidationError(_("“%(unit)s” has positions: move or delete them first.") % {"unit": unit.name})
    if Employee.objects.filter(org_unit=unit).exists():
        raise ValidationError(_("“%(unit)s” has employees: move them first.") % {"unit": unit.name})
    _delete(unit, actor=actor, action="org_unit.delete")


__all__ = [
    "org_unit_create",
    "org_unit_delete",
    "org_unit_move",
    "org_unit_rename",
    "org_unit_update",
]
