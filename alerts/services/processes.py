"""Writing processes: create, update (the header and, when given, the whole ordered list of stages) and
delete. A process has at least one stage; its name is unique in the tenant. Stages are given as whole lists
(their order is the list's); errors are keyed "stages-<i>-<field>". A row with the `id` of a stored stage
updates that stage in place, so what hangs off it (its KPIs) stays; a row without one is a new stage; a
stored stage the list leaves out is deleted — refused while it has KPIs. A save that changes nothing writes
nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.models import Process, ProcessStage, ProcessStageUnit
from alerts.selectors.processes import stored_stages
from alerts.services.process_checks import STAGE_FIELDS, header_clean, stage_ids, stages_clean
from collab.audit import audit_record
from collab.concurrency import (
    UNSET,
    changed_fields,
    field_values,
    lock_for_delete,
    lock_for_edit,
    mark_edited,
)


def process_snapshot(process: Process) -> dict[str, Any]:
    """What the audit log keeps of a process."""
    return {
        "name": process.name, "kind": process.kind, "description": process.description,
        "owner": process.owner_id, "owner_unit": process.owner_unit_id, "is_active": process.is_active,
        "stages": stored_stages(process),
    }  # fmt: skip


# Stored orders are moved this far out of the way before the list is written, so that the unique (process,
# order) constraint, checked row by row, never sees two stages on one place (a process has at most
# MAX_STAGES stages, far below it).
ORDER_SHIFT = 1000


def _refuse_dropping_stages_with_kpis(process: Process, stages: list[dict[str, Any]]) -> None:
    kept = {row["id"] for row in stages if row.get("id") is not None}
    dropped = ProcessStage.objects.filter(process=process, kpis__isnull=False).exclude(pk__in=kept).distinct()
    names = sorted(dropped.values_list("name", flat=True))
    if names:
        raise ValidationError({"stages": [
            _("Stage “%(name)s” has KPIs: move or delete its KPIs first.") % {"name": name} for name in names
        ]})  # fmt: skip


def _write_stages(process: Process, stages: list[dict[str, Any]]) -> None:
    """Write the ordered list: rows with an id update their stage in place, the others are new, stored
    stages not listed are deleted (the caller refused it for a stage with KPIs)."""
    kept = {row["id"] for row in stages if row.get("id") is not None}
    ProcessStage.objects.filter(process=process).exclude(pk__in=kept).delete()
    ProcessStage.objects.filter(process=process).update(order=F("order") + ORDER_SHIFT)
    stored = {stage.pk: stage for stage in ProcessStage.objects.filter(process=process)}
    columns = [field for field in STAGE_FIELDS if field not in ("id", "collaborating_units")]
    updated, made = [], []
    for index, row in enumerate(stages, start=1):
        values = {field: row[field] for field in columns}
        if row.get("id") is not None:
            stage = stored[row["id"]]
            for field, value in values.items():
                setattr(stage, field, value)
            stage.order = index
            updated.append(stage)
        else:
            made.append(ProcessStage(process=process, order=index, **values))
    if updated:
        ProcessStage.objects.bulk_update(updated, [*columns, "order"])
    ProcessStage.objects.bulk_create(made)
    ProcessStageUnit.objects.filter(stage__in=updated).delete()
    by_row = iter(made)
    written = [stored[row["id"]] if row.get("id") is not None else next(by_row) for row in stages]
    ProcessStageUnit.objects.bulk_create([
        ProcessStageUnit(stage=stage, org_unit=unit)
        for stage, row in zip(written, stages, strict=True)
        for unit in row["collaborating_units"]
    ])  # fmt: skip


def _name_taken() -> ValidationError:
    return ValidationError({"name": _("A process with this name exists already.")})


def _refuse_same_name(name: str, *, process: Process | None = None) -> None:
    clash = Process.objects.filter(name__iexact=name)
    if process is not None:
        clash = clash.exclude(pk=process.pk)
    if clash.exists():
        raise _name_taken()


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise _name_taken() from None


def _collect(errors: dict, check):
    try:
        return check()
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
        return None


@transaction.atomic
def process_create(*, actor, data: Mapping[str, Any], stages: Sequence[Mapping]) -> Process:
    """A new process with its ordered stages."""
    errors: dict[str, list[str]] = {}
    header = _collect(errors, lambda: header_clean(data, partial=False)) or {}
    clean_stages = _collect(errors, lambda: stages_clean(stages)) or []
    if errors:
        raise ValidationError(errors)
    _refuse_same_name(header["name"])
    user = actor if getattr(actor, "is_authenticated", False) else None
    process = _saved(lambda: Process.objects.create(**header, updated_by=user))
    _write_stages(process, clean_stages)
    audit_record(
        actor=actor, action=AlertsAuditAction.PROCESS_CREATE, obj=process, after=process_snapshot(process)
    )
    return process


@transaction.atomic
def process_update(
    *,
    actor,
    process: Process,
    lock_version: Any,
    data: Mapping[str, Any],
    stages: Sequence[Mapping] | object = UNSET,
) -> Process:
    """Change the header fields in `data` and, when given, replace the whole list of stages."""
    current = lock_for_edit(Process, process, lock_version)
    errors: dict[str, list[str]] = {}
    header = _collect(errors, lambda: header_clean(data, partial=True)) or {}
    known = frozenset(ProcessStage.objects.filter(process=current).values_list("pk", flat=True))
    new_stages = (
        _collect(errors, lambda: stages_clean(stages, known_ids=known))  # type: ignore[arg-type]
        if stages is not UNSET
        else None
    )
    if errors:
        raise ValidationError(errors)
    if new_stages is not None:
        _refuse_dropping_stages_with_kpis(current, new_stages)
    if "name" in header:
        _refuse_same_name(header["name"], process=current)
    before = process_snapshot(current)
    before_values = field_values(current)
    for name, value in header.items():
        setattr(current, name, value)
    fields = changed_fields(current, before_values)
    stages_changed = new_stages is not None and stage_ids(new_stages) != stage_ids(before["stages"])
    if not fields and not stages_changed:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*fields, *columns]))
    if stages_changed:
        _write_stages(current, new_stages)  # type: ignore[arg-type]
    audit_record(
        actor=actor, action=AlertsAuditAction.PROCESS_UPDATE, obj=current, before=before,
        after=process_snapshot(current),
    )  # fmt: skip
    return current


@transaction.atomic
def process_delete(*, actor, process: Process, lock_version: Any = UNSET) -> None:
    """Delete a process with its stages."""
    current = lock_for_delete(Process, process, lock_version)
    before = process_snapshot(current)
    pk, name = current.pk, current.name
    current.delete()
    audit_record(
        actor=actor, action=AlertsAuditAction.PROCESS_DELETE, object_type="alerts.process", object_id=pk,
        object_repr=name, before=before,
    )  # fmt: skip
