"""Organisation writes: the unit tree, positions, employees and periods.

Every function is keyword-only, atomic and audited. Invalid input raises Django's `ValidationError` keyed
by field, so forms show it next to the field and the API answers it as a JSON field error.

The unit tree is a materialised path: `path` is "/<ancestor ids>/<own id>/" and `depth` the number of
ancestors. A move rewrites the whole subtree in one UPDATE. Tree writes lock the rows on the paths they
depend on (ancestors of the unit and of the new parent), so concurrent moves cannot interleave.

`ensure_period_open(period)` is the guard every area calls before writing anything that belongs to a period.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, ProtectedError, RestrictedError, Value, When
from django.db.models.functions import Length, Replace
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.models import Employee, Membership, OrgUnit, Period, Position
from collab.tenancy import current_tenant


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
MAX_PATH = OrgUnit._meta.get_field("path").max_length
MAX_MANAGER_CHAIN = 10_000

_FK_FIELDS = ("tenant", "parent", "org_unit", "position", "manager", "user")


# ----- shared checks ----------------------------------------------------------------------------------------
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
    applied = {key: _text(value) for key, value in changes.items() if value is not UNSET}
    for key, value in applied.items():
        setattr(obj, key, value)
    return applied


# ----- org units --------------------------------------------------------------------------------------------
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
    *, actor, unit: OrgUnit, code: str = UNSET, name: str = UNSET, kind: str = UNSET
) -> OrgUnit:
    """Change code, name or kind (not the parent: that is `org_unit_move`)."""
    unit = _scoped(OrgUnit, unit, "unit", lock=True)
    before = snapshot(unit)
    applied = _apply(unit, {"code": code, "name": name, "kind": kind})
    if not applied:
        return unit
    _validate(unit)
    if "code" in applied:
        _unique(OrgUnit, unit, "code", _("An org unit with this code already exists."))
    unit.save(update_fields=list(applied))
    audit_record(actor=actor, action="org_unit.update", obj=unit, before=before, after=snapshot(unit))
    return unit


def org_unit_rename(*, actor, unit: OrgUnit, name: str) -> OrgUnit:
    return org_unit_update(actor=actor, unit=unit, name=name)


@transaction.atomic
def org_unit_move(*, actor, unit: OrgUnit, parent: OrgUnit | None) -> OrgUnit:
    """Put `unit` (with its whole subtree) under `parent` (None: make it a root).

    Refused when `parent` is the unit itself or one of its descendants. The subtree's paths and depths are
    rewritten in a single UPDATE.
    """
    unit = _scoped(OrgUnit, unit, "unit")
    if parent is not None:
        parent = _scoped(OrgUnit, parent, "parent")
    unit, parent = _lock_tree(unit, parent)
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
    # One UPDATE for the whole subtree: swap the path prefix, shift depth, re-point the moved unit's parent.
    subtree.update(
        path=Replace("path", Value(old_path), Value(new_path)),
        depth=F("depth") + delta,
        parent=Case(
            When(pk=unit.pk, then=Value(parent.pk if parent is not None else None)),
            default=F("parent"),
            output_field=OrgUnit._meta.get_field("parent"),
        ),
    )
    unit.refresh_from_db()
    audit_record(actor=actor, action="org_unit.move", obj=unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def org_unit_delete(*, actor, unit: OrgUnit) -> None:
    """Delete an empty unit: refused while it has sub-units, positions or employees."""
    (unit,) = _lock_tree(_scoped(OrgUnit, unit, "unit"))
    if OrgUnit.objects.filter(parent=unit).exists():
        raise ValidationError(_("“%(unit)s” has sub-units: move or delete them first.") % {"unit": unit.name})
    if Position.objects.filter(org_unit=unit).exists():
        raise ValidationError(_("“%(unit)s” has positions: move or delete them first.") % {"unit": unit.name})
    if Employee.objects.filter(org_unit=unit).exists():
        raise ValidationError(_("“%(unit)s” has employees: move them first.") % {"unit": unit.name})
    _delete(unit, actor=actor, action="org_unit.delete")


# ----- positions --------------------------------------------------------------------------------------------
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
    code: str = UNSET,
    title: str = UNSET,
    org_unit: OrgUnit = UNSET,
    job_family: str = UNSET,
    level: str = UNSET,
) -> Position:
    position = _scoped(Position, position, "position", lock=True)
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
    position.save()
    audit_record(actor=actor, action="position.update", obj=position, before=before, after=snapshot(position))
    return position


@transaction.atomic
def position_delete(*, actor, position: Position) -> None:
    position = _scoped(Position, position, "position", lock=True)
    if Employee.objects.filter(position=position).exists():
        message = _("“%(position)s” is held by employees: give them another position first.")
        raise ValidationError(message % {"position": position})
    _delete(position, actor=actor, action="position.delete")


# ----- employees --------------------------------------------------------------------------------------------
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
    employee_no: str = UNSET,
    name: str = UNSET,
    email: str = UNSET,
    org_unit: OrgUnit = UNSET,
    position: Position | None = UNSET,
    manager: Employee | None = UNSET,
    user=UNSET,
    is_active: bool = UNSET,
) -> Employee:
    employee = _scoped(Employee, employee, "employee", lock=True)
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
    employee.save()
    audit_record(actor=actor, action="employee.update", obj=employee, before=before, after=snapshot(employee))
    return employee


@transaction.atomic
def employee_delete(*, actor, employee: Employee) -> None:
    """Delete an employee record; their reports keep working with no manager set."""
    employee = _scoped(Employee, employee, "employee", lock=True)
    _delete(employee, actor=actor, action="employee.delete")


# ----- periods ----------------------------------------------------------------------------------------------
def ensure_period_open(period: Period, *, field: str = "period") -> None:
    """Refuse a write that belongs to a closed period (re-reads the status, so a stale instance cannot pass).

    Every area calls this before writing anything tied to a period. Raises ValidationError({field: …}).
    """
    if period is None:
        return
    status = Period.objects.filter(pk=period.pk).values_list("status", flat=True).first()
    if status is None:
        raise ValidationError({field: _("Choose a valid option; that one does not exist.")})
    if status == Period.Status.CLOSED or period.status == Period.Status.CLOSED:
        message = _("The period %(period)s is closed and read-only.")
        raise ValidationError({field: message % {"period": period.label}})


def _period_checks(period: Period) -> None:
    _validate(period)
    try:
        period.clean()
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"kind": error.messages}
        raise ValidationError(detail) from error
    clash = Period.objects.filter(
        kind=period.kind, year=period.year, quarter=period.quarter, month=period.month
    )
    if period.pk is not None:
        clash = clash.exclude(pk=period.pk)
    if clash.exists():
        raise ValidationError({"year": _("The period %(period)s already exists.") % {"period": period.label}})


@transaction.atomic
def period_create(
    *, actor, kind: str, year: int, quarter: int | None = None, month: int | None = None
) -> Period:
    """A new period, in planning."""
    period = Period(tenant=current_tenant(), kind=kind, year=year, quarter=quarter, month=month)
    period.status = Period.Status.PLANNING
    _period_checks(period)
    period.save()
    audit_record(actor=actor, action="period.create", obj=period, after=snapshot(period))
    return period


@transaction.atomic
def period_update(
    *, actor, period: Period, kind: str = UNSET, year: int = UNSET, quarter: int | None = UNSET,
    month: int | None = UNSET,
) -> Period:
    """Correct a period's kind/year/quarter/month; only while it is still in planning."""
    period = _scoped(Period, period, "period", lock=True)
    if period.status != Period.Status.PLANNING:
        raise ValidationError(_("Only a period in planning can be edited; %(period)s is %(status)s.") % {
            "period": period.label, "status": period.get_status_display()})
    before = snapshot(period)
    applied = _apply(period, {"kind": kind, "year": year, "quarter": quarter, "month": month})
    if not applied:
        return period
    _period_checks(period)
    period.save()
    audit_record(actor=actor, action="period.update", obj=period, before=before, after=snapshot(period))
    return period


