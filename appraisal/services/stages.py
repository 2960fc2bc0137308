"""The stage machine's dated half: moving appraisals with the calendar, and reopening a stage for one person.

`appraisals_advance(cycle, now)` moves the appraisals of an active cycle up to the cycle's current dated stage
through goal setting → check-ins → self-assessment → manager assessment only: never past the manager's
assessment by date (the manager's submission, calibration, release and the employee's answer move them on).
A person whose current stage HR reopened stays in it until the reopening's deadline.

`stage_reopen` is HR's: one person, one stage they have reached and not left behind the manager's
assessment, a reason and a new deadline; the person's appraisal returns to that stage, and whoever owes the
stage's action is told (an in-app notification). Audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from appraisal.audit import AppraisalAuditAction
from appraisal.models import STAGE_ORDER, Appraisal, AppraisalCycle, CycleStatus, Stage, StageReopening
from appraisal.selectors.stages import current_cycle_stage, cycle_windows
from appraisal.services.reminders import appraisal_url
from collab.audit import audit_record
from collab.concurrency import editor
from collab.models import Notification
from collab.selectors.audit.events import tenant_zone
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant
from collab.text import clean_text

# The stages the calendar moves a person through (and HR may reopen): after them only actions move on.
ADVANCING: tuple[str, ...] = (
    Stage.GOAL_SETTING, Stage.CHECK_INS, Stage.SELF_ASSESSMENT, Stage.MANAGER_ASSESSMENT,
)  # fmt: skip


def advance_target(cycle: AppraisalCycle, now: dt.datetime) -> str | None:
    """The stage the calendar puts everyone of `cycle` in at `now` (None before the first stage opens)."""
    current = current_cycle_stage(cycle_windows(cycle), now)
    if current is None:
        return None
    return current if current in ADVANCING else Stage.MANAGER_ASSESSMENT


@transaction.atomic
def appraisals_advance(cycle: AppraisalCycle, now: dt.datetime | None = None) -> int:
    """Move the appraisals of `cycle` that are behind the calendar to the current dated stage; the number
    moved. Running it again at the same moment moves nobody."""
    now = now or timezone.now()
    cycle = AppraisalCycle.objects.filter(pk=cycle.pk).first()
    if cycle is None or cycle.status != CycleStatus.ACTIVE:
        return 0
    target = advance_target(cycle, now)
    if target is None:
        return 0
    behind = ADVANCING[: ADVANCING.index(target)]
    if not behind:
        return 0
    candidates = Appraisal.objects.filter(cycle=cycle, stage__in=behind)
    held = set(
        StageReopening.objects.filter(appraisal__cycle=cycle, stage__in=behind, until__gte=now).values_list(
            "appraisal_id", "stage"
        )
    )
    if held:
        kept = [pk for pk, stage in candidates.values_list("pk", "stage") if (pk, stage) in held]
        candidates = candidates.exclude(pk__in=kept)
    moved = candidates.update(stage=target, lock_version=F("lock_version") + 1, updated_at=now)
    if moved:
        audit_record(
            actor=None, action=AppraisalAuditAction.STAGE_ADVANCE, obj=cycle,
            after={"stage": target, "appraisals": moved},
        )  # fmt: skip
    return moved


def _moment(value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError({"until": _("Enter a date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, tenant_zone(current_tenant().timezone))
    return value


def _tell_reopened(appraisal: Appraisal, stage: str, until: dt.datetime, reason: str) -> None:
    """The person who owes the reopened stage's action hears of it (the manager for their assessment)."""
    person = appraisal.manager if stage == Stage.MANAGER_ASSESSMENT else appraisal.employee
    user = getattr(person, "user", None) if person is not None else None
    if user is None or not user.is_active:
        return
    zone = tenant_zone(current_tenant().timezone)
    with recipient_language(user), timezone.override(zone):
        names = {"stage": Stage(stage).label, "name": appraisal.cycle.name}
        title = _("%(stage)s reopened: %(name)s") % names
        body = _("Until %(deadline)s, for %(person)s. Reason: %(reason)s") % {
            "deadline": formats.date_format(timezone.localtime(until), "DATETIME_FORMAT"),
            "person": appraisal.employee.name, "reason": reason,
        }  # fmt: skip
    notify(recipient=user, category=Notification.Category.REVIEWS, title=title, body=body,
           url=appraisal_url(appraisal))  # fmt: skip


@transaction.atomic
def stage_reopen(
    *, actor, appraisal: Appraisal, stage: str, reason: Any, until: Any, now: dt.datetime | None = None
) -> StageReopening:
    """Reopen `stage` for the person of `appraisal` until `until`, with a reason (HR's; the door checks the
    role). The appraisal returns to that stage; the calendar leaves it there until the new deadline."""
    now = now or timezone.now()
    current = (
        Appraisal.objects.select_for_update(of=("self",)).select_related("cycle").filter(pk=appraisal.pk).first()
    )
    if current is None:
        raise Appraisal.DoesNotExist(f"Appraisal {appraisal.pk} does not exist")
    errors: dict[str, list[str]] = {}
    if stage not in ADVANCING:
        errors["stage"] = [_("Choose goal setting, check-ins, self-assessment or manager assessment.")]
    elif current.cycle.status != CycleStatus.ACTIVE:
        errors["stage"] = [_("Only a stage of an active cycle can be reopened.")]
    elif current.stage not in ADVANCING:
        errors["stage"] = [_("This appraisal is beyond the manager's assessment; its stages stay closed.")]
    elif STAGE_ORDER.index(stage) > STAGE_ORDER.index(current.stage):
        errors["stage"] = [_("This person has not reached that stage yet.")]
    try:
        text = clean_text(reason, 2000)
        if not text:
            errors["reason"] = [_("Say why the stage is reopened.")]
    except ValueError as error:
        errors["reason"] = [str(error)]
    try:
        deadline = _moment(until)
        if deadline <= now:
            errors["until"] = [_("The new deadline must be in the future.")]
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    reopening = StageReopening.objects.create(
        appraisal=current, stage=stage, reason=text, until=deadline, reopened_by=editor(actor)
    )
    before = current.stage
    if current.stage != stage:
        current.stage = stage
        current.lock_version += 1
        current.updated_by = editor(actor)
        current.save(update_fields=["stage", "lock_version", "updated_by", "updated_at"])
    _tell_reopened(current, stage, deadline, text)
    audit_record(
        actor=actor, action=AppraisalAuditAction.STAGE_REOPEN, obj=current, object_repr=current.employee.name,
        before={"stage": before}, after={"stage": stage, "reason": text, "until": deadline.isoformat()},
    )  # fmt: skip
    return reopening
