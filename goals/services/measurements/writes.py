"""Writing measurements: one (`measurement_upsert`) or many all-or-nothing (`measurements_bulk_upsert`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import Conflict, StaleEditError, editor, lock_for_edit, mark_edited
from collab.models import Period
from collab.services.org.periods import ensure_period_open
from collab.signals import scoring_inputs_changed
from goals.models import KPI, Measurement
from goals.services.measurements.values import (
    AUDITED_FIELDS,
    KEEP,
    BulkErrors,
    BulkResult,
    _Planned,
    parse_note,
    parse_number,
)


class BulkStaleError(BulkErrors, Conflict):
    """A bulk write whose only problem is stale rows (someone saved them since the editor loaded them):
    a conflict (409 in the API), the whole bulk refused; `rows` names each stale row and who saved it."""

    def __init__(self, rows: list[dict[str, list[str]]], stale: list[StaleEditError]):
        super().__init__(rows)
        self.stale = stale

    def as_dict(self) -> dict[str, Any]:
        first = self.stale[0].as_dict()
        bad = sum(1 for row in self.rows if row)
        detail = _("%(n)s row(s) were changed by someone else since you loaded them; nothing was written.")
        return {**first, "detail": detail % {"n": bad}, "rows": self.rows}


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
    stale: list[StaleEditError] = []
    only_stale = True  # every error so far is a stale lock_version (a conflict, not bad input)
    for index, row in enumerate(rows):
        kpi, period = row.get("kpi"), row.get("period")
        key = (getattr(kpi, "pk", None), getattr(period, "pk", None))
        plan, row_errors = _plan_row(row, existing.get(key))
        current = existing.get(key)
        if check_lock_version and current is not None and row.get("lock_version") != current.lock_version:
            if row.get("lock_version") is None:
                row_errors.setdefault("lock_version", []).append(_("This field is required."))
                only_stale = False
            else:
                stale.append(StaleEditError.of(current))
                row_errors.setdefault("lock_version", []).append(stale[-1].message)
        if key[1] in closed:
            for name, messages in closed[key[1]].items():
                row_errors.setdefault(name, []).extend(messages)
        if None not in key:
            if key in seen:
                message = _("Duplicate of row %(row)s (same KPI and period).") % {"row": seen[key] + 1}
                row_errors.setdefault(NON_FIELD_ERRORS, []).append(message)
            else:
                seen[key] = index
        if any(name != "lock_version" for name in row_errors):
            only_stale = False
        errors.append(row_errors)
        if plan is not None:
            planned.append(plan)
    if stale and only_stale:
        raise BulkStaleError(errors, stale)
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
