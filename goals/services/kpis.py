"""Writes of the KPI library: create, update (a `lock_version` refuses stale saves), delete, Excel import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from collab.imports.table import CleanRow, Column, ImportResult, Table
from collab.imports.table import RowError as ImportRowError
from collab.imports.tabular import TabularImport
from collab.models import OrgUnit
from collab.signals import scoring_inputs_changed
from collab.tenancy import current_tenant
from goals.models import KPI, Objective, Perspective, ProcessTag

KPI_FIELDS = (
    "code",
    "name",
    "description",
    "unit",
    "direction",
    "perspective",
    "owner_unit",
    "is_collaborative",
    "cap",
    "frequency",
    "aggregation",
    "data_source",
    "process_tag",
    "objective",
    "is_active",
)


# Units of measure (and KPI names) that describe a level or a proportion: adding up the months of a
# percentage or a rate means nothing, so their quarter and year take the months' average.
AVERAGED_UNITS = ("%", "％", "‰", "percent", "pct", "rate", "ratio", "率", "比例", "比率", "占比", "score",
                   "分值", "评分", "指数", "index")  # fmt: skip
AVERAGED_NAME_ENDINGS = ("率", "比例", "比率", "占比", "rate", "ratio", "%")
AVERAGED_EXACT_UNITS = ("分", "pt", "pts", "points")  # a score's points ("分钟" is minutes: not these)


def default_aggregation(unit: str = "", name: str = "") -> str:
    """How a KPI's quarter and year values derive from its months when nobody said: the average for a
    percentage, rate, ratio or score (by its unit of measure, or a name ending in 率/rate/ratio); the sum for
    counts, money and anything else. The one rule for the page's default, the API's and the import's."""
    unit = (unit or "").strip().casefold()
    name = (name or "").strip().casefold()
    if (
        any(word in unit for word in AVERAGED_UNITS)
        or unit in AVERAGED_EXACT_UNITS
        or name.endswith(AVERAGED_NAME_ENDINGS)
    ):
        return KPI.Aggregation.AVERAGE
    return KPI.Aggregation.SUM


def _apply(kpi: KPI, data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(KPI_FIELDS)
    if unknown:
        raise ValidationError({NON_FIELD_ERRORS: [_("Unknown fields: %s") % ", ".join(sorted(unknown))]})
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(kpi, name, value)


def _validate(kpi: KPI) -> None:
    if kpi.tenant_id is None:
        kpi.tenant = current_tenant()
    errors: dict[str, list[str]] = {}
    if kpi.code and KPI.objects.filter(code=kpi.code.strip()).exclude(pk=kpi.pk).exists():
        errors["code"] = [_("A KPI with this code already exists.")]
    try:
        kpi.full_clean(validate_constraints=not errors)
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _save(kpi: KPI) -> None:
    """Save; a concurrent duplicate code (caught by the constraint) is a field error, not a crash."""
    try:
        with transaction.atomic():
            kpi.save()
    except IntegrityError as clash:
        raise ValidationError({"code": [_("A KPI with this code already exists.")]}) from clash


@transaction.atomic
def kpi_create(*, actor, data: Mapping[str, Any]) -> KPI:
    """A new KPI. Without an `aggregation` (absent or blank) it takes `default_aggregation` of its unit."""
    data = dict(data)
    if not data.get("aggregation"):
        data["aggregation"] = default_aggregation(data.get("unit") or "", data.get("name") or "")
    kpi = KPI(updated_by=editor(actor))
    _apply(kpi, data)
    _validate(kpi)
    _save(kpi)
    audit_record(actor=actor, action="kpi.create", obj=kpi, after=snapshot(kpi))
    return kpi


# What the score engine reads from a KPI (DESIGN.md §6; an inactive KPI has no data): a change re-scores.
SCORING_FIELDS = ("direction", "cap", "aggregation", "is_active")


@transaction.atomic
def kpi_update(*, actor, kpi: KPI, data: Mapping[str, Any], lock_version: int | None) -> KPI:
    """Change a KPI; a stale (or missing) `lock_version` raises StaleEditError, no change writes nothing."""
    locked = lock_for_edit(KPI, kpi, lock_version)
    before = snapshot(locked)
    values = field_values(locked)
    rule = [getattr(locked, name) for name in SCORING_FIELDS]
    _apply(locked, data)
    _validate(locked)
    if not changed_fields(locked, values):
        return locked
    mark_edited(locked, actor)
    _save(locked)
    audit_record(actor=actor, action="kpi.update", obj=locked, before=before, after=snapshot(locked))
    if rule != [getattr(locked, name) for name in SCORING_FIELDS]:  # values, so 1.2 == 1.20
        scoring_inputs_changed.send(KPI, reason="kpi", actor=actor, kpi_id=locked.pk)
    return locked


@transaction.atomic
def kpi_delete(*, actor, kpi: KPI, lock_version: Any = UNSET) -> None:
    """Delete a KPI nobody uses yet; a KPI in goals, measurements or matrices is deactivated instead.
    `lock_version` (pages and the API give it): a KPI changed since is refused (StaleEditError)."""
    kpi = lock_for_delete(KPI, kpi, lock_version)
    before = snapshot(kpi)
    pk, text = kpi.pk, str(kpi)
    try:
        with transaction.atomic():
            kpi.delete()
    except (ProtectedError, RestrictedError) as used:
        message = _("This KPI is in use (goals, measurements or matrices). Deactivate it instead.")
        raise ValidationError({NON_FIELD_ERRORS: [message]}) from used
    audit_record(
        actor=actor,
        action="kpi.delete",
        object_type="goals.kpi",
        object_id=pk,
        object_repr=text,
        before=before,
    )


# ---------------------------------------------------------------------------------------------------------
# Excel / CSV import and export (same columns, so an export can be edited and imported back)
# ---------------------------------------------------------------------------------------------------------

TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "on"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "off"}


