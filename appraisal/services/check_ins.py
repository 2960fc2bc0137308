"""Check-ins (绩效沟通, issue 11 point 3): one-to-one records between the manager and the employee.

Either side records one (date, progress, obstacles, a note per personal goal, agreed actions with an owner —
the employee or the manager — and a due date); both read it, and so does whoever reads the appraisal. Its
author edits it (a stale save is a 409). Each side may keep a private note on a check-in
(`CheckInPrivateNote`): only its author ever reads it, so no audit row carries its text. An action is marked
done (or open again) by its owner. Nothing changes once the appraisal is final or its cycle is not active."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from appraisal.audit import AppraisalAuditAction as Action
from appraisal.models import (
    Appraisal,
    CheckIn,
    CheckInAction,
    CheckInGoal,
    CheckInPrivateNote,
    CycleStatus,
    PersonalGoal,
    Stage,
)
from collab.audit import audit_record
from collab.concurrency import editor, lock_for_edit, mark_edited
from collab.routing.ids import parse_id
from collab.text import clean_text

MAX_ACTIONS = 20
OWNER_EMPLOYEE = "employee"
OWNER_MANAGER = "manager"
OWNERS = (OWNER_EMPLOYEE, OWNER_MANAGER)


def party(actor, appraisal: Appraisal) -> str | None:
    """"employee" or "manager" when `actor` is one side of this appraisal's one-to-ones, else None."""
    user_id = getattr(actor, "pk", None)
    if user_id is None:
        return None
    if appraisal.employee.user_id == user_id:
        return OWNER_EMPLOYEE
    if appraisal.manager_id is not None and appraisal.manager.user_id == user_id:
        return OWNER_MANAGER
    return None


def check_ins_open(appraisal: Appraisal) -> bool:
    return appraisal.cycle.status == CycleStatus.ACTIVE and appraisal.stage != Stage.FINAL


def _gate(actor, appraisal: Appraisal) -> None:
    if party(actor, appraisal) is None:
        raise ValidationError({"appraisal": [_("Only the person and their manager record check-ins.")]})
    if not check_ins_open(appraisal):
        raise ValidationError({"appraisal": [_("This appraisal is final or its cycle is not active.")]})


def _snapshot(check_in: CheckIn) -> dict[str, Any]:
    """What the audit keeps (never a private note)."""
    return {
        "appraisal": check_in.appraisal_id, "held_on": check_in.held_on.isoformat(),
        "progress": check_in.progress, "obstacles": check_in.obstacles,
        "goal_notes": [[note.personal_goal_id, note.progress] for note in check_in.goal_notes.all()],
        "actions": [[action.pk, action.description, action.owner_id, action.due_on.isoformat()]
                    for action in check_in.actions.all()],
    }  # fmt: skip


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value.strip())
        except ValueError:
            return None
    return None


def _text(value: Any, field: str, limit: int, errors: dict[str, list[str]]) -> str:
    try:
        return clean_text(value, limit)
    except ValueError as error:
        errors.setdefault(field, []).append(str(error))
        return ""


