"""Setting up an appraisal cycle while it is a draft, launching it and closing it.

A draft has a header (name, period, the result formula's weights adding up to 100), its dated stages (a list
of {stage, opens_at, deadline}: in the order of `STAGE_ORDER`, each opening at or after the deadline of the
one before) and its participant rules (a list of {org_unit, include_sub_units, position, job_family, level},
each naming at least one criterion; a person matching any rule takes part). Stages and rules are given as
whole lists and replace the stored ones; errors are keyed "stages-<i>-<field>" and "rules-<i>-<field>"
(index from 0), "stages" / "rules" for the whole list.

`cycle_launch` materialises one `Appraisal` for every active employee a rule matches, freezing their manager,
unit, position, job family and level; a launch that would take nobody is refused; launching a launched cycle
changes nothing. `cycle_close` ends an active cycle once every appraisal in it is final.

Once launched, a cycle keeps its name, period, formula, participants and stages; `cycle_update` then changes
only the dates still ahead (`cycle_checks.reschedule_clean`): a deadline extended or brought forward, the next
stage opened now. The calendar moves everyone on at once (`appraisals_advance`), never back: a person is sent
back to a stage only by reopening it for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.audit import AppraisalAuditAction
from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    CycleStage,
    CycleStatus,
    ParticipantRule,
    Stage,
)
from appraisal.selectors.cycles import participants_of, stored_rules, stored_stages
from appraisal.services.cycle_checks import (
    WEIGHT_FIELDS,
    header_clean,
    refuse_unless_draft,
    reschedule_clean,
    rules_clean,
    stages_clean,
)
from appraisal.services.stages import appraisals_advance
from collab.audit import audit_record
from collab.concurrency import (
    UNSET,
    changed_fields,
    field_values,
    lock_for_delete,
    lock_for_edit,
    mark_edited,
)
from collab.models import Period


def cycle_snapshot(cycle: AppraisalCycle) -> dict[str, Any]:
    """What the audit log keeps of a cycle's set-up."""
    return {
        "name": cycle.name, "period": cycle.period_id, "status": cycle.status,
        **{name: str(getattr(cycle, name)) for name in WEIGHT_FIELDS},
        "stages": [[s["stage"], s["opens_at"].isoformat(), s["deadline"].isoformat()]
                   for s in stored_stages(cycle)],
        "rules": [
            {k: getattr(v, "pk", v) for k, v in rule.items()} for rule in stored_rules(cycle)
        ],
    }  # fmt: skip


# ------------------------------------------------------------------------------------------ writes
def _write_stages(cycle: AppraisalCycle, stages: list[dict[str, Any]]) -> None:
    CycleStage.objects.filter(cycle=cycle).delete()
    CycleStage.objects.bulk_create([CycleStage(cycle=cycle, **row) for row in stages])


def _write_rules(cycle: AppraisalCycle, rules: list[dict[str, Any]]) -> None:
    ParticipantRule.objects.filter(cycle=cycle).delete()
    ParticipantRule.objects.bulk_create([ParticipantRule(cycle=cycle, **row) for row in rules])


def _ids(rows: list[dict[str, Any]]) -> list[tuple]:
    return [tuple((k, getattr(v, "pk", v)) for k, v in sorted(row.items())) for row in rows]


def _refuse_same_name(name: str, period: Period, *, cycle: AppraisalCycle | None = None) -> None:
    clash = AppraisalCycle.objects.filter(period=period, name__iexact=name)
    if cycle is not None:
        clash = clash.exclude(pk=cycle.pk)
    if clash.exists():
        raise ValidationError({"name": _("A cycle with this name exists in this period already.")})


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationError({"name": _("A cycle with this name exists in this period already.")}) from None


def _collect(errors: dict, check):
    try:
        return check()
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
        return None


