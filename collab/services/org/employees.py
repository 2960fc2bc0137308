"""Writes of employees: create, update (manager chain and linked user checked), delete."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, editor, lock_for_delete, lock_for_edit, mark_edited
from collab.models import Employee, Membership, OrgUnit, Position
from collab.services.org.checks import (
    MAX_MANAGER_CHAIN,
    _apply,
    _delete,
    _scoped,
    _text,
    _unique,
    _validate,
)
from collab.tenancy import current_tenant


def _check_manager(employee: Employee, manager: Employee | None) -> None:
    """The manager is in this tenant and the reporting line never loops back to the employee."""
    if manager is None:
        return
    if employee.pk is not None and manager.pk == employee.pk:
        raise ValidationError({"manager": _("An employee cannot be their own manager.")})
    if employee.pk is None:
        return
    seen: set[int] = set()
    current = manager.manager_id
    while current is not None and current not in seen and len(seen) < MAX_MANAGER_CHAIN:
        if current == employee.pk:
            message = _("%(manager)s reports (directly or indirectly) to %(employee)s: that makes a loop.")
            raise ValidationError({"manager": message % {"manager": manager.name, "employee": employee.name}})
        seen.add(current)
        current = Employee.objects.filter(pk=current).values_list("manager_id", flat=True).first()


def _check_user(employee: Employee, user) -> None:
    if user is None:
        return
    if not Membership.objects.filter(user=user).exists():
        raise ValidationError({"user": _("That user is not a member of this company.")})
    clash = Employee.objects.filter(user=user)
    if employee.pk is not None:
        clash = clash.exclude(pk=employee.pk)
    if clash.exists():
        raise ValidationError({"user": _("That user is already linked to another employee.")})


def _scoped_user(user):
    if user is None:
        return None
    found = get_user_model().objects.filter(pk=getattr(user, "pk", None)).first()
    if found is None:
        raise ValidationError({"user": _("Choose a valid option; that one does not exist.")})
    return found


@transaction.atomic
def employee_create(
    *,
    actor,
    employee_no: str,
    name: str,
    org_unit: OrgUnit,
    email: str = "",
    position: Position | None = None,
    manager: Employee | None = None,
    user=None,
    is_active: bool = True,
) -> Employee:
    employee = Employee(
        tenant=current_tenant(),
        employee_no=_text(employee_no),
        name=_text(name),
        email=_text(email) or "",
        org_unit=_scoped(OrgUnit, org_unit, "org_unit"),
        position=_scoped(Position, position, "position"),
        manager=_scoped(Employee, manager, "manager"),
        user=_scoped_user(user),
        is_active=is_active,
        updated_by=editor(actor),
    )
    _validate(employee)
    _unique(Employee, employee, "employee_no", _("An employee with this number already exists."))
    _check_manager(employee, employee.manager)
    _check_user(employee, employee.user)
    employee.save()
    audit_record(actor=actor, action="employee.create", obj=employee, after=snapshot(employee))
    return employee


@transaction.atomic
def employee_update(
    *,
    actor,
    employee: Employee,
    lock_version: int | None,
    employee_no: str = UNSET,
    name: str = UNSET,
    email: str = UNSET,
    org_unit: OrgUnit = UNSET,
    position: Position | None = UNSET,
    manager: Employee | None = UNSET,
    user=UNSET,
    is_active: bool = UNSET,
) -> Employee:
    employee = lock_for_edit(Employee, _scoped(Employee, employee, "employee"), lock_version)
    before = snapshot(employee)
    if org_unit is not UNSET:
        org_unit = _scoped(OrgUnit, org_unit, "org_unit")
    if position is not UNSET:
        position = _scoped(Position, position, "position")
    if manager is not UNSET:
        manager = _scoped(Employee, manager, "manager")
    if user is not UNSET:
        user = _scoped_user(user)
    if email is not UNSET and email is None:
        email = ""
    applied = _apply(
        employee,
        {
            "employee_no": employee_no,
            "name": name,
            "email": email,
            "org_unit": org_unit,
            "position": position,
            "manager": manager,
            "user": user,
            "is_active": is_active,
        },
    )
    if not applied:
        return employee
    _validate(employee)
    if "employee_no" in applied:
        _unique(Employee, employee, "employee_no", _("An employee with this number already exists."))
    if "manager" in applied:
        _check_manager(employee, employee.manager)
    if "user" in applied:
        _check_user(employee, employee.user)
    mark_edited(employee, actor)
    employee.save()
    audit_record(actor=actor, action="employee.update", obj=employee, before=before, after=snapshot(employee))
    return employee


@transaction.atomic
def employee_delete(*, actor, employee: Employee, lock_version: Any = UNSET) -> None:
    """Delete an employee record; their reports keep working with no manager set."""
    employee = lock_for_delete(Employee, _scoped(Employee, employee, "employee", lock=True), lock_version)
    _delete(employee, actor=actor, action="employee.delete")


__all__ = [
    "employee_create",
    "employee_delete",
    "employee_update",
]
