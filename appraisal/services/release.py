"""Release and the employee's answer (结果确认, issue 11 point 6).

HR releases a cycle's results: every appraisal at calibration whose session, if any, is closed moves to
confirmation (`released_at`, `confirmation` awaiting, `confirm_by` = now + the policy's confirmation days,
`final_grade` = its current grade, `final_source` kept or "assessment"); the others are listed as not
ready. Until then the employee sees nothing of the result. The manager (or HR) may record the result
meeting (绩效面谈); the employee confirms (→ final) or appeals (`appraisal.services.appeals`); a result not
answered by `confirm_by` is confirmed automatically by the daily task (`results_auto_confirm`). Nothing
changes after final."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.access import Relation, appraisal_reader
from appraisal.audit import AppraisalAuditAction as Action
from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    Confirmation,
    CycleStatus,
    GradeSource,
    Stage,
)
from appraisal.selectors.release import ReleaseResult, ready_for_release, release_readiness
from appraisal.services import notices
from appraisal.services.policy import policy_of_tenant
from collab.audit import audit_record
from collab.concurrency import UNSET, lock_for_edit, mark_edited
from collab.models import Membership


def relations_of(actor, appraisal: Appraisal) -> frozenset[str]:
    """How `actor` stands to `appraisal` (the services' own check: they run for pages and the API alike)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    membership = Membership.objects.filter(user_id=actor.pk, is_active=True).first()
    return appraisal_reader(membership, actor).relation(appraisal)


def _lock(appraisal: Appraisal, lock_version) -> Appraisal:
    queryset = Appraisal.objects.select_related("employee", "manager__manager", "final_grade", "cycle")
    if lock_version is UNSET:
        fresh = queryset.select_for_update(of=("self",)).filter(pk=appraisal.pk).first()
        if fresh is None:
            raise Appraisal.DoesNotExist(f"Appraisal {appraisal.pk} does not exist")
        return fresh
    return lock_for_edit(Appraisal, appraisal, lock_version, queryset=queryset)


def refuse_if_final(appraisal: Appraisal) -> None:
    if appraisal.stage == Stage.FINAL:
        raise ValidationError({"stage": [_("This result is final: nothing changes any more.")]})


# ------------------------------------------------------------------------------------------------ release
@transaction.atomic
def cycle_release(*, actor, cycle: AppraisalCycle, now: datetime | None = None) -> ReleaseResult:
    """Release every ready appraisal of `cycle` (see the module docstring); the rest are returned as not
    ready. Nothing ready is a field error; a later call releases what became ready since."""
    now = now or timezone.now()
    cycle = AppraisalCycle.objects.select_for_update().filter(pk=cycle.pk).first()
    if cycle is None or cycle.status != CycleStatus.ACTIVE:
        raise ValidationError({"cycle": [_("Only an active cycle's results are released.")]})
    readiness = release_readiness(cycle)
    if not readiness.released:
        raise ValidationError(
            {
                "cycle": [
                    _(
                        "No result is ready for release: every appraisal must be assessed "
                        "and its calibration session, if any, closed."
                    )
                ]
            }
        )
    confirm_by = now + timedelta(days=policy_of_tenant().confirmation_days)
    rows = list(
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("calibration_session")
        .filter(pk__in=readiness.released)
        .order_by("id")
    )
    released = []
    for appraisal in rows:
        if not ready_for_release(appraisal):  # changed since the readiness read
            continue
        appraisal.stage = Stage.CONFIRMATION
        appraisal.released_at = now
        appraisal.confirmation = Confirmation.AWAITING
        appraisal.confirm_by = confirm_by
        appraisal.final_grade_id = appraisal.final_grade_id or appraisal.manager_grade_id
        appraisal.final_source = appraisal.final_source or GradeSource.ASSESSMENT
        mark_edited(appraisal, actor)
        appraisal.updated_at = timezone.now()  # bulk_update does not run auto_now
        released.append(appraisal)
    Appraisal.objects.bulk_update(
        released,
        [
            "stage",
            "released_at",
            "confirmation",
            "confirm_by",
            "final_grade",
            "final_source",
            "lock_version",
            "updated_by",
            "updated_at",
        ],
    )
    readiness.released = [appraisal.pk for appraisal in released]
    notices.results_released(
        Appraisal.objects.filter(pk__in=readiness.released).select_related("employee__user", "cycle")
    )
    audit_record(
        actor=actor,
        action=Action.RELEASE,
        obj=cycle,
        after={
            "released": readiness.released,
            "not_ready": [a.pk for a in readiness.not_ready],
            "confirm_by": confirm_by.isoformat(),
        },
    )
    return readiness


# ---------------------------------------------------------------------------------------- result meeting
@transaction.atomic
def result_meeting_record(
    *, actor, appraisal: Appraisal, held_at: datetime, note: str, lock_version=UNSET
) -> Appraisal:
    """The manager (or HR) records the result meeting (绩效面谈) of a released, not yet final result."""
    fresh = _lock(appraisal, lock_version)
    refuse_if_final(fresh)
    if not relations_of(actor, fresh) & {Relation.MANAGER, Relation.HR}:
        raise ValidationError({"appraisal": [_("Only the manager or HR records the result meeting.")]})
    if fresh.released_at is None:
        raise ValidationError({"stage": [_("The result meeting is recorded once the result is released.")]})
    errors = {}
    if held_at is None:
        errors["held_at"] = [_("Say when the meeting was held.")]
    elif held_at > timezone.now() + timedelta(days=1):
        errors["held_at"] = [_("A meeting is recorded once it has been held.")]
    if not (note or "").strip():
        errors["note"] = [_("Write what was discussed.")]
    if errors:
        raise ValidationError(errors)
    fresh.result_meeting_at = held_at
    fresh.result_meeting_note = note.strip()
    columns = mark_edited(fresh, actor)
    fresh.save(update_fields=["result_meeting_at", "result_meeting_note", *columns])
    audit_record(
        actor=actor,
        action=Action.RESULT_MEETING,
        obj=fresh,
        object_repr=fresh.employee.name,
        after={"held_at": held_at.isoformat()},
    )
    return fresh


# --------------------------------------------------------------------------------------------- confirming
def _refuse_unless_awaiting(appraisal: Appraisal, now: datetime) -> None:
    refuse_if_final(appraisal)
    if appraisal.stage != Stage.CONFIRMATION or appraisal.confirmation != Confirmation.AWAITING:
        raise ValidationError({"confirmation": [_("This result is not awaiting your answer.")]})
    if appraisal.confirm_by is not None and now > appraisal.confirm_by:
        raise ValidationError({"confirmation": [_("The time to confirm or appeal has passed.")]})


def finalise(appraisal: Appraisal, *, actor, confirmation: str, now: datetime, extra: tuple = ()) -> None:
    appraisal.stage = Stage.FINAL
    appraisal.confirmation = confirmation
    appraisal.finalised_at = now
    columns = mark_edited(appraisal, actor)
    appraisal.save(update_fields=["stage", "confirmation", "finalised_at", *extra, *columns])


@transaction.atomic
def result_confirm(
    *, actor, appraisal: Appraisal, now: datetime | None = None, lock_version=UNSET
) -> Appraisal:
    """The employee confirms their released result (→ final)."""
    now = now or timezone.now()
    fresh = _lock(appraisal, lock_version)
    if Relation.EMPLOYEE not in relations_of(actor, fresh):
        raise ValidationError({"appraisal": [_("Only the person appraised confirms their result.")]})
    _refuse_unless_awaiting(fresh, now)
    fresh.confirmed_at = now
    finalise(fresh, actor=actor, confirmation=Confirmation.CONFIRMED, now=now, extra=("confirmed_at",))
    audit_record(
        actor=actor,
        action=Action.CONFIRM,
        obj=fresh,
        object_repr=fresh.employee.name,
        after={"grade": fresh.final_grade.code if fresh.final_grade_id else None},
    )
    return fresh


def results_auto_confirm(now: datetime | None = None) -> list[int]:
    """Confirm every awaiting result of the tenant in scope whose `confirm_by` has passed (the daily task);
    the ids confirmed. Running it twice changes nothing the second time."""
    now = now or timezone.now()
    due = list(
        Appraisal.objects.filter(
            stage=Stage.CONFIRMATION, confirmation=Confirmation.AWAITING, confirm_by__lt=now
        )
        .order_by("confirm_by", "id")
        .values_list("pk", flat=True)
    )
    done = []
    for pk in due:
        with transaction.atomic():
            fresh = (
                Appraisal.objects.select_for_update(of=("self",))
                .select_related("employee", "final_grade")
                .filter(pk=pk, stage=Stage.CONFIRMATION, confirmation=Confirmation.AWAITING)
                .first()
            )
            if fresh is None:
                continue
            finalise(fresh, actor=None, confirmation=Confirmation.AUTO_CONFIRMED, now=now)
            audit_record(
                actor=None,
                action=Action.AUTO_CONFIRM,
                obj=fresh,
                object_repr=fresh.employee.name,
                after={"confirm_by": fresh.confirm_by.isoformat()},
            )
            done.append(pk)
    return done
