"""Writes of measurements: the one agreed target and actual of a KPI for a period.

`measurement_upsert` writes one; `measurements_bulk_upsert` writes many all-or-nothing: every row is
checked first and any error (per row, per field) writes nothing. Each change is audited (one audit row
per measurement created or changed; unchanged rows are not rewritten) and kept in the measurement's
history. A closed period is read-only.

Values: numbers (int, Decimal, finite float, or text such as "1,234.5") with at most 16 digits before the
decimal point; more than 4 decimals are rounded half-up. A target is required for a new measurement;
leaving it out of an update keeps the stored target. An empty actual means "no actual yet".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.audit import audit_record, snapshot
from collab.concurrency import StaleEditError, editor, lock_for_edit, mark_edited
from collab.imports import CleanRow, Column, ImportResult, RowError, Table, TabularImport
from collab.models import Period
from collab.numbers import number_text
from collab.services.org import ensure_period_open
from collab.signals import scoring_inputs_changed
from goals.models import KPI, Measurement

QUANTUM = Decimal("0.0001")
LIMIT = Decimal(10) ** 16  # max_digits 20 with 4 decimals
NOTE_MAX = 300
AUDITED_FIELDS = ["kpi", "period", "target", "actual", "note"]


class _Keep:
    """Marker: the caller did not give this value (keep what is stored)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def parse_number(value: Any, *, field_name: str, required: bool) -> Decimal | None:
    """A measurement value as a Decimal (4 decimals), None when empty; ValidationError({field: …}) else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field_name: _("This value is required.")})
        return None
    if isinstance(value, bool):
        raise ValidationError({field_name: _("Enter a number.")})
    if isinstance(value, str):
        if "\x00" in value or len(value.strip()) > 60:
            raise ValidationError({field_name: _("Enter a number.")})
        try:
            value = number_text(value)  # "1,000.5" → 1000.5, "１２３" → 123; "1,5" is refused, not 15
        except ValueError as ambiguous:
            raise ValidationError({field_name: str(ambiguous)}) from None
    elif isinstance(value, float):
        value = repr(value)
    elif not isinstance(value, int | Decimal):
        raise ValidationError({field_name: _("Enter a number.")})
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field_name: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field_name: _("Enter a number.")})
    if abs(number) >= LIMIT:
        raise ValidationError(
            {field_name: _("Enter a number with at most 16 digits before the decimal point.")}
        )
    return number.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def parse_note(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({"note": _("Enter text.")})
    if "\x00" in value:
        raise ValidationError({"note": _("Null characters are not allowed.")})
    value = value.strip()
    if len(value) > NOTE_MAX:
        raise ValidationError(
            {"note": _("At most %(max)s characters (this has %(n)s).") % {"max": NOTE_MAX, "n": len(value)}}
        )
    return value


@dataclass
class _Planned:
    kpi: KPI
    period: Period
    target: Decimal
    actual: Decimal | None
    note: str
    existing: Measurement | None


@dataclass
class BulkResult:
    measurements: list[Measurement] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class BulkErrors(ValidationError):
    """Per-row errors of a bulk write: `rows` is aligned with the input ({} for a good row)."""

    def __init__(self, rows: list[dict[str, list[str]]]):
        self.rows = rows
        bad = [index for index, errors in enumerate(rows) if errors]
        message = _("%(n)s row(s) have errors; nothing was written.") % {"n": len(bad)}
        super().__init__({NON_FIELD_ERRORS: [message]})


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in messages] for key, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in error.messages]}


def _plan_row(
    row: Mapping[str, Any], existing: Measurement | None
) -> tuple[_Planned | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    kpi, period = row.get("kpi"), row.get("period")
    if not isinstance(kpi, KPI):
        errors["kpi"] = [_("Choose a valid KPI.")]
    if not isinstance(period, Period):
        errors["period"] = [_("Choose a valid period.")]
    raw_target = row.get("target", KEEP)
    target: Decimal | None = None
    if raw_target is KEEP or (raw_target in (None, "") and existing is not None):
        target = existing.target if existing is not None else None
        if target is None:
            errors["target"] = [_("A new measurement needs a target.")]
    else:
        try:
            target = parse_number(raw_target, field_name="target", required=True)
        except ValidationError as error:
            errors.update(_error_dict(error))
    raw_actual = row.get("actual", KEEP)
    actual: Decimal | None = None
    if raw_actual is KEEP:
        actual = existing.actual if existing is not None else None
    else:
        try:
            actual = parse_number(raw_actual, field_name="actual", required=False)
        except ValidationError as error:
            errors.update(_error_dict(error))
    raw_note = row.get("note", KEEP)
    note = ""
    if raw_note is KEEP:
        note = existing.note if existing is not None else ""
    else:
        try:
            note = parse_note(raw_note)
        except ValidationError as error:
            errors.update(_error_dict(error))
    if errors:
        return None, errors
    return _Planned(kpi=kpi, period=period, target=target, actual=actual, note=note, existing=existing), {}


def _history(measurement: Measurement, *, actor, reason: str) -> None:
    """Who and why for the measurement's history row (django-simple-history)."""
    measurement._change_reason = reason
    if actor is not None and getattr(actor, "is_authenticated", False):
        measurement._history_user = actor