# Chinese terms used in spreadsheets (the seeds' vocabulary), accepted whatever the page language.
CHOICE_ALIASES = {
    "财务": "financial",
    "客户": "customer",
    "内部流程": "internal_process",
    "内部运营": "internal_process",
    "学习与成长": "learning_growth",
    "学习成长": "learning_growth",
    "越高越好": "higher_better",
    "正向": "higher_better",
    "越低越好": "lower_better",
    "反向": "lower_better",
    "月度": "monthly",
    "每月": "monthly",
    "季度": "quarterly",
    "每季": "quarterly",
    "年度": "yearly",
    "每年": "yearly",
    "求和": "sum",
    "合计": "sum",
    "平均": "average",
    "平均值": "average",
    "期末值": "last",
    "最后值": "last",
    "线索到回款": "lead_to_cash",
    "订单到回款": "order_to_cash",
    "采购到付款": "procure_to_pay",
    "需求到交付": "demand_to_delivery",
    "招聘到上岗": "hire_to_onboard",
    "计划到生产": "plan_to_produce",
}


def _choice(text: str, choices) -> str | None:
    """A choice by its value, its label in any language of the site (what an export in either language
    writes) or a Chinese alias, ignoring case."""
    wanted = text.strip().casefold()
    alias = CHOICE_ALIASES.get(text.strip())
    for key, _label in choices:
        if wanted == str(key).casefold() or alias == key:
            return key
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for key, label in choices:
                if wanted == str(label).casefold():
                    return key
    return None


