"""The writes of a matrix: a first version, a new version from a later period, a correction in place.
Atomic and audited; a stale `lock_version` raises `StaleEditError` naming who changed it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, StaleEditError, lock_for_edit, mark_edited
from collab.models import Period
from collab.routing.ids import coerce_id
from collab.services.org.periods import ensure_period_open
from collab.signals import scoring_inputs_changed
from collab.text import clean_text
from goals.models import KPI
from responsibility.models import MatrixRow, ResponsibilityMatrix
from responsibility.services.periods import (
    _refuse_closed,
    _refuse_period,
    matrix_closed_periods,
    matrix_period_check,
)
from responsibility.services.rows import _MISSING, CleanRow, matrix_rows_clean


def _scoped(model, obj, field: str, *, lock: bool = False):
    pk = coerce_id(obj, model)
    queryset = model.objects.select_for_update() if lock else model.objects
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: _(_MISSING)})
    return found


def _rows_snapshot(matrix: ResponsibilityMatrix) -> list[dict[str, Any]]:
    return [
        {
            "org_unit": r.org_unit_id,
            "role": r.role,
            "share": str(r.share),
            "evaluation_kpi": r.evaluation_kpi_id,
            "contribution_dimension": r.contribution_dimension,
            "evaluation_method": r.evaluation_method,
        }
        for r in MatrixRow.objects.filter(matrix=matrix).order_by("order", "id")
    ]


def _matrix_snapshot(matrix: ResponsibilityMatrix) -> dict[str, Any]:
    data = snapshot(matrix) or {}
    data["rows"] = _rows_snapshot(matrix)
    return data


def _write_rows(matrix: ResponsibilityMatrix, rows: list[CleanRow]) -> None:
    MatrixRow.objects.bulk_create(
        [
            MatrixRow(
                tenant_id=matrix.tenant_id,
                matrix=matrix,
                org_unit=row.org_unit,
                role=row.role,
                share=row.share,
                contribution_dimension=row.contribution_dimension,
                evaluation_kpi=row.evaluation_kpi,
                evaluation_method=row.evaluation_method,
                order=index,
            )
            for index, row in enumerate(rows)
        ]
    )


def _same_rows(matrix: ResponsibilityMatrix, rows: list[CleanRow]) -> bool:
    """The clean rows say exactly what is stored (values compare as values: a share 40 equals 40.00)."""
    stored = [
        (r.org_unit_id, r.role, r.share, r.contribution_dimension, r.evaluation_kpi_id, r.evaluation_method)
        for r in MatrixRow.objects.filter(matrix=matrix)
    ]
    given = [
        (r.org_unit.pk, r.role, r.share, r.contribution_dimension, getattr(r.evaluation_kpi, "pk", None),
         r.evaluation_method)
        for r in rows
    ]
    return stored == given


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def matrix_create(
    *, actor, kpi: KPI | int, effective_from: Period | int, rows: Sequence[Mapping[str, Any]], note: str = ""
) -> ResponsibilityMatrix:
    """The first version of a KPI's matrix."""
    kpi = _scoped(KPI, kpi, "kpi", lock=True)  # the lock serialises concurrent creates for the KPI
    period = _scoped(Period, effective_from, "effective_from")
    ensure_period_open(period, field="effective_from")
    try:
        note = clean_text(note, 2000)
    except ValueError as error:
        raise ValidationError({"note": str(error)}) from None
    if ResponsibilityMatrix.objects.filter(kpi=kpi).exists():
        raise ValidationError(
            {"kpi": _("This KPI already has a responsibility matrix; add a new version instead.")}
        )
    clean = matrix_rows_clean(rows)
    check = matrix_period_check(period, kpi=kpi)
    _refuse_period(check)
    matrix = ResponsibilityMatrix.objects.create(
        kpi=kpi, effective_from=period, version=1, note=note, updated_by=_actor(actor),
        kept_closed=[p.pk for p in check.kept],
    )
    _write_rows(matrix, clean)
    audit_record(actor=actor, action="matrix.create", obj=matrix, after=_matrix_snapshot(matrix))
    _scores_changed(matrix, actor=actor)
    return matrix