@transaction.atomic
def cycle_create(
    *, actor, data: Mapping[str, Any], stages: Sequence[Mapping] = (), rules: Sequence[Mapping] = ()
) -> AppraisalCycle:
    """A new draft cycle with its stages and participant rules."""
    errors: dict[str, list[str]] = {}
    header = _collect(errors, lambda: header_clean(data, partial=False, current=None)) or {}
    clean_stages = _collect(errors, lambda: stages_clean(stages)) or []
    clean_rules = _collect(errors, lambda: rules_clean(rules)) or []
    if errors:
        raise ValidationError(errors)
    _refuse_same_name(header["name"], header["period"])
    user = actor if getattr(actor, "is_authenticated", False) else None
    cycle = _saved(lambda: AppraisalCycle.objects.create(**header, created_by=user, updated_by=user))
    _write_stages(cycle, clean_stages)
    _write_rules(cycle, clean_rules)
    after = cycle_snapshot(cycle)
    audit_record(actor=actor, action=AppraisalAuditAction.CYCLE_CREATE, obj=cycle, after=after)
    return cycle


@transaction.atomic
def cycle_update(
    *,
    actor,
    cycle: AppraisalCycle,
    lock_version: Any,
    data: Mapping[str, Any],
    stages: Sequence[Mapping] | object = UNSET,
    rules: Sequence[Mapping] | object = UNSET,
    now: dt.datetime | None = None,
) -> AppraisalCycle:
    """Correct a draft: the header fields in `data` and, when given, the whole list of stages or of rules;
    or move the dates of a launched one. A save that changes nothing writes nothing."""
    current = lock_for_edit(AppraisalCycle, cycle, lock_version)
    launched = current.status == CycleStatus.ACTIVE
    if not launched:
        refuse_unless_draft(current)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    header = _collect(errors, lambda: header_clean(data, partial=True, current=current)) or {}
    new_stages = _collect(errors, lambda: stages_clean(stages)) if stages is not UNSET else None  # type: ignore[arg-type]
    new_rules = _collect(errors, lambda: rules_clean(rules)) if rules is not UNSET else None  # type: ignore[arg-type]
    if launched and not errors:
        _refuse_launched_changes(current, header, new_rules)
        if new_stages is not None:
            new_stages = reschedule_clean(stored_stages(current), new_stages, stages, now)  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)
    if "name" in header or "period" in header:
        name, period = header.get("name", current.name), header.get("period", current.period)
        _refuse_same_name(name, period, cycle=current)
    before = cycle_snapshot(current)
    before_values = field_values(current)
    for name, value in header.items():
        setattr(current, name, value)
    fields = changed_fields(current, before_values)
    stages_changed = new_stages is not None and _ids(new_stages) != _ids(stored_stages(current))
    rules_changed = new_rules is not None and _ids(new_rules) != _ids(stored_rules(current))
    if not fields and not stages_changed and not rules_changed:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*fields, *columns]))
    if stages_changed:
        _write_stages(current, new_stages)  # type: ignore[arg-type]
    if rules_changed:
        _write_rules(current, new_rules)  # type: ignore[arg-type]
    action = AppraisalAuditAction.CYCLE_RESCHEDULE if launched else AppraisalAuditAction.CYCLE_UPDATE
    audit_record(actor=actor, action=action, obj=current, before=before, after=cycle_snapshot(current))
    if launched:
        appraisals_advance(current, now)
    return current


