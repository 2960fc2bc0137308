"""The Excel/CSV import of process KPI points: a dry run, then all or nothing (`collab.imports.tabular`).

Columns: the KPI's code (any case), the period start (the bucket's first day: 2026-11-01, also written
2026/11/1) and the value; headers in English or Chinese. Rows are written together through
`alerts.services.kpis.kpi_points_write` (source "import"), so the rules are the API's: a point of a stored
(KPI, period) replaces its value, a day that is not its bucket's first is refused naming the right one,
and any bad row writes nothing — its errors name the row as the file numbers it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import PointSource, ProcessKpi
from alerts.services.kpi_checks import point_errors, tenant_today
from alerts.services.kpis import kpi_points_write
from collab.imports.table import CleanRow, Column, ImportResult, RowError, Table
from collab.imports.tabular import TabularImport

_DAY = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")
_KEY = re.compile(r"^points-(\d+)-(\w+)$")


def _day(text: str) -> Any:
    """2026-11-01, 2026/11/1, 2026.11.1 or 2026年11月1日 as a date; anything else as given (the check names
    it)."""
    match = _DAY.match(text)
    if not match:
        return text
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return text


class KpiPointImport(TabularImport):
    columns = (
        # Header texts are plain strings (they travel in the session between dry run and commit).
        Column("kpi", ("KPI code", "指标编码", "Code", "编码"), max_length=40),
        Column("at", ("Period start", "期间开始", "Date", "日期"), max_length=30),
        Column("value", ("Value", "数值", "值"), max_length=40),
    )
    title = gettext_lazy("Import process KPI points")
    max_rows = 10_000

    def prepare(self, table: Table) -> None:
        codes = {values.get("kpi", "").lower() for _number, values in table.rows} - {""}
        found = ProcessKpi.objects.annotate(code_lower=Lower("code")).filter(code_lower__in=codes)
        self.kpis = {kpi.code.lower(): kpi for kpi in found}
        self.today = tenant_today()

    def clean_row(self, values: dict[str, str]) -> dict[str, Any]:
        kpi = self.kpis.get(values["kpi"].lower())
        if kpi is None:
            message = _("No process KPI has the code “%(code)s”.") % {"code": values["kpi"]}
            raise ValidationError({"kpi": message})
        problems, day, value = point_errors(kpi, _day(values["at"]), values["value"], self.today)
        if problems:
            raise ValidationError(problems)
        return {"kpi": kpi, "at": day, "value": value, "key": (kpi.pk, day)}

    def clean_rows(self, rows: list[CleanRow]) -> list[RowError]:
        seen: dict[Any, int] = {}
        errors = []
        for row in rows:
            first = seen.setdefault(row.data["key"], row.number)
            if first != row.number:
                message = _("Duplicate of row %(row)s (the same KPI and period).") % {"row": first}
                errors.append(self.row_error(row.number, "at", message))
        return errors

    def commit(self, table: Table, *, actor) -> ImportResult:
        """Validate again, then write every row through `kpi_points_write` (all or nothing)."""
        result = self.validate(table)
        if result.errors:
            return result
        payload = [{k: row.data[k] for k in ("kpi", "at", "value")} for row in result.rows]
        try:
            written = kpi_points_write(actor=actor, kpi_rows=payload, source=PointSource.IMPORT)
        except ValidationError as refused:
            for key, messages in refused.message_dict.items():
                match = _KEY.match(key)
                number = result.rows[int(match[1])].number if match else 0
                column = match[2] if match else ""
                result.errors.extend(self.row_error(number, column, message) for message in messages)
            return result
        result.committed = True
        result.written = written.created + written.updated
        return result


def kpi_points_import(*, actor, table: Table, dry_run: bool) -> ImportResult:
    """Validate (dry run) or write a parsed table of points, all or nothing; a committed import is audited
    by `kpi_points_write` (one row for the batch)."""
    importer = KpiPointImport()
    if dry_run:
        return importer.dry_run(table)
    result = importer.commit(table, actor=actor)
    return result
