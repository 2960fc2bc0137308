"""Writing processes: create, update (the header and, when given, the whole ordered list of stages) and
delete. A process has at least one stage; its name is unique in the tenant. Stages are given as whole lists
and replace the stored ones (their order is the list's); errors are keyed "stages-<i>-<field>". A save that
changes nothing writes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts.audit import AlertsAuditAction
from alerts.models import Process, ProcessStage, ProcessStageUnit
from alerts.selectors.processes import stored_stages
from alerts.services.process_checks import header_clean, stage_ids, stages_clean
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


def _write_stages(process: Process, stages: list[dict[str, Any]]) -> None:
    ProcessStage.objects.filter(process=process).delete()
    made = ProcessStage.objects.bulk_create([
        ProcessStage(process=process, order=index,
                     **{k: v for k, v in row.items() if k != "collaborating_units"})
        for index, row in enumerate(stages, start=1)
    ])  # fmt: skip
    ProcessStageUnit.objects.bulk_create([
        ProcessStageUnit(stage=stage, org_unit=unit)
        for stage, row in zip(made, stages, strict=True)
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
    new_stages = _collect(errors, lambda: stages_clean(stages)) if stages is not UNSET else None  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)
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