def _content(appraisal: Appraisal, data: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    held_on = _date(data.get("held_on"))
    if held_on is None:
        errors["held_on"] = [_("Enter the date of the check-in.")]
    elif held_on > today:
        errors["held_on"] = [_("A check-in is recorded once it is held: the date cannot be in the future.")]
    values = {
        "held_on": held_on,
        "progress": _text(data.get("progress"), "progress", 5000, errors),
        "obstacles": _text(data.get("obstacles"), "obstacles", 5000, errors),
    }
    goals = {goal.pk: goal for goal in PersonalGoal.objects.filter(appraisal=appraisal)}
    notes: dict[int, str] = {}
    for index, row in enumerate(data.get("goal_notes") or ()):
        goal = row.get("personal_goal")
        pk = getattr(goal, "pk", None) or parse_id(str(goal or ""))
        text = _text(row.get("progress"), f"goal_notes-{index}-progress", 5000, errors)
        if pk not in goals:
            errors.setdefault(f"goal_notes-{index}-personal_goal", []).append(
                _("Choose one of the person's agreed goals.")
            )
        elif text:
            notes[pk] = text
    values["goal_notes"] = notes
    rows: list[dict[str, Any]] = []
    actions = list(data.get("actions") or ())
    if len(actions) > MAX_ACTIONS:
        errors.setdefault("actions", []).append(_("At most %(n)d actions a check-in.") % {"n": MAX_ACTIONS})
    for index, row in enumerate(actions[:MAX_ACTIONS]):
        key = f"actions-{index}"
        description = _text(row.get("description"), f"{key}-description", 500, errors)
        if not description and f"{key}-description" not in errors:
            errors[f"{key}-description"] = [_("Say what was agreed.")]
        owner = row.get("owner")
        if owner not in OWNERS:
            errors[f"{key}-owner"] = [_("Choose the employee or the manager.")]
        elif owner == OWNER_MANAGER and appraisal.manager_id is None:
            errors[f"{key}-owner"] = [_("This appraisal has no manager.")]
        due_on = _date(row.get("due_on"))
        if due_on is None:
            errors[f"{key}-due_on"] = [_("Enter the due date.")]
        rows.append({"id": parse_id(str(row.get("id") or "")), "description": description, "owner": owner,
                     "due_on": due_on})  # fmt: skip
    values["actions"] = rows
    if errors:
        raise ValidationError(errors)
    return values


def _owner_id(appraisal: Appraisal, owner: str) -> int:
    return appraisal.employee_id if owner == OWNER_EMPLOYEE else appraisal.manager_id


def _write_rows(check_in: CheckIn, appraisal: Appraisal, values: dict[str, Any], actor) -> None:
    CheckInGoal.objects.filter(check_in=check_in).delete()
    CheckInGoal.objects.bulk_create(
        [CheckInGoal(check_in=check_in, personal_goal_id=pk, progress=text)
         for pk, text in values["goal_notes"].items()]
    )  # fmt: skip
    kept = {action.pk: action for action in CheckInAction.objects.filter(check_in=check_in)}
    seen: set[int] = set()
    for row in values["actions"]:
        owner_id = _owner_id(appraisal, row["owner"])
        action = kept.get(row["id"]) if row["id"] is not None else None
        if action is None:
            CheckInAction.objects.create(
                check_in=check_in, description=row["description"], owner_id=owner_id, due_on=row["due_on"],
                updated_by=editor(actor),
            )  # fmt: skip
            continue
        seen.add(action.pk)
        if (action.description, action.owner_id, action.due_on) != (row["description"], owner_id,
                                                                     row["due_on"]):  # fmt: skip
            action.description, action.owner_id, action.due_on = row["description"], owner_id, row["due_on"]
            action.save(update_fields=["description", "owner", "due_on", *mark_edited(action, actor)])
    CheckInAction.objects.filter(check_in=check_in).exclude(pk__in=seen).filter(pk__in=list(kept)).delete()


def _private_note_write(actor, check_in: CheckIn, text: str) -> bool:
    """Set (or with blank text remove) the actor's own note; whether anything changed."""
    current = CheckInPrivateNote.objects.filter(check_in=check_in, author=actor).first()
    if not text:
        if current is None:
            return False
        current.delete()
        return True
    if current is None:
        CheckInPrivateNote.objects.create(check_in=check_in, author=actor, text=text)
        return True
    if current.text == text:
        return False
    current.text = text
    current.save(update_fields=["text", "updated_at"])
    return True


@transaction.atomic
def check_in_create(
    *, actor, appraisal: Appraisal, data: Mapping[str, Any], today: dt.date | None = None
) -> CheckIn:
    """Record a check-in (`data`: held_on, progress, obstacles, goal_notes [{personal_goal, progress}],
    actions [{description, owner: "employee" | "manager", due_on}], private_note — the author's own)."""
    appraisal = Appraisal.objects.select_related("employee", "manager", "cycle").get(pk=appraisal.pk)
    _gate(actor, appraisal)
    errors: dict[str, list[str]] = {}
    note = _text(data.get("private_note"), "private_note", 5000, errors)
    try:
        values = _content(appraisal, data, today=today or timezone.localdate())
    except ValidationError as invalid:
        raise ValidationError(invalid.message_dict | errors) from None
    if errors:
        raise ValidationError(errors)
    check_in = CheckIn.objects.create(
        appraisal=appraisal, held_on=values["held_on"], progress=values["progress"],
        obstacles=values["obstacles"], created_by=editor(actor), updated_by=editor(actor),
    )  # fmt: skip
    _write_rows(check_in, appraisal, values, actor)
    audit_record(actor=actor, action=Action.CHECK_IN_CREATE, obj=check_in, after=_snapshot(check_in))
    if _private_note_write(actor, check_in, note):
        audit_record(actor=actor, action=Action.CHECK_IN_PRIVATE_NOTE, obj=check_in)
    return check_in


def _locked(check_in: CheckIn, lock_version: Any) -> CheckIn:
    queryset = CheckIn.objects.select_related("appraisal__employee", "appraisal__manager", "appraisal__cycle")
    return lock_for_edit(CheckIn, check_in, lock_version, queryset=queryset)


@transaction.atomic
def check_in_update(
    *, actor, check_in: CheckIn, data: Mapping[str, Any], lock_version: Any, today: dt.date | None = None
) -> CheckIn:
    """Its author edits a check-in (the same fields as recording one; an action given with its `id` keeps
    whether it is done, one left out is removed)."""
    current = _locked(check_in, lock_version)
    appraisal = current.appraisal
    _gate(actor, appraisal)
    if current.created_by_id != getattr(actor, "pk", None):
        raise ValidationError({"appraisal": [_("Only the person who recorded a check-in edits it.")]})
    errors: dict[str, list[str]] = {}
    note = _text(data.get("private_note"), "private_note", 5000, errors) if "private_note" in data else None
    try:
        values = _content(appraisal, data, today=today or timezone.localdate())
    except ValidationError as invalid:
        raise ValidationError(invalid.message_dict | errors) from None
    if errors:
        raise ValidationError(errors)
    before = _snapshot(current)
    current.held_on, current.progress, current.obstacles = (
        values["held_on"], values["progress"], values["obstacles"]
    )
    _write_rows(current, appraisal, values, actor)
    after = _snapshot(current)  # the fields as set, the rows as written
    if after != before:
        current.save(update_fields=["held_on", "progress", "obstacles", *mark_edited(current, actor)])
        audit_record(actor=actor, action=Action.CHECK_IN_UPDATE, obj=current, before=before, after=after)
    if note is not None and _private_note_write(actor, current, note):
        audit_record(actor=actor, action=Action.CHECK_IN_PRIVATE_NOTE, obj=current)
    return current


@transaction.atomic
def check_in_private_note_set(*, actor, check_in: CheckIn, text: Any) -> CheckInPrivateNote | None:
    """Either side keeps (or, with blank text, removes) their own private note on a check-in. The audit
    row says that a note was saved, never what it says."""
    check_in = CheckIn.objects.select_related("appraisal__employee", "appraisal__manager",
                                              "appraisal__cycle").get(pk=check_in.pk)  # fmt: skip
    _gate(actor, check_in.appraisal)
    try:
        cleaned = clean_text(text, 5000)
    except ValueError as error:
        raise ValidationError({"private_note": [str(error)]}) from None
    if _private_note_write(actor, check_in, cleaned):
        audit_record(actor=actor, action=Action.CHECK_IN_PRIVATE_NOTE, obj=check_in)
    return CheckInPrivateNote.objects.filter(check_in=check_in, author=actor).first()


@transaction.atomic
def check_in_action_done(
    *, actor, action: CheckInAction, lock_version: Any, done: bool = True
) -> CheckInAction:
    """The action's owner marks it done (or open again)."""
    queryset = CheckInAction.objects.select_related(
        "owner", "check_in__appraisal__employee", "check_in__appraisal__manager", "check_in__appraisal__cycle"
    )
    current = lock_for_edit(CheckInAction, action, lock_version, queryset=queryset)
    if current.owner.user_id != getattr(actor, "pk", None):
        raise ValidationError({"owner": [_("Only the action's owner marks it done.")]})
    if not check_ins_open(current.check_in.appraisal):
        raise ValidationError({"appraisal": [_("This appraisal is final or its cycle is not active.")]})
    if (current.done_at is not None) == bool(done):
        return current
    before = {"done_at": current.done_at.isoformat() if current.done_at else None}
    current.done_at = timezone.now() if done else None
    current.save(update_fields=["done_at", *mark_edited(current, actor)])
    after = {"done_at": current.done_at.isoformat() if current.done_at else None}
    audit_record(actor=actor, action=Action.CHECK_IN_ACTION_DONE, obj=current, before=before, after=after)
    return current

