"""Calibration sessions (校准, issue 11 point 5): HR creates a session for a cycle per unit (with its
sub-units) or per level group and names its members; the session takes the cycle's appraisals of that scope
that are at calibration and in no other open session. A member or HR changes a grade with a reason code and
a reason (a `GradeChange`, audited; the appraisal's `final_grade` with `final_source` "calibration"), and
may note a person's potential (the nine-box view). Closing records who attended; outside the tenant's
guideline a session cannot close in "enforce" mode (a field error naming the rule) and needs a note in
"warn" mode. Who may write is the door's rule (`appraisal.access.access_calibration_by_id(write=True)`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.audit import AppraisalAuditAction as Action
from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    CalibrationMember,
    CalibrationSession,
    CalibrationStatus,
    CycleStatus,
    DistributionMode,
    Grade,
    GradeChange,
    GradeChangeReason,
    GradeSource,
    Potential,
    Stage,
)
from appraisal.selectors.assessment import result_with_grade
from appraisal.selectors.calibration import (
    current_grade,
    distribution,
    open_session_scope,
    session_appraisals,
)
from appraisal.services.policy import policy_of_tenant
from collab.audit import audit_record
from collab.concurrency import UNSET, StaleEditError, lock_for_edit, mark_edited
from collab.models import Membership, OrgUnit

NAME_MAX = 200


def _members(users: Iterable) -> list:
    users = list(dict.fromkeys(users))
    ids = [getattr(user, "pk", user) for user in users]
    known = set(Membership.objects.filter(user_id__in=ids, is_active=True).values_list("user_id", flat=True))
    if len(known) != len(set(ids)):
        raise ValidationError({"members": [_("Every member must be an active member of this organisation.")]})
    return ids


@transaction.atomic
def calibration_create(
    *,
    actor,
    cycle: AppraisalCycle,
    name: str,
    org_unit: OrgUnit | None = None,
    levels: Iterable[str] = (),
    members: Iterable = (),
    include_managers: bool = False,
) -> CalibrationSession:
    """A new open session of `cycle` for a unit (with its sub-units) and/or levels, taking the appraisals
    of that scope that are at calibration and in no other open session. `include_managers` adds the
    assessing managers of the people taken (those with a user account) to `members`."""
    cycle = AppraisalCycle.objects.select_for_update().filter(pk=cycle.pk).first()
    if cycle is None:
        raise ValidationError({"cycle": [_("Choose a cycle of this organisation.")]})
    name = (name or "").strip()
    levels = sorted({str(level).strip() for level in levels if str(level).strip()})
    errors: dict[str, list[str]] = {}
    if cycle.status != CycleStatus.ACTIVE:
        errors["cycle"] = [_("Only an active cycle is calibrated.")]
    if not name:
        errors["name"] = [_("Give the session a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    elif CalibrationSession.objects.filter(cycle=cycle, name__iexact=name).exists():
        errors["name"] = [_("This cycle already has a session of this name.")]
    if org_unit is not None and not OrgUnit.objects.filter(pk=org_unit.pk).exists():
        errors["org_unit"] = [_("Choose a unit of this organisation.")]
    if org_unit is None and not levels:
        errors["org_unit"] = [_("Choose a unit or at least one level.")]
    if errors:
        raise ValidationError(errors)
    members = list(members)
    _members(members)  # a stranger is refused before anything is written
    session = CalibrationSession.objects.create(
        cycle=cycle,
        name=name,
        org_unit=org_unit,
        levels=levels,
        created_by=_user(actor),
        updated_by=_user(actor),
    )
    taken = list(
        Appraisal.objects.select_for_update(of=("self",))
        .filter(open_session_scope(cycle, org_unit=org_unit, levels=levels), stage=Stage.CALIBRATION)
        .values_list("pk", flat=True)
    )
    if include_managers:
        members += list(
            Appraisal.objects.filter(pk__in=taken, manager__user__isnull=False)
            .values_list("manager__user_id", flat=True)
            .distinct()
        )
    member_ids = _members(members)
    CalibrationMember.objects.bulk_create(
        [CalibrationMember(tenant_id=session.tenant_id, session=session, user_id=pk) for pk in member_ids]
    )
    Appraisal.objects.filter(pk__in=taken).update(calibration_session=session)
    audit_record(
        actor=actor,
        action=Action.CALIBRATION_CREATE,
        obj=session,
        after={
            "cycle": cycle.pk,
            "org_unit": org_unit.pk if org_unit else None,
            "levels": levels,
            "members": member_ids,
            "appraisals": taken,
        },
    )
    return session


@transaction.atomic
def calibration_member_add(*, actor, session: CalibrationSession, user) -> CalibrationMember:
    """HR adds a member to an open session (a user with an active membership; twice changes nothing)."""
    session = _open_session(session)
    if user is None:
        raise ValidationError({"member": [_("Choose a person with a user account.")]})
    (user_id,) = _members([user])
    member, created = CalibrationMember.objects.get_or_create(session=session, user_id=user_id)
    if created:
        audit_record(
            actor=actor, action=Action.CALIBRATION_CREATE, obj=session, after={"member_added": user_id}
        )
    return member


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _open_session(session: CalibrationSession) -> CalibrationSession:
    fresh = CalibrationSession.objects.select_for_update(of=("self",)).filter(pk=session.pk).first()
    if fresh is None:
        raise ValidationError({"session": [_("This session no longer exists.")]})
    if fresh.status != CalibrationStatus.OPEN:
        raise ValidationError({"session": [_("This session is closed: its grades no longer change.")]})
    return fresh


def _session_appraisal(session: CalibrationSession, appraisal: Appraisal, lock_version) -> Appraisal:
    queryset = Appraisal.objects.select_related("manager_grade", "final_grade", "employee")
    fresh = (
        lock_for_edit(Appraisal, appraisal, lock_version, queryset=queryset)
        if lock_version is not UNSET
        else queryset.select_for_update(of=("self",)).filter(pk=appraisal.pk).first()
    )
    if fresh is None or fresh.calibration_session_id != session.pk:
        raise ValidationError({"appraisal": [_("This person is not calibrated in this session.")]})
    if fresh.stage != Stage.CALIBRATION:
        raise ValidationError(
            {"appraisal": [_("This result has been released: it is no longer calibrated.")]}
        )
    return fresh


@transaction.atomic
def calibration_change_grade(
    *,
    actor,
    session: CalibrationSession,
    appraisal: Appraisal,
    grade: Grade,
    reason_code: str,
    reason: str,
    lock_version=UNSET,
) -> GradeChange:
    """Change one person's grade in an open session, with a reason code and a reason (audited)."""
    session = _open_session(session)
    fresh = _session_appraisal(session, appraisal, lock_version)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if grade is None or not Grade.objects.filter(pk=grade.pk).exists():
        errors["grade"] = [_("Choose a grade of this organisation's scale.")]
    if reason_code not in GradeChangeReason.values:
        errors["reason_code"] = [_("Choose why the grade changes.")]
    if not reason:
        errors["reason"] = [_("Say why the grade changes.")]
    before = current_grade(fresh)
    if not errors and before is not None and before.pk == grade.pk:
        errors["grade"] = [_("This is already the person's grade.")]
    if errors:
        raise ValidationError(errors)
    change = GradeChange.objects.create(
        appraisal=fresh,
        source=GradeSource.CALIBRATION,
        session=session,
        before=before,
        after=grade,
        reason_code=reason_code,
        reason=reason,
        changed_by=_user(actor),
    )
    fresh.final_grade = grade
    fresh.final_source = GradeSource.CALIBRATION
    fresh.result_score = result_with_grade(fresh, grade).score
    columns = mark_edited(fresh, actor)
    fresh.save(update_fields=["final_grade", "final_source", "result_score", *columns])
    audit_record(
        actor=actor,
        action=Action.CALIBRATION_CHANGE,
        obj=fresh,
        object_repr=fresh.employee.name,
        before={"grade": before.code if before else None},
        after={"grade": grade.code, "session": session.pk, "reason_code": reason_code, "reason": reason},
    )
    return change