def _refuse_launched_changes(cycle: AppraisalCycle, header: dict[str, Any], rules: list | None) -> None:
    """A launched cycle's name, period, formula and participants stay as launched (its appraisals were made
    and are read by them); giving the same values again is no change."""
    errors = {
        name: [_("A launched cycle keeps this as it was launched.")]
        for name, value in header.items()
        if getattr(cycle, name) != value
    }
    if rules is not None and _ids(rules) != _ids(stored_rules(cycle)):
        errors["rules"] = [_("A launched cycle keeps its participants: its appraisals are made.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cycle_delete(*, actor, cycle: AppraisalCycle, lock_version: Any = UNSET) -> None:
    """Delete a draft (a launched cycle keeps its appraisals)."""
    current = lock_for_delete(AppraisalCycle, cycle, lock_version)
    refuse_unless_draft(current)
    before = cycle_snapshot(current)
    pk, name = current.pk, current.name
    current.delete()
    audit_record(
        actor=actor, action=AppraisalAuditAction.CYCLE_DELETE, object_type="appraisal.appraisalcycle",
        object_id=pk, object_repr=name, before=before,
    )  # fmt: skip


@transaction.atomic
def cycle_launch(*, actor, cycle: AppraisalCycle, lock_version: Any, now: dt.datetime | None = None) -> int:
    """Open the cycle: one appraisal for every active employee a rule matches (their manager, unit,
    position, job family and level frozen), each moved to the stage open now. Returns the number of
    appraisals. Launching a launched cycle changes nothing; a closed one is refused."""
    locked = AppraisalCycle.objects.select_for_update(of=("self",)).filter(pk=cycle.pk).first()
    if locked is None:
        raise AppraisalCycle.DoesNotExist(f"AppraisalCycle {cycle.pk} does not exist")
    if locked.status == CycleStatus.ACTIVE:
        return Appraisal.objects.filter(cycle=locked).count()
    if locked.status == CycleStatus.CLOSED:
        raise ValidationError({"status": _("A closed cycle cannot be launched again.")})
    current = lock_for_edit(AppraisalCycle, cycle, lock_version)
    stages = stored_stages(current)
    if not stages:
        raise ValidationError({"stages": _("Date at least one stage before launching.")})
    rules = stored_rules(current)
    if not rules:
        raise ValidationError({"rules": _("Add a participant rule before launching: nobody takes part yet.")})
    people = list(participants_of(rules).select_related("position").order_by("id"))
    if not people:
        message = _("No active employee matches the participant rules: nobody would take part. Change the "
                    "rules before launching.")  # fmt: skip
        raise ValidationError({"rules": message})
    Appraisal.objects.bulk_create([
        Appraisal(cycle=current, employee=person, manager_id=person.manager_id,
                  org_unit_id=person.org_unit_id, position_id=person.position_id,
                  job_family=person.position.job_family if person.position_id else "",
                  level=person.position.level if person.position_id else "", stage=Stage.GOAL_SETTING)
        for person in people
    ])  # fmt: skip
    now = now or timezone.now()
    before = cycle_snapshot(current)
    current.status = CycleStatus.ACTIVE
    current.launched_at = now
    current.save(update_fields=["status", "launched_at", *mark_edited(current, actor)])
    after = {**cycle_snapshot(current), "appraisals": len(people)}
    audit_record(
        actor=actor, action=AppraisalAuditAction.CYCLE_LAUNCH, obj=current, before=before, after=after
    )
    appraisals_advance(current, now)
    return len(people)


@transaction.atomic
def cycle_close(
    *, actor, cycle: AppraisalCycle, lock_version: Any, now: dt.datetime | None = None
) -> AppraisalCycle:
    """Close an active cycle whose appraisals are all final; closing a closed one changes nothing."""
    locked = AppraisalCycle.objects.select_for_update(of=("self",)).filter(pk=cycle.pk).first()
    if locked is None:
        raise AppraisalCycle.DoesNotExist(f"AppraisalCycle {cycle.pk} does not exist")
    if locked.status == CycleStatus.CLOSED:
        return locked
    if locked.status == CycleStatus.DRAFT:
        raise ValidationError({"status": _("A draft cannot be closed: launch it or delete it.")})
    current = lock_for_edit(AppraisalCycle, cycle, lock_version)
    open_count = Appraisal.objects.filter(cycle=current).exclude(stage=Stage.FINAL).count()
    if open_count:
        message = _("%(n)d appraisals are not final yet; close the cycle when every result is confirmed or "
                    "decided.")  # fmt: skip
        raise ValidationError({"status": message % {"n": open_count}})
    current.status = CycleStatus.CLOSED
    current.closed_at = now or timezone.now()
    current.save(update_fields=["status", "closed_at", *mark_edited(current, actor)])
    audit_record(
        actor=actor, action=AppraisalAuditAction.CYCLE_CLOSE, obj=current,
        before={"status": CycleStatus.ACTIVE}, after={"status": CycleStatus.CLOSED},
    )  # fmt: skip
    return current