@transaction.atomic
def period_advance(*, actor, period: Period, to_status: str | None = None) -> Period:
    """Move the period one step along planning → active → review → closed. A closed period stays closed.

    `to_status`, when given, must be exactly the next status (protects against a double submit skipping one).
    """
    period = _scoped(Period, period, "period", lock=True)
    next_status = Period.NEXT_STATUS.get(period.status)
    if next_status is None:
        raise ValidationError({"status": _("The period %(period)s is closed and cannot change.") % {
            "period": period.label}})
    if to_status is not None and to_status != next_status:
        raise ValidationError({"status": _("%(period)s is %(current)s; it can only move to %(next)s.") % {
            "period": period.label,
            "current": period.get_status_display(),
            "next": Period.Status(next_status).label,
        }})
    before = snapshot(period)
    period.status = next_status
    period.save(update_fields=["status"])
    audit_record(actor=actor, action="period.advance", obj=period, before=before, after=snapshot(period))
    return period


@transaction.atomic
def period_delete(*, actor, period: Period) -> None:
    """Delete a period that is still in planning and not used by anything."""
    period = _scoped(Period, period, "period", lock=True)
    if period.status != Period.Status.PLANNING:
        raise ValidationError(_("Only a period in planning can be deleted."))
    _delete(period, actor=actor, action="period.delete")


__all__ = [
    "UNSET",
    "employee_create",
    "employee_delete",
    "employee_update",
    "ensure_period_open",
    "org_unit_create",
    "org_unit_delete",
    "org_unit_move",
    "org_unit_rename",
    "org_unit_update",
    "period_advance",
    "period_create",
    "period_delete",
    "period_update",
    "position_create",
    "position_delete",
    "position_update",
]