@transaction.atomic
def calibration_set_potential(
    *, actor, session: CalibrationSession, appraisal: Appraisal, potential: str, lock_version=UNSET
) -> Appraisal:
    """Note a person's potential (low, medium, high or blank) for the session's talent matrix."""
    session = _open_session(session)
    fresh = _session_appraisal(session, appraisal, lock_version)
    if potential and potential not in Potential.values:
        raise ValidationError({"potential": [_("Choose low, medium or high.")]})
    if fresh.potential == potential:
        return fresh
    before = fresh.potential
    fresh.potential = potential
    columns = mark_edited(fresh, actor)
    fresh.save(update_fields=["potential", *columns])
    audit_record(
        actor=actor,
        action=Action.CALIBRATION_CHANGE,
        obj=fresh,
        object_repr=fresh.employee.name,
        before={"potential": before},
        after={"potential": potential, "session": session.pk},
    )
    return fresh


@transaction.atomic
def calibration_close(
    *, actor, session: CalibrationSession, attended: Iterable = (), note: str = "", lock_version=UNSET
) -> CalibrationSession:
    """Close an open session, recording which members attended. Outside the guideline: refused in
    "enforce" mode (a field error naming each rule not met); in "warn" mode a note is required."""
    current = (
        CalibrationSession.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(pk=session.pk)
        .first()
    )
    if current is None:
        raise ValidationError({"session": [_("This session no longer exists.")]})
    if current.status != CalibrationStatus.OPEN:
        raise ValidationError({"session": [_("This session is closed already.")]})
    if lock_version is not UNSET and str(lock_version) != str(current.lock_version):
        raise StaleEditError.of(current)
    note = (note or "").strip()
    result = distribution(session_appraisals(current))
    if not result.met:
        rules = ", ".join(row.label for row in result.unmet)
        if policy_of_tenant().distribution_mode == DistributionMode.ENFORCE:
            raise ValidationError(
                {
                    "grades": [
                        _("The grades are outside the guideline (%(rules)s): change grades before closing.")
                        % {"rules": rules}
                    ]
                }
            )
        if not note:
            raise ValidationError(
                {
                    "note": [
                        _("The grades are outside the guideline (%(rules)s): say why in a note to close.")
                        % {"rules": rules}
                    ]
                }
            )
    attended_ids = {getattr(user, "pk", user) for user in attended}
    members = list(CalibrationMember.objects.filter(session=current))
    unknown = attended_ids - {member.user_id for member in members}
    if unknown:
        raise ValidationError({"attended": [_("Only the session's members can be recorded as attending.")]})
    for member in members:
        member.attended = member.user_id in attended_ids
    CalibrationMember.objects.bulk_update(members, ["attended"])
    current.status = CalibrationStatus.CLOSED
    current.closed_at = timezone.now()
    current.closed_by = _user(actor)
    current.guideline_note = note if not result.met else ""
    columns = mark_edited(current, actor)
    current.save(update_fields=["status", "closed_at", "closed_by", "guideline_note", *columns])
    audit_record(
        actor=actor,
        action=Action.CALIBRATION_CLOSE,
        obj=current,
        after={
            "attended": sorted(attended_ids),
            "guideline_met": result.met,
            "note": current.guideline_note,
            "unmet": [row.label for row in result.unmet],
        },
    )
    return current