class KpiImport(TabularImport):
    """Create or update KPIs by code. An empty optional cell keeps the current value (or the default)."""

    title = gettext_lazy("Import KPIs")
    columns = (
        Column("code", ("Code", "编码", "KPI code", "指标编码"), max_length=50),
        Column("name", ("Name", "名称", "KPI name", "指标名称")),
        Column("perspective", ("Perspective", "维度", "BSC perspective", "平衡计分卡维度")),
        Column("owner_unit", ("Owner unit", "责任单位", "Owner unit code", "责任单位编码"), max_length=50),
        Column("unit", ("Unit", "单位", "Unit of measure", "计量单位"), required=False, max_length=30),
        Column("direction", ("Direction", "方向", "指标方向"), required=False),
        Column("is_collaborative", ("Collaborative", "协同指标", "协同"), required=False),
        Column("cap", ("Cap", "封顶", "封顶系数"), required=False, max_length=20),
        Column("frequency", ("Frequency", "频率", "考核频率"), required=False),
        Column("aggregation", ("Aggregation", "汇总方式"), required=False),
        Column("data_source", ("Data source", "数据来源"), required=False, max_length=300),
        Column("process_tag", ("Process", "端到端流程", "Process tag", "流程"), required=False),
        Column("objective", ("Objective", "战略目标"), required=False),
        Column("is_active", ("Active", "启用"), required=False),
        Column("description", ("Description", "说明", "描述"), required=False, max_length=2000),
    )
    CHOICES = {
        "perspective": Perspective.choices,
        "direction": KPI.Direction.choices,
        "frequency": KPI.Frequency.choices,
        "aggregation": KPI.Aggregation.choices,
        "process_tag": ProcessTag.choices,
    }

    def prepare(self, table: Table) -> None:
        self.units = {unit.code.casefold(): unit for unit in OrgUnit.objects.only("id", "code", "name")}
        self.objectives_by_id: dict[str, Objective] = {}
        by_name: dict[str, list[Objective]] = {}
        for objective in Objective.objects.only("id", "name", "period_id"):
            self.objectives_by_id[str(objective.pk)] = objective
            by_name.setdefault(objective.name.casefold(), []).append(objective)
        self.objectives_by_name = by_name
        self.existing = {kpi.code: kpi for kpi in KPI.objects.all()}

    def clean_row(self, values: dict[str, str]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        data: dict[str, Any] = {"code": values["code"], "name": values["name"]}
        for key in ("unit", "data_source", "description"):
            if values[key]:
                data[key] = values[key]
        for key, choices in self.CHOICES.items():
            if values[key]:
                value = _choice(values[key], choices)
                if value is None:
                    errors[key] = _("“%(value)s” is not one of the choices.") % {"value": values[key]}
                data[key] = value
        unit = self.units.get(values["owner_unit"].casefold())
        if unit is None:
            message = _("No org unit has the code “%(value)s”.")
            errors["owner_unit"] = message % {"value": values["owner_unit"]}
        data["owner_unit"] = unit
        if values["objective"]:
            data["objective"] = self._objective(values["objective"], errors)
        if values["cap"]:
            try:
                data["cap"] = Decimal(values["cap"].replace(",", "."))
            except InvalidOperation:
                errors["cap"] = _("Enter a number such as 1.2.")
        for key in ("is_collaborative", "is_active"):
            if values[key]:
                flag = values[key].casefold()
                if flag not in TRUE_WORDS | FALSE_WORDS:
                    errors[key] = _("Enter yes or no.")
                data[key] = flag in TRUE_WORDS
        if not errors:
            # The model's own rules (ranges, lengths, choices) without a query per row.
            kpi = copy(self.existing[data["code"]]) if data["code"] in self.existing else KPI()
            _apply(kpi, data)
            try:
                kpi.full_clean(validate_constraints=False)
            except ValidationError as invalid:
                errors.update({k: " ".join(v) for k, v in invalid.message_dict.items()})
        if errors:
            raise ValidationError(errors)
        return data

    def _objective(self, text: str, errors: dict[str, str]) -> Objective | None:
        if text.isdigit() and text in self.objectives_by_id:
            return self.objectives_by_id[text]
        found = self.objectives_by_name.get(text.casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            errors["objective"] = _("Several objectives are called “%(value)s”; give the objective's id.") % {
                "value": text
            }
        else:
            errors["objective"] = _("No objective is called “%(value)s”.") % {"value": text}
        return None

    def clean_rows(self, rows: list[CleanRow]) -> list[ImportRowError]:
        return self.duplicate_errors(rows, "code")

    def write_row(self, row: CleanRow, *, actor) -> None:
        existing = self.existing.get(row.data["code"])
        if existing is None:
            self.existing[row.data["code"]] = kpi_create(actor=actor, data=row.data)
        else:
            # The file is the editor: it states the version this import read (in its transaction).
            self.existing[row.data["code"]] = kpi_update(
                actor=actor, kpi=existing, data=row.data, lock_version=existing.lock_version
            )


@transaction.atomic
def kpis_import(*, actor, table: Table, dry_run: bool) -> ImportResult:
    """Validate (dry run) or write a parsed KPI table, all or nothing; a committed import is audited."""
    importer = KpiImport()
    if dry_run:
        return importer.dry_run(table)
    result = importer.commit(table, actor=actor)
    if result.committed:
        audit_record(
            actor=actor,
            action="kpi.import",
            object_type="goals.kpi",
            object_repr=table.filename[:300],
            after={"rows": result.written},
        )
    return result


def kpi_export_rows(kpis: Iterable[KPI]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of an export in the reader's language (headers, choice labels, yes/no) that
    `KpiImport` reads back unchanged, whichever language it is imported in."""
    kpis = list(kpis)
    names: dict[str, int] = {}
    for objective_name in Objective.objects.values_list("name", flat=True):
        names[objective_name] = names.get(objective_name, 0) + 1
    language = translation.get_language()
    headers = [column.header_for(language) for column in KpiImport.columns]
    rows = []
    for kpi in kpis:
        objective = ""
        if kpi.objective_id:
            name = kpi.objective.name
            objective = name if names.get(name) == 1 else str(kpi.objective_id)
        rows.append(
            [
                kpi.code,
                kpi.name,
                str(kpi.get_perspective_display()),
                kpi.owner_unit.code,
                kpi.unit,
                str(kpi.get_direction_display()),
                _("yes") if kpi.is_collaborative else _("no"),
                kpi.cap,
                str(kpi.get_frequency_display()),
                str(kpi.get_aggregation_display()),
                kpi.data_source,
                str(kpi.get_process_tag_display()) if kpi.process_tag else "",
                objective,
                _("yes") if kpi.is_active else _("no"),
                kpi.description,
            ]
        )
    return headers, rows
