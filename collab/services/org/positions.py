"""Writes of positions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, editor, lock_for_delete, lock_for_edit, mark_edited
from collab.models import Employee, OrgUnit, Position
from collab.services.org.checks import _apply, _delete, _scoped, _text, _unique, _validate
from collab.tenancy import current_tenant


@transaction.atomic
def position_create(
    *, actor, code: str, title: str, org_unit: OrgUnit, job_family: str = "", level: str = ""
) -> Position:
    position = Position(
        tenant=current_tenant(),
        code=_text(code),
        title=_text(title),
        org_unit=_scoped(OrgUnit, org_unit, "org_unit"),
        job_family=_text(job_family) or "",
        level=_text(level) or "",
        updated_by=editor(actor),
    )
    _validate(position)
    _unique(Position, position, "code", _("A position with this code already exists."))
    position.save()
    audit_record(actor=actor, action="position.create", obj=position, after=snapshot(position))
    return position


@transaction.atomic
def position_update(
    *,
    actor,
    position: Position,
    lock_version: int | None,
    code: str = UNSET,
    title: str = UNSET,
    org_unit: OrgUnit = UNSET,
    job_family: str = UNSET,
    level: str = UNSET,
) -> Position:
    position = lock_for_edit(Position, _scoped(Position, position, "position"), lock_version)
    before = snapshot(position)
    if org_unit is not UNSET:
        org_unit = _scoped(OrgUnit, org_unit, "org_unit")
    changes = {"code": code, "title": title, "org_unit": org_unit, "job_family": job_family, "level": level}
    applied = _apply(position, changes)
    if not applied:
        return position
    _validate(position)
    if "code" in applied:
        _unique(Position, position, "code", _("A position with this code already exists."))
    mark_edited(position, actor)
    position.save()
    audit_record(actor=actor, action="position.update", obj=position, before=before, after=snapshot(position))
    return position


@transaction.atomic
def position_delete(*, actor, position: Position, lock_version: Any = UNSET) -> None:
    position = lock_for_delete(Position, _scoped(Position, position, "position", lock=True), lock_version)
    if Employee.objects.filter(position=position).exists():
        message = _("“%(position)s” is held by employees: give them another position first.")
        raise ValidationError(message % {"position": position})
    _delete(position, actor=actor, action="position.delete")


__all__ = [
    "position_create",
    "position_delete",
    "position_update",
]