def _write(planned: _Planned, *, actor) -> tuple[Measurement, str]:
    """Write one planned row; returns (measurement, "created" | "updated" | "unchanged")."""
    current = planned.existing
    if current is None:
        measurement = Measurement(
            kpi=planned.kpi,
            period=planned.period,
            target=planned.target,
            actual=planned.actual,
            note=planned.note,
            updated_by=editor(actor),
        )
        _history(measurement, actor=actor, reason="measurement.create")
        measurement.save()
        after = snapshot(measurement, AUDITED_FIELDS)
        audit_record(actor=actor, action="measurement.create", obj=measurement, after=after)
        return measurement, "created"
    if (current.target, current.actual, current.note) == (planned.target, planned.actual, planned.note):
        return current, "unchanged"
    before = snapshot(current, AUDITED_FIELDS)
    current.target, current.actual, current.note = planned.target, planned.actual, planned.note
    mark_edited(current, actor)
    _history(current, actor=actor, reason="measurement.update")
    current.save()
    audit_record(
        actor=actor,
        action="measurement.update",
        obj=current,
        before=before,
        after=snapshot(current, AUDITED_FIELDS),
    )
    return current, "updated"


def _period_errors(periods: Sequence[Period]) -> dict[int, dict[str, list[str]]]:
    """{period id: field errors} for the closed periods among these (one status check per distinct period)."""
    out: dict[int, dict[str, list[str]]] = {}
    for period in {p.pk: p for p in periods}.values():
        try:
            ensure_period_open(period)
        except ValidationError as error:
            out[period.pk] = _error_dict(error)
    return out


@transaction.atomic
def measurement_upsert(
    *,
    actor,
    kpi: KPI,
    period: Period,
    target: Any = KEEP,
    actual: Any = KEEP,
    note: Any = KEEP,
    lock_version: int | None = None,
) -> Measurement:
    """Create or change the measurement of `kpi` in `period`.

    Changing one needs the `lock_version` the editor saw: a stale or missing one raises StaleEditError
    (so does a "create" that finds someone else created it meanwhile). Raises ValidationError keyed by
    field (target, actual, note, period, __all__).
    """
    ensure_period_open(period)
    existing = Measurement.objects.filter(kpi=kpi, period=period).first()
    if existing is not None:
        existing = lock_for_edit(Measurement, existing, lock_version)
    row = {"kpi": kpi, "period": period, "target": target, "actual": actual, "note": note}
    planned, errors = _plan_row(row, existing)
    if errors:
        raise ValidationError(errors)
    measurement, outcome = _write(planned, actor=actor)
    if outcome != "unchanged":
        _scores_changed({period.pk: {kpi.pk}}, actor=actor)
    return measurement


@transaction.atomic
def measurements_bulk_upsert(
    *, actor, rows: Sequence[Mapping[str, Any]], check_lock_version: bool = True
) -> BulkResult:
    """Create or change many measurements, all or nothing.

    rows: mappings with kpi (KPI), period (Period), target, actual, note (target/actual/note may be left
    out to keep the stored value) and, for a measurement that exists, the `lock_version` the editor saw (a
    stale or missing one is a "lock_version" error of that row). `check_lock_version=False` is for a file
    import, where the file is the editor and carries no versions. Raises BulkErrors (a ValidationError)
    whose `rows` holds the field errors of each row, aligned with the input; nothing is written then.
    """
    rows = list(rows)
    kpi_ids = {row["kpi"].pk for row in rows if isinstance(row.get("kpi"), KPI)}
    period_ids = {row["period"].pk for row in rows if isinstance(row.get("period"), Period)}
    existing = {
        (m.kpi_id, m.period_id): m
        for m in Measurement.objects.select_for_update().filter(kpi_id__in=kpi_ids, period_id__in=period_ids)
    }
    closed = _period_errors([row["period"] for row in rows if isinstance(row.get("period"), Period)])
    errors: list[dict[str, list[str]]] = []
    planned: list[_Planned] = []
    seen: dict[tuple[int, int], int] = {}
    for index, row in enumerate(rows):
        kpi, period = row.get("kpi"), row.get("period")
        key = (getattr(kpi, "pk", None), getattr(period, "pk", None))
        plan, row_errors = _plan_row(row, existing.get(key))
        current = existing.get(key)
        if check_lock_version and current is not None and row.get("lock_version") != current.lock_version:
            given = row.get("lock_version")
            message = _("This field is required.") if given is None else StaleEditError.of(current).message
            row_errors.setdefault("lock_version", []).append(message)
        if key[1] in closed:
            for name, messages in closed[key[1]].items():
                row_errors.setdefault(name, []).extend(messages)
        if None not in key:
            if key in seen:
                message = _("Duplicate of row %(row)s (same KPI and period).") % {"row": seen[key] + 1}
                row_errors.setdefault(NON_FIELD_ERRORS, []).append(message)
            else:
                seen[key] = index
        errors.append(row_errors)
        if plan is not None:
            planned.append(plan)
    if any(errors):
        raise BulkErrors(errors)
    result = BulkResult()
    changed: dict[int, set[int]] = {}
    for plan in planned:
        measurement, outcome = _write(plan, actor=actor)
        result.measurements.append(measurement)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome != "unchanged":
            changed.setdefault(plan.period.pk, set()).add(plan.kpi.pk)
    _scores_changed(changed, actor=actor)
    return result


def _scores_changed(changes: dict[int, set[int]], *, actor) -> None:
    """Tell the areas scored from these measurements (what they queue starts once the write commits)."""
    scoring_inputs_changed.send(Measurement, reason="measurement", actor=actor, changes=changes)


# ---------------------------------------------------------------------------------------------------------
# Excel / CSV import of one period's measurements (dry run, then all or nothing)
# ---------------------------------------------------------------------------------------------------------


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
