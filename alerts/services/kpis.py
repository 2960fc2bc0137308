"""Writing process KPIs (create, update, delete: lock_version, audit, a save that changes nothing writes
nothing) and their points in bulk (`kpi_points_write`: all or nothing, one upsert statement, one audit row
a batch). The checks are `alerts.services.kpi_checks`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.models import PointSource, ProcessKpi, ProcessKpiPoint
from alerts.services.kpi_checks import KPI_FIELDS, MAX_POINTS, kpi_clean, point_errors, tenant_today
from collab.audit import audit_record
from collab.concurrency import changed_fields, field_values, lock_for_delete, lock_for_edit, mark_edited
from collab.routing.ids import coerce_id

POINTS = "points"


def kpi_snapshot(kpi: ProcessKpi) -> dict[str, Any]:
    """What the audit log keeps of a KPI."""
    return {
        "stage": kpi.stage_id, "code": kpi.code, "name": kpi.name, "unit_label": kpi.unit_label,
        "granularity": kpi.granularity, "direction": kpi.direction,
        "amber": None if kpi.amber is None else str(kpi.amber),
        "red": None if kpi.red is None else str(kpi.red),
        "description": kpi.description, "is_active": kpi.is_active,
    }  # fmt: skip


def _code_taken() -> ValidationError:
    return ValidationError({"code": _("A process KPI with this code exists already.")})


def _refuse_same_code(code: str, *, kpi: ProcessKpi | None = None) -> None:
    clash = ProcessKpi.objects.filter(code__iexact=code)
    if kpi is not None:
        clash = clash.exclude(pk=kpi.pk)
    if clash.exists():
        raise _code_taken()


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise _code_taken() from None


@transaction.atomic
def process_kpi_create(*, actor, data: Mapping[str, Any]) -> ProcessKpi:
    """A new KPI of a stage."""
    clean = kpi_clean(data)
    _refuse_same_code(clean["code"])
    user = actor if getattr(actor, "is_authenticated", False) else None
    kpi = _saved(lambda: ProcessKpi.objects.create(**clean, updated_by=user))
    audit_record(actor=actor, action=AlertsAuditAction.PROCESS_KPI_CREATE, obj=kpi, after=kpi_snapshot(kpi))
    return kpi


@transaction.atomic
def process_kpi_update(*, actor, kpi: ProcessKpi, lock_version: Any, data: Mapping[str, Any]) -> ProcessKpi:
    """Change the fields in `data` (any of `KPI_FIELDS`)."""
    current = lock_for_edit(ProcessKpi, kpi, lock_version)
    clean = kpi_clean({k: v for k, v in data.items() if k in KPI_FIELDS}, current=current)
    if "code" in clean:
        _refuse_same_code(clean["code"], kpi=current)
    before = kpi_snapshot(current)
    before_values = field_values(current)
    for name, value in clean.items():
        setattr(current, name, value)
    fields = changed_fields(current, before_values)
    if not fields:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*fields, *columns]))
    audit_record(
        actor=actor, action=AlertsAuditAction.PROCESS_KPI_UPDATE, obj=current, before=before,
        after=kpi_snapshot(current),
    )  # fmt: skip
    return current


@transaction.atomic
def process_kpi_delete(*, actor, kpi: ProcessKpi, lock_version: Any) -> None:
    """Delete a KPI with its points."""
    current = lock_for_delete(ProcessKpi, kpi, lock_version)
    before = kpi_snapshot(current)
    before["points"] = current.points.count()
    pk, label = current.pk, str(current)
    current.delete()
    audit_record(
        actor=actor, action=AlertsAuditAction.PROCESS_KPI_DELETE, object_type="alerts.processkpi",
        object_id=pk, object_repr=label, before=before,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------- points
@dataclass(frozen=True)
class PointsWritten:
    created: int
    updated: int
    unchanged: int


def point_key(index: int, field: str) -> str:
    return f"{POINTS}-{index}-{field}"


def _kpis_of(rows: Sequence[Mapping[str, Any]]) -> dict[int, ProcessKpi]:
    ids = {coerce_id(row.get("kpi"), ProcessKpi) for row in rows if isinstance(row, Mapping)} - {None}
    return {kpi.pk: kpi for kpi in ProcessKpi.objects.filter(pk__in=ids)}


def _checked_points(rows: Sequence[Mapping[str, Any]]) -> list[tuple[ProcessKpi, Any, Any]]:
    """(kpi, day, value) of every row, or one ValidationError naming every bad row's fields."""
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Sequence):
        raise ValidationError({POINTS: _("Give a list of points.")})
    if not rows:
        raise ValidationError({POINTS: _("Send at least one point.")})
    if len(rows) > MAX_POINTS:
        raise ValidationError({POINTS: _("At most %(n)s points a call.") % {"n": f"{MAX_POINTS:,}"}})
    kpis = _kpis_of(rows)
    today = tenant_today()
    errors: dict[str, list[str]] = {}
    seen: dict[tuple[int, Any], int] = {}
    clean = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[point_key(index, "kpi")] = [_("Give each point as {kpi, at, value}.")]
            continue
        kpi = kpis.get(coerce_id(row.get("kpi"), ProcessKpi))
        if kpi is None:
            errors[point_key(index, "kpi")] = [_("No process KPI has this id here.")]
            continue
        problems, day, value = point_errors(kpi, row.get("at"), row.get("value"), today)
        for field, message in problems.items():
            errors[point_key(index, field)] = [message]
        if day is not None and "at" not in problems:
            first = seen.setdefault((kpi.pk, day), index)
            if first != index:
                errors[point_key(index, "at")] = [
                    _("Duplicate of point %(row)s (the same KPI and day).") % {"row": first}
                ]
        clean.append((kpi, day, value))
    if errors:
        raise ValidationError(errors)
    return clean


