"""The Excel/CSV import of one period's measurements: dry run, then all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.imports.table import CleanRow, Column, ImportResult, RowError, Table
from collab.imports.tabular import TabularImport
from collab.models import Period
from collab.services.org.periods import ensure_period_open
from goals.models import KPI, Measurement
from goals.services.measurements.values import NOTE_MAX, BulkErrors, parse_number
from goals.services.measurements.writes import _error_dict, measurements_bulk_upsert

# Excel / CSV import of one period's measurements (dry run, then all or nothing)


class MeasurementImport(TabularImport):
    """Rows of KPI code, target, actual, note for one period. The grid's export is a valid import file.

    An empty target keeps the stored one (a new measurement needs one); an empty actual or note keeps the
    stored value; a row with nothing but the code is skipped. Other columns (name, unit, score…) are ignored.
    """

    columns = (
        # Header texts are plain strings (they travel in the session between dry run and commit).
        Column("kpi", ("KPI code", "Code", "KPI", "指标编码", "编码"), max_length=50),
        Column("target", ("Target", "目标", "目标值"), required=False, max_length=60),
        Column("actual", ("Actual", "实际", "实际值"), required=False, max_length=60),
        Column("note", ("Note", "备注"), required=False, max_length=NOTE_MAX),
    )
    title = gettext_lazy("Import measurements")

    def __init__(self, period: Period) -> None:
        super().__init__()
        self.period = period
        self.kpis: dict[str, KPI] = {}
        self.existing: dict[int, Measurement] = {}

    def prepare(self, table: Table) -> None:
        codes = {values.get("kpi", "") for _number, values in table.rows} - {""}
        self.kpis = {kpi.code: kpi for kpi in KPI.objects.filter(code__in=codes)}
        self.existing = {
            m.kpi_id: m for m in Measurement.objects.filter(period=self.period, kpi__in=self.kpis.values())
        }

    def clean_row(self, values: dict[str, str]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        kpi = self.kpis.get(values["kpi"])
        if kpi is None:
            errors["kpi"] = [_("No KPI has the code “%(code)s”.") % {"code": values["kpi"]}]
        data: dict[str, Any] = {"kpi": kpi, "period": self.period, "code": values["kpi"]}
        for name in ("target", "actual"):
            text = values.get(name, "")
            if not text:
                continue
            try:
                data[name] = parse_number(text, field_name=name, required=False)
            except ValidationError as error:
                errors.update(_error_dict(error))
        if values.get("note"):
            data["note"] = values["note"].strip()
        if kpi is not None and "target" not in data and kpi.pk not in self.existing and (
            "actual" in data or "note" in data
        ):
            errors["target"] = [_("A new measurement needs a target.")]
        if errors:
            raise ValidationError(errors)
        data["skip"] = not ({"target", "actual", "note"} & set(data))
        return data

    def clean_rows(self, rows: list[CleanRow]) -> list[RowError]:
        errors = self.duplicate_errors(rows, "code")
        try:
            ensure_period_open(self.period)
        except ValidationError as error:
            for messages in _error_dict(error).values():
                errors.extend(self.row_error(0, "", message) for message in messages)
        return errors

    def commit(self, table: Table, *, actor) -> ImportResult:
        """Validate again, then write every row through `measurements_bulk_upsert` (all or nothing)."""
        result = self.validate(table)
        if result.errors:
            return result
        rows = [row for row in result.rows if not row.data["skip"]]
        payload = [{k: v for k, v in row.data.items() if k not in ("code", "skip")} for row in rows]
        try:
            outcome = measurements_bulk_upsert(actor=actor, rows=payload, check_lock_version=False)
        except BulkErrors as error:
            for row, row_errors in zip(rows, error.rows, strict=True):
                for key, messages in row_errors.items():
                    column = "" if key == NON_FIELD_ERRORS else key
                    result.errors.extend(self.row_error(row.number, column, message) for message in messages)
            return result
        result.committed = True
        result.written = outcome.created + outcome.updated
        return result