@transaction.atomic
def matrix_new_version(
    *,
    actor,
    matrix: ResponsibilityMatrix,
    lock_version: int,
    effective_from: Period | int,
    rows: Sequence[Mapping[str, Any]],
    note: str = "",
) -> ResponsibilityMatrix:
    """A new version of `matrix`'s KPI, taking effect from `effective_from` (the current version's start or
    later). Periods before it keep the version they had. `matrix` must be the latest version, as loaded."""
    current = _scoped(ResponsibilityMatrix, matrix, "matrix")
    KPI.objects.select_for_update().filter(pk=current.kpi_id).first()
    current = lock_for_edit(ResponsibilityMatrix, current, lock_version)
    latest = (
        ResponsibilityMatrix.objects.select_related("updated_by", "effective_from")
        .filter(kpi_id=current.kpi_id)
        .order_by("-version")
        .first()
    )
    if latest.pk != current.pk:
        raise StaleEditError.of(latest)
    period = _scoped(Period, effective_from, "effective_from")
    ensure_period_open(period, field="effective_from")
    check = matrix_period_check(period, kpi=latest.kpi_id)
    _refuse_period(check)
    try:
        note = clean_text(note, 2000)
    except ValueError as error:
        raise ValidationError({"note": str(error)}) from None
    clean = matrix_rows_clean(rows)
    new = ResponsibilityMatrix.objects.create(
        kpi_id=latest.kpi_id,
        effective_from=period,
        kept_closed=[p.pk for p in check.kept],
        version=latest.version + 1,
        note=note,
        updated_by=_actor(actor),
    )
    _write_rows(new, clean)
    audit_record(
        actor=actor,
        action="matrix.new_version",
        obj=new,
        before=_matrix_snapshot(latest),
        after=_matrix_snapshot(new),
    )
    _scores_changed(new, actor=actor)
    return new


@transaction.atomic
def matrix_update(
    *,
    actor,
    matrix: ResponsibilityMatrix,
    lock_version: int,
    rows: Sequence[Mapping[str, Any]] = UNSET,
    note: str = UNSET,
) -> ResponsibilityMatrix:
    """Correct a version in place (rows and/or note). Refused when a closed period is scored with it."""
    current = _scoped(ResponsibilityMatrix, matrix, "matrix")
    current = lock_for_edit(ResponsibilityMatrix, current, lock_version)
    before = _matrix_snapshot(current)
    _refuse_closed(matrix_closed_periods(current), "matrix")
    ensure_period_open(current.effective_from, field="matrix")
    old_note = current.note
    if note is not UNSET:
        try:
            current.note = clean_text(note, 2000)
        except ValueError as error:
            raise ValidationError({"note": str(error)}) from None
    clean = None if rows is UNSET else matrix_rows_clean(rows)
    if clean is not None and _same_rows(current, clean):
        clean = None  # the same rows again: they stay as they are
    if clean is None and current.note == old_note:
        return current  # nothing changed: no new version, no audit row, no recompute
    if clean is not None:
        MatrixRow.objects.filter(matrix=current).delete()
        _write_rows(current, clean)
    current.save(update_fields=["note", *mark_edited(current, actor)])
    audit_record(
        actor=actor, action="matrix.update", obj=current, before=before, after=_matrix_snapshot(current)
    )
    _scores_changed(current, actor=actor)
    return current


def _scores_changed(matrix: ResponsibilityMatrix, *, actor) -> None:
    """Tell the areas scored from this version (the recompute they queue starts once the write commits)."""
    scoring_inputs_changed.send(
        ResponsibilityMatrix, reason="matrix", actor=actor, kpi_id=matrix.kpi_id,
        effective_from=matrix.effective_from,
    )