def kpi_points_errors(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """What `kpi_points_write` would refuse in `rows`, by key; writes nothing (a door that checked the rows'
    shape first adds these, so one answer names every problem)."""
    try:
        _checked_points(rows)
    except ValidationError as invalid:
        return invalid.message_dict
    return {}


@transaction.atomic
def kpi_points_write(*, actor, kpi_rows: Sequence[Mapping[str, Any]], source: str) -> PointsWritten:
    """Upsert points (kpi, at, value) — a point of a stored (kpi, at) replaces its value — all or nothing:
    any bad row writes nothing, errors keyed "points-<i>-<field>" (i: the row's index). Points whose value
    does not change are left alone; one audit row for the batch, none when nothing changed."""
    if source not in PointSource.values:
        raise ValueError(f"unknown point source {source!r}")
    clean = _checked_points(kpi_rows)
    kpi_ids = {kpi.pk for kpi, _day, _value in clean}
    days = [day for _kpi, day, _value in clean]
    stored = {
        (kpi_id, at): value
        for kpi_id, at, value in ProcessKpiPoint.objects.filter(
            kpi_id__in=kpi_ids, at__gte=min(days), at__lte=max(days)
        ).values_list("kpi_id", "at", "value")
    }
    changed = [
        ProcessKpiPoint(kpi=kpi, at=day, value=value, source=source)
        for kpi, day, value in clean
        if stored.get((kpi.pk, day)) != value
    ]
    created = sum(1 for point in changed if (point.kpi_id, point.at) not in stored)
    result = PointsWritten(
        created=created, updated=len(changed) - created, unchanged=len(clean) - len(changed)
    )
    if not changed:
        return result
    ProcessKpiPoint.objects.bulk_create(
        changed, update_conflicts=True, unique_fields=["tenant", "kpi", "at"],
        update_fields=["value", "source", "recorded_at"], batch_size=2000,
    )  # fmt: skip
    audit_record(
        actor=actor, action=AlertsAuditAction.PROCESS_KPI_POINTS, object_type="alerts.processkpi",
        object_repr=", ".join(sorted({kpi.code for kpi, _d, _v in clean}))[:300],
        after={"source": source, "created": result.created, "updated": result.updated,
               "unchanged": result.unchanged, "kpis": sorted(kpi_ids)},
    )  # fmt: skip
    return result
