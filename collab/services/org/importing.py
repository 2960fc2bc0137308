"""Excel/CSV imports of units, positions and employees: upsert by code, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.imports.ordering import topological_order
from collab.imports.table import Column, RowError
from collab.imports.tabular import TabularImport
from collab.models import Employee, OrgUnit, Position
from collab.services.org.employees import employee_create, employee_update
from collab.services.org.positions import position_create, position_update
from collab.services.org.units import org_unit_create, org_unit_move, org_unit_update

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
