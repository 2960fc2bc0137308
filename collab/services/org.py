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
from django.utils.translation import gettext_lazy

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, edited_columns, editor, lock_for_edit, mark_edited
from collab.imports import Column, RowError, TabularImport, topological_order
from collab.models import Employee, Membership, OrgUnit, Period, Position
from collab.signals import period_closing
from collab.tenancy import current_tenant

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


def _check_version(obj, lock_version: Any):
    """The delete of `obj` states the version it saw (`UNSET`: a caller that loaded nothing, e.g. an
    import): a stale one raises StaleEditError. Returns the locked row."""
    if lock_version is UNSET:
        return obj
    return lock_for_edit(type(obj), obj, lock_version)


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
    audit_record(actor=actor, action="org_unit.move", obj=unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def org_unit_delete(*, actor, unit: OrgUnit, lock_version: Any = UNSET) -> None:
    """Delete an empty unit: refused while it has sub-units, positions or employees, or when it changed
    since the editor saw `lock_version` (StaleEditError)."""
    (unit,) = _lock_tree(_scoped(OrgUnit, unit, "unit"))
    unit = _check_version(unit, lock_version)
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
    position = _check_version(_scoped(Position, position, "position", lock=True), lock_version)
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
    employee = _check_version(_scoped(Employee, employee, "employee", lock=True), lock_version)
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
    period = Period(
        tenant=current_tenant(), kind=kind, year=year, quarter=quarter, month=month, updated_by=editor(actor)
    )
    period.status = Period.Status.PLANNING
    _period_checks(period)
    period.save()
    audit_record(actor=actor, action="period.create", obj=period, after=snapshot(period))
    return period


@transaction.atomic
def period_update(
    *, actor, period: Period, lock_version: int | None, kind: str = UNSET, year: int = UNSET,
    quarter: int | None = UNSET, month: int | None = UNSET,
) -> Period:
    """Correct a period's kind/year/quarter/month; only while it is still in planning."""
    period = lock_for_edit(Period, _scoped(Period, period, "period"), lock_version)
    if period.status != Period.Status.PLANNING:
        raise ValidationError(_("Only a period in planning can be edited; %(period)s is %(status)s.") % {
            "period": period.label, "status": period.get_status_display()})
    before = snapshot(period)
    applied = _apply(period, {"kind": kind, "year": year, "quarter": quarter, "month": month})
    if not applied:
        return period
    _period_checks(period)
    mark_edited(period, actor)
    period.save()
    audit_record(actor=actor, action="period.update", obj=period, before=before, after=snapshot(period))
    return period


@transaction.atomic
def period_advance(*, actor, period: Period, to_status: str | None = None) -> Period:
    """Move the period one step along planning → active → review → closed. A closed period stays closed.

    `to_status`, when given, must be exactly the next status (protects against a double submit skipping one):
    a status step is its own compare-and-set, so it takes no `lock_version`; it does make the next one.
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
    if next_status == Period.Status.CLOSED:
        period_closing.send(sender=Period, period=period, actor=actor)
    period.status = next_status
    period.save(update_fields=["status", *mark_edited(period, actor)])
    audit_record(actor=actor, action="period.advance", obj=period, before=before, after=snapshot(period))
    return period


@transaction.atomic
def period_delete(*, actor, period: Period, lock_version: Any = UNSET) -> None:
    """Delete a period that is still in planning and not used by anything."""
    period = _check_version(_scoped(Period, period, "period", lock=True), lock_version)
    if period.status != Period.Status.PLANNING:
        raise ValidationError(_("Only a period in planning can be deleted."))
    _delete(period, actor=actor, action="period.delete")


__all__ = [
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


# ----- imports (Excel/CSV, all or nothing) ----------------------------------------------------------------
# The importers upsert by code / employee number and write every row through the services above.

_KIND_WORDS = {
    OrgUnit.Kind.GROUP: ("集团", "集团公司", "总部"),
    OrgUnit.Kind.BUSINESS_GROUP: ("事业群", "业务板块", "板块", "事业部", "business group"),
    OrgUnit.Kind.SUBSIDIARY: ("子公司", "分公司", "公司", "company"),
    OrgUnit.Kind.DEPARTMENT: ("部门", "部", "dept"),
    OrgUnit.Kind.TEAM: ("团队", "班组", "小组", "组"),
}
_TRUE_WORDS = frozenset({"1", "true", "yes", "y", "active", "是", "在职", "启用", "有效"})
_FALSE_WORDS = frozenset({"0", "false", "no", "n", "inactive", "否", "离职", "停用", "无效"})
UNIT_CODE_HEADERS = ("Org unit code", "组织编码", "Unit code", "单位编码", "部门编码")


def _kind_lookup() -> dict[str, str]:
    """Every accepted spelling of a unit kind (value, English and Chinese labels, common synonyms)."""
    from django.utils import translation

    lookup: dict[str, str] = {}
    for kind in OrgUnit.Kind:
        words = {kind.value, kind.value.replace("_", " "), *_KIND_WORDS.get(kind, ())}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                words.add(str(kind.label))
        for word in words:
            lookup[word.strip().casefold()] = kind.value
    return lookup


def _lookup(model, field: str, values) -> dict[str, Any]:
    """Existing rows whose `field` is in `values`, keyed by that field (one query per 500 values)."""
    wanted = sorted({value for value in values if value})
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), 500):
        for obj in model.objects.filter(**{f"{field}__in": wanted[start : start + 500]}):
            found[getattr(obj, field)] = obj
    return found


def _loop(chain: list) -> str:
    return " → ".join(str(link) for link in chain)


def _unit_missing(code: str) -> str:
    return _("No org unit has the code “%(code)s”.") % {"code": code}


class OrgUnitImport(TabularImport):
    """Units by code; a parent may be an existing unit or a row anywhere in the same file."""

    title = gettext_lazy("Org units")
    error_columns = {"parent": "parent_code"}
    columns = (
        Column("code", ("Code", "编码", "Unit code", "单位编码", "组织编码"), max_length=50),
        Column("name", ("Name", "名称", "Unit name", "单位名称", "组织名称")),
        Column("kind", ("Kind", "类型", "Type", "单位类型")),
        Column(
            "parent_code",
            ("Parent code", "上级编码", "Parent", "上级单位编码"),
            required=False,
            max_length=50,
        ),
    )

    def prepare(self, table):
        self.kinds = _kind_lookup()
        self.file_codes = {values["code"] for _n, values in table.rows if values["code"]}
        self.existing = _lookup(
            OrgUnit, "code", self.file_codes | {values["parent_code"] for _n, values in table.rows}
        )

    def clean_row(self, values):
        kind = self.kinds.get(values["kind"].casefold())
        if kind is None:
            message = _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
            kinds = ", ".join(str(label) for label in OrgUnit.Kind.labels)
            raise ValidationError({"kind": message % {"kind": values["kind"], "kinds": kinds}})
        code, parent_code = values["code"], values["parent_code"] or None
        if parent_code == code:
            raise ValidationError({"parent_code": _("A unit cannot be its own parent.")})
        if parent_code and parent_code not in self.file_codes and parent_code not in self.existing:
            raise ValidationError({"parent_code": _unit_missing(parent_code)})
        existing = self.existing.get(code)
        parent = self.existing.get(parent_code) if parent_code not in self.file_codes else None
        if existing is not None and parent is not None and parent.path.startswith(existing.path):
            message = _("“%(parent)s” is a sub-unit of “%(unit)s”; a unit cannot move under itself.")
            raise ValidationError({"parent_code": message % {"parent": parent_code, "unit": code}})
        return {
            "code": code,
            "name": values["name"],
            "kind": kind,
            "parent_code": parent_code,
            "action": "update" if existing is not None else "create",
        }

    def clean_rows(self, rows):
        errors = self.duplicate_errors(rows, "code")
        _order, cycles = topological_order({row.data["code"]: row.data["parent_code"] for row in rows})
        message = _("The parent codes in the file loop: %(loop)s.")
        for row in rows:
            if row.data["code"] in cycles:
                loop = _loop(cycles[row.data["code"]])
                errors.append(self.row_error(row.number, "parent_code", message % {"loop": loop}))
        return errors

    def write_order(self, rows):
        by_code = {row.data["code"]: row for row in rows}
        order, _cycles = topological_order({row.data["code"]: row.data["parent_code"] for row in rows})
        return [by_code[code] for code in order]

    def write_row(self, row, *, actor):
        data = row.data
        parent = OrgUnit.objects.filter(code=data["parent_code"]).first() if data["parent_code"] else None
        unit = OrgUnit.objects.filter(code=data["code"]).first()
        if unit is None:
            org_unit_create(
                actor=actor, code=data["code"], name=data["name"], kind=data["kind"], parent=parent
            )
            return
        # The file is the editor here: it states the version read in this transaction.
        unit = org_unit_update(
            actor=actor, unit=unit, lock_version=unit.lock_version, name=data["name"], kind=data["kind"]
        )
        if unit.parent_id != (parent.pk if parent else None):
            org_unit_move(actor=actor, unit=unit, parent=parent, lock_version=unit.lock_version)


class PositionImport(TabularImport):
    """Positions by code, in units that already exist."""

    title = gettext_lazy("Positions")
    error_columns = {"org_unit": "unit_code"}
    columns = (
        Column("code", ("Code", "编码", "Position code", "岗位编码"), max_length=50),
        Column("title", ("Title", "岗位名称", "名称", "Position", "岗位")),
        Column("unit_code", UNIT_CODE_HEADERS, max_length=50),
        Column("job_family", ("Job family", "职族", "岗位序列"), required=False, max_length=100),
        Column("level", ("Level", "职级"), required=False, max_length=30),
    )

    def prepare(self, table):
        self.units = _lookup(OrgUnit, "code", (values["unit_code"] for _n, values in table.rows))
        self.existing = _lookup(Position, "code", (values["code"] for _n, values in table.rows))

    def clean_row(self, values):
        unit = self.units.get(values["unit_code"])
        if unit is None:
            raise ValidationError({"unit_code": _unit_missing(values["unit_code"])})
        action = "update" if values["code"] in self.existing else "create"
        return {**values, "org_unit": unit, "action": action}

    def clean_rows(self, rows):
        return self.duplicate_errors(rows, "code")

    def write_row(self, row, *, actor):
        data = row.data
        fields = {
            "title": data["title"],
            "org_unit": data["org_unit"],
            "job_family": data["job_family"],
            "level": data["level"],
        }
        position = Position.objects.filter(code=data["code"]).first()
        if position is None:
            position_create(actor=actor, code=data["code"], **fields)
        else:
            position_update(actor=actor, position=position, lock_version=position.lock_version, **fields)


class EmployeeImport(TabularImport):
    """Employees by number; a manager may be an existing employee or a row anywhere in the same file."""

    title = gettext_lazy("Employees")
    error_columns = {
        "org_unit": "unit_code",
        "position": "position_code",
        "manager": "manager_no",
        "is_active": "active",
    }
    columns = (
        Column("employee_no", ("Employee number", "工号", "Employee no", "员工编号"), max_length=50),
        Column("name", ("Name", "姓名", "名称")),
        Column("email", ("E-mail", "邮箱", "Email", "电子邮箱"), required=False, max_length=254),
        Column("unit_code", UNIT_CODE_HEADERS, max_length=50),
        Column("position_code", ("Position code", "岗位编码"), required=False, max_length=50),
        Column(
            "manager_no",
            ("Manager number", "上级工号", "Manager employee number", "直属上级工号"),
            required=False,
            max_length=50,
        ),
        Column("active", ("Active", "在职", "是否在职"), required=False, max_length=20),
    )

    def prepare(self, table):
        rows = [values for _n, values in table.rows]
        self.units = _lookup(OrgUnit, "code", (v["unit_code"] for v in rows))
        self.positions = _lookup(Position, "code", (v["position_code"] for v in rows))
        self.file_numbers = {v["employee_no"] for v in rows if v["employee_no"]}
        self.existing = _lookup(Employee, "employee_no", self.file_numbers | {v["manager_no"] for v in rows})

    def clean_row(self, values):
        from django.core.validators import validate_email

        errors: dict[str, str] = {}
        unit = self.units.get(values["unit_code"])
        if unit is None:
            errors["unit_code"] = _unit_missing(values["unit_code"])
        position = self.positions.get(values["position_code"]) if values["position_code"] else None
        if values["position_code"] and position is None:
            message = _("No position has the code “%(code)s”.")
            errors["position_code"] = message % {"code": values["position_code"]}
        manager_no = values["manager_no"] or None
        if manager_no == values["employee_no"]:
            errors["manager_no"] = _("An employee cannot be their own manager.")
        elif manager_no and manager_no not in self.file_numbers and manager_no not in self.existing:
            errors["manager_no"] = _("No employee has the number “%(number)s”.") % {"number": manager_no}
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                errors["email"] = _("Enter a valid e-mail address.")
        active = values["active"].casefold()
        if active and active not in _TRUE_WORDS | _FALSE_WORDS:
            errors["active"] = _("Use yes or no.")
        if errors:
            raise ValidationError(errors)
        return {
            "employee_no": values["employee_no"],
            "name": values["name"],
            "email": values["email"],
            "org_unit": unit,
            "position": position,
            "manager_no": manager_no,
            "is_active": active not in _FALSE_WORDS,
            "action": "update" if values["employee_no"] in self.existing else "create",
        }

    def _managers(self, rows) -> dict:
        return {row.data["employee_no"]: row.data["manager_no"] for row in rows}

    def clean_rows(self, rows):
        errors: list[RowError] = self.duplicate_errors(rows, "employee_no")
        _order, cycles = topological_order(self._managers(rows))
        message = _("The managers in the file loop: %(loop)s.")
        for row in rows:
            if row.data["employee_no"] in cycles:
                loop = _loop(cycles[row.data["employee_no"]])
                errors.append(self.row_error(row.number, "manager_no", message % {"loop": loop}))
        return errors

    def write_order(self, rows):
        by_no = {row.data["employee_no"]: row for row in rows}
        order, _cycles = topological_order(self._managers(rows))
        return [by_no[number] for number in order]

    def write_row(self, row, *, actor):
        data = row.data
        manager = None
        if data["manager_no"]:
            manager = Employee.objects.filter(employee_no=data["manager_no"]).first()
        fields = {
            "name": data["name"],
            "email": data["email"],
            "org_unit": data["org_unit"],
            "position": data["position"],
            "manager": manager,
            "is_active": data["is_active"],
        }
        employee = Employee.objects.filter(employee_no=data["employee_no"]).first()
        if employee is None:
            employee_create(actor=actor, employee_no=data["employee_no"], **fields)
        else:
            employee_update(actor=actor, employee=employee, lock_version=employee.lock_version, **fields)


ORG_IMPORTS: dict[str, type[TabularImport]] = {
    "units": OrgUnitImport,
    "positions": PositionImport,
    "employees": EmployeeImport,
}


def org_importer(kind: str) -> TabularImport:
    """A fresh importer for "units", "positions" or "employees" (KeyError for anything else)."""
    return ORG_IMPORTS[kind]()
