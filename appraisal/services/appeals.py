"""Appeals (申诉, issue 11 point 6): within the confirmation window the employee appeals their released
result with a reason and evidence they can read (checked here, server-side). The appeal goes to the
manager's manager (`appraisal.manager.manager`, frozen on the appeal; none, or one without an active login:
straight to HR) with the
policy's deadline; they uphold the result, change the grade (a `GradeChange` with source "appeal") or pass it
to HR, who decides within the policy's HR days. A level that lets its deadline pass moves on (upper manager
→ HR: `appeals_escalate`, the daily task). A decided appeal makes the result final with the source
"appeal"."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.access import Relation
from appraisal.audit import AppraisalAuditAction as Action
from appraisal.models import (
    Appeal,
    AppealLevel,
    AppealStatus,
    AppealStep,
    AppealStepDecision,
    Appraisal,
    Confirmation,
    Grade,
    GradeChange,
    GradeChangeReason,
    GradeSource,
)
from appraisal.selectors.answers import EVIDENCE_KINDS, evidence_choices
from appraisal.selectors.assessment import result_with_grade
from appraisal.services import notices
from appraisal.services.policy import policy_of_tenant
from appraisal.services.release import _lock, _refuse_unless_awaiting, finalise, relations_of
from collab.audit import audit_record
from collab.concurrency import UNSET, StaleEditError, mark_edited
from collab.models import Membership
from collab.routing.ids import parse_id

REASON_MAX = 4000


def _evidence(appraisal: Appraisal, actor, evidence) -> list[dict]:
    """The cited items as [{"kind", "id", "label"}], each one the employee reads (else a field error); the
    label is what they saw when citing it, kept so whoever answers reads the appeal as it was made."""
    cited = []
    for item in evidence or ():
        kind = item.get("kind") if isinstance(item, dict) else None
        pk = parse_id(str(item.get("id"))) if isinstance(item, dict) else None
        if kind not in EVIDENCE_KINDS or pk is None:
            raise ValidationError({"evidence": [_("Cite a score, an event or a rating from the list.")]})
        if {"kind": kind, "id": pk} not in cited:
            cited.append({"kind": kind, "id": pk})
    if cited:
        membership = Membership.objects.filter(user_id=actor.pk, is_active=True).first()
        choices = evidence_choices(appraisal, membership=membership, user=actor)
        allowed = {(e.kind, e.id): e.label for e in choices}
        if any((c["kind"], c["id"]) not in allowed for c in cited):
            raise ValidationError({"evidence": [_("Cite only scores, events and ratings you can read.")]})
        cited = [{**c, "label": allowed[(c["kind"], c["id"])]} for c in cited]
    return cited


@transaction.atomic
def appeal_raise(
    *, actor, appraisal: Appraisal, reason: str, evidence=(), now: datetime | None = None, lock_version=UNSET
) -> Appeal:
    """The employee appeals their awaiting result (see the module docstring)."""
    now = now or timezone.now()
    fresh = _lock(appraisal, lock_version)
    if Relation.EMPLOYEE not in relations_of(actor, fresh):
        raise ValidationError({"appraisal": [_("Only the person appraised appeals their result.")]})
    _refuse_unless_awaiting(fresh, now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you appeal.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": REASON_MAX}]})
    cited = _evidence(fresh, actor, evidence)
    policy = policy_of_tenant()
    upper = fresh.manager.manager if fresh.manager_id and fresh.manager.manager_id else None
    if upper is not None and not (upper.user_id and upper.user.is_active):
        upper = None  # a manager's manager without a login cannot answer: the appeal goes to HR at once
    if upper is not None:
        status, deadline = AppealStatus.AT_UPPER_MANAGER, now + timedelta(days=policy.appeal_manager_days)
    else:
        status, deadline = AppealStatus.AT_HR, now + timedelta(days=policy.appeal_hr_days)
    appeal = Appeal.objects.create(
        appraisal=fresh,
        reason=reason,
        evidence=cited,
        status=status,
        upper_manager=upper,
        level_deadline=deadline,
        updated_by=actor,
    )
    fresh.confirmation = Confirmation.APPEALED
    columns = mark_edited(fresh, actor)
    fresh.save(update_fields=["confirmation", *columns])
    notices.appeal_waiting(appeal)
    audit_record(
        actor=actor,
        action=Action.APPEAL_CREATE,
        obj=fresh,
        object_repr=fresh.employee.name,
        after={"appeal": appeal.pk, "status": status, "evidence": cited, "due": deadline.isoformat()},
    )
    return appeal


DECISIONS = (AppealStepDecision.UPHOLD, AppealStepDecision.CHANGE, AppealStepDecision.ESCALATE)


@transaction.atomic
def appeal_decide(
    *,
    actor,
    appeal: Appeal,
    decision: str,
    note: str = "",
    grade: Grade | None = None,
    reason_code: str = "",
    now: datetime | None = None,
    lock_version=UNSET,
) -> Appeal:
    """The level the appeal is with answers: uphold, change the grade (with a reason code) or, the upper
    manager only, pass it to HR. Upholding or changing decides it: the result becomes final."""
    now = now or timezone.now()
    fresh = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("updated_by", "upper_manager")
        .filter(pk=appeal.pk)
        .first()
    )
    if fresh is None:
        raise Appeal.DoesNotExist(f"Appeal {appeal.pk} does not exist")
    if fresh.status == AppealStatus.DECIDED:
        raise ValidationError({"status": [_("This appeal has been decided.")]})
    if lock_version is not UNSET and str(lock_version) != str(fresh.lock_version):
        raise StaleEditError.of(fresh)
    appraisal = _lock(Appraisal(pk=fresh.appraisal_id), UNSET)
    relations = relations_of(actor, appraisal)
    at_upper = fresh.status == AppealStatus.AT_UPPER_MANAGER
    if at_upper and not (
        fresh.upper_manager_id and fresh.upper_manager.user_id == getattr(actor, "pk", None)
    ):
        raise ValidationError({"appeal": [_("The manager's manager answers this appeal first.")]})
    if not at_upper and Relation.HR not in relations:
        raise ValidationError({"appeal": [_("HR decides this appeal.")]})
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [_("Uphold the result, change the grade or pass the appeal to HR.")]
    elif decision == AppealStepDecision.ESCALATE and not at_upper:
        errors["decision"] = [_("HR is the last level: uphold the result or change the grade.")]
    if not note:
        errors["note"] = [_("Explain the decision.")]
    if decision == AppealStepDecision.CHANGE:
        if grade is None or not Grade.objects.filter(pk=grade.pk).exists():
            errors["grade"] = [_("Choose the new grade.")]
        elif appraisal.final_grade_id == grade.pk:
            errors["grade"] = [_("This is already the person's grade.")]
        if reason_code not in GradeChangeReason.values:
            errors["reason_code"] = [_("Choose why the grade changes.")]
    if errors:
        raise ValidationError(errors)
    level = AppealLevel.UPPER_MANAGER if at_upper else AppealLevel.HR
    AppealStep.objects.create(appeal=fresh, level=level, decision=decision, note=note, decided_by=actor)
    before = {
        "status": fresh.status,
        "grade": appraisal.final_grade.code if appraisal.final_grade_id else None,
    }
    if decision == AppealStepDecision.ESCALATE:
        fresh.status = AppealStatus.AT_HR
        fresh.level_deadline = now + timedelta(days=policy_of_tenant().appeal_hr_days)
    else:
        if decision == AppealStepDecision.CHANGE:
            GradeChange.objects.create(
                appraisal=appraisal,
                source=GradeSource.APPEAL,
                appeal=fresh,
                before=appraisal.final_grade,
                after=grade,
                reason_code=reason_code,
                reason=note,
                changed_by=actor,
            )
            appraisal.final_grade = grade
            appraisal.result_score = result_with_grade(appraisal, grade).score
        appraisal.final_source = GradeSource.APPEAL
        finalise(
            appraisal,
            actor=actor,
            confirmation=Confirmation.DECIDED,
            now=now,
            extra=("final_grade", "final_source", "result_score"),
        )
        fresh.status = AppealStatus.DECIDED
        fresh.outcome = note
        fresh.decided_at = now
    columns = mark_edited(fresh, actor)
    fresh.save(update_fields=["status", "level_deadline", "outcome", "decided_at", *columns])
    audit_record(
        actor=actor,
        action=Action.APPEAL_STEP,
        obj=appraisal,
        object_repr=appraisal.employee.name,
        before=before,
        after={
            "status": fresh.status,
            "level": level,
            "decision": decision,
            "note": note,
            "grade": appraisal.final_grade.code if appraisal.final_grade_id else None,
        },
    )
    fresh.appraisal = appraisal
    if fresh.status == AppealStatus.DECIDED:
        notices.appeal_decided(fresh)
    else:
        notices.appeal_waiting(fresh)
    return fresh


def appeals_escalate(now: datetime | None = None) -> list[int]:
    """Pass every appeal whose upper manager let the deadline pass to HR (the daily task), with HR's
    deadline from now; the ids moved. Running it twice changes nothing the second time."""
    now = now or timezone.now()
    due = list(
        Appeal.objects.filter(status=AppealStatus.AT_UPPER_MANAGER, level_deadline__lt=now)
        .order_by("level_deadline", "id")
        .values_list("pk", flat=True)
    )
    days = policy_of_tenant().appeal_hr_days
    moved = []
    for pk in due:
        with transaction.atomic():
            appeal = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("appraisal__employee")
                .filter(pk=pk, status=AppealStatus.AT_UPPER_MANAGER, level_deadline__lt=now)
                .first()
            )
            if appeal is None:
                continue
            AppealStep.objects.create(
                appeal=appeal,
                level=AppealLevel.UPPER_MANAGER,
                decision=AppealStepDecision.DEADLINE,  # its label says it all, in the reader's language
            )
            before = appeal.level_deadline
            appeal.status = AppealStatus.AT_HR
            appeal.level_deadline = now + timedelta(days=days)
            columns = mark_edited(appeal, None)
            appeal.save(update_fields=["status", "level_deadline", *columns])
            audit_record(
                actor=None,
                action=Action.APPEAL_STEP,
                obj=appeal.appraisal,
                object_repr=appeal.appraisal.employee.name,
                before={"status": AppealStatus.AT_UPPER_MANAGER, "due": before.isoformat()},
                after={
                    "status": AppealStatus.AT_HR,
                    "decision": AppealStepDecision.DEADLINE,
                    "due": appeal.level_deadline.isoformat(),
                },
            )
            notices.appeal_waiting(appeal)
            moved.append(pk)
    return moved
