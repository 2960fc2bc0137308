"""The self-assessment and the manager's assessment (issue 11 point 4).

Self-assessment: the employee, and only while the self-assessment stage is open for them, writes per personal
goal a comment and an optional 1–5 rating, and an overall summary (a person without personal goals writes the
summary only). A draft is saved as often as they like; submitting moves the appraisal to the manager's
assessment. It is optional and never blocks: once its deadline has passed the manager assesses without it.

Manager assessment: only the appraisal's manager (frozen at launch), only when `manager_may_assess`. They
pick a grade on the tenant's scale with a required reason. The scorecard total suggests a grade on the
tenant's bands; a grade more than the policy's `departure_bound` grades away is refused, a different one
within it needs an explanation. Submitting freezes the objective half (scorecard total, KPI part, review
part, points, the suggested grade) and the result score of the cycle's formula, and moves the appraisal to
calibration. The employee never sees the draft, nor the submission before release (`selectors.assessment.
sight`). Drafts and submissions are audited; a stale save is a 409 (`StaleEditError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appraisal.audit import AppraisalAuditAction
from appraisal.engine.result import departure
from appraisal.models import (
    STAGE_ORDER,
    Appraisal,
    CycleStatus,
    GoalAssessment,
    Grade,
    PersonalGoal,
    Stage,
)
from appraisal.models.assessment import SELF_RATING_MAX
from appraisal.selectors.assessment import (
    GradePolicy,
    grade_policy,
    result_with_grade,
    scorecard_of,
    suggestion,
)
from appraisal.selectors.stages import manager_may_assess, stage_open
from collab.audit import audit_record
from collab.concurrency import UNSET, lock_for_edit, mark_edited
from collab.text import clean_text

TEXT_LIMIT = 5000
SUMMARY_LIMIT = 10000
LOCKED_RELATED = ("cycle__period", "employee", "manager", "manager_grade")


def _text(value: Any, key: str, limit: int, errors: dict[str, list[str]]) -> str:
    try:
        return clean_text(value, limit)
    except ValueError as error:
        errors.setdefault(key, []).append(str(error))
        return ""


def _locked(appraisal: Appraisal, lock_version: Any) -> Appraisal:
    return lock_for_edit(
        Appraisal, appraisal, lock_version, queryset=Appraisal.objects.select_related(*LOCKED_RELATED)
    )


def _user_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def _stage_at_least(appraisal: Appraisal, stage: str) -> str:
    return stage if STAGE_ORDER.index(appraisal.stage) < STAGE_ORDER.index(stage) else appraisal.stage


# -------------------------------------------------------------------------------------- self-assessment
def self_assessment_refusal(appraisal: Appraisal, *, now: datetime | None = None) -> str | None:
    """Why the employee may not write their self-assessment now (None: they may). Pages show it."""
    if appraisal.self_submitted_at is not None:
        return _("The self-assessment was submitted; it cannot be changed.")
    if appraisal.manager_submitted_at is not None or STAGE_ORDER.index(appraisal.stage) > STAGE_ORDER.index(
        Stage.MANAGER_ASSESSMENT
    ):
        return _("The manager's assessment is done; the self-assessment is closed.")
    if not stage_open(appraisal, Stage.SELF_ASSESSMENT, now=now):
        return _("The self-assessment is not open for you now.")
    return None


def _clean_goals(
    goals: Any, known: set[int], stored: dict[int, tuple[str, int | None]], errors: dict[str, list[str]]
) -> dict[int, tuple[str, int | None]]:
    """{personal goal id: (comment, rating)} over the stored values; errors keyed goals-<id>-<field>."""
    result = dict(stored)
    if goals is UNSET:
        return result
    if not isinstance(goals, Mapping):
        errors.setdefault("goals", []).append(_("Give a comment per goal."))
        return result
    for key, given in goals.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = None
        if pk is None or pk not in known:
            errors.setdefault("goals", []).append(
                _("%(key)s is not a goal of this appraisal.") % {"key": str(key)[:20]}
            )
            continue
        if not isinstance(given, Mapping):
            errors.setdefault(f"goals-{pk}-comment", []).append(_("Give a comment and a rating."))
            continue
        comment, rating = result.get(pk, ("", None))
        if "comment" in given:
            comment = _text(given["comment"], f"goals-{pk}-comment", TEXT_LIMIT, errors)
        if "rating" in given:
            rating = given["rating"]
            if rating == "":
                rating = None
            if rating is not None and (
                isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= SELF_RATING_MAX
            ):
                errors.setdefault(f"goals-{pk}-rating", []).append(_("Choose a rating from 1 to 5, or none."))
                rating = None
        result[pk] = (comment, rating)
    return result


@transaction.atomic
def self_assessment_save(
    *,
    actor,
    appraisal: Appraisal,
    lock_version: Any,
    summary: Any = UNSET,
    goals: Any = UNSET,
    submit: bool = False,
    now: datetime | None = None,
) -> Appraisal:
    """Save the employee's self-assessment (`goals`: {personal goal id: {comment?, rating?}}), and with
    `submit` send it: a summary and a comment on every goal are then required, and the appraisal moves on
    to the manager's assessment. Only the employee (anyone else: PermissionDenied); only while the stage is
    open for them (else a field error on `stage`). A draft save that changes nothing writes nothing."""
    now = now or timezone.now()
    fresh = _locked(appraisal, lock_version)
    if _user_id(actor) is None or fresh.employee.user_id != _user_id(actor):
        raise PermissionDenied(_("Only the employee writes their self-assessment."))
    refusal = self_assessment_refusal(fresh, now=now)
    if refusal:
        raise ValidationError({"stage": [refusal]})
    known = set(PersonalGoal.objects.filter(appraisal=fresh).values_list("pk", flat=True))
    rows = {row.personal_goal_id: row for row in GoalAssessment.objects.filter(appraisal=fresh)}
    stored = {pk: (row.self_comment, row.self_rating) for pk, row in rows.items()}
    errors: dict[str, list[str]] = {}
    new_summary = fresh.self_summary
    if summary is not UNSET:
        new_summary = _text(summary, "summary", SUMMARY_LIMIT, errors)
    clean = _clean_goals(goals, known, stored, errors)
    if submit and not errors:
        if not new_summary:
            errors["summary"] = [_("Write an overall summary before submitting.")]
        for pk in sorted(known):
            if not clean.get(pk, ("", None))[0]:
                errors[f"goals-{pk}-comment"] = [_("Comment on this goal before submitting.")]
    if errors:
        raise ValidationError(errors)
    changed = new_summary != fresh.self_summary
    for pk, (comment, rating) in clean.items():
        if stored.get(pk) == (comment, rating) or (pk not in stored and not comment and rating is None):
            continue
        changed = True
        row = rows.get(pk) or GoalAssessment(tenant_id=fresh.tenant_id, appraisal=fresh, personal_goal_id=pk)
        row.self_comment, row.self_rating = comment, rating
        row.save()
    if not changed and not submit:
        return fresh
    fresh.self_summary = new_summary
    columns = ["self_summary", *mark_edited(fresh, actor)]
    if submit:
        fresh.self_submitted_at = now
        fresh.stage = _stage_at_least(fresh, Stage.MANAGER_ASSESSMENT)
        columns += ["self_submitted_at", "stage"]
    fresh.save(update_fields=columns)
    if submit:
        audit_record(
            actor=actor, action=AppraisalAuditAction.SELF_SUBMIT, obj=fresh, object_repr=_repr(fresh),
            after={"stage": fresh.stage, "goals": len(known)},
        )  # fmt: skip
    return fresh


# ------------------------------------------------------------------------------------ manager assessment
def manager_assessment_refusal(appraisal: Appraisal, *, now: datetime | None = None) -> str | None:
    """Why the manager may not assess now (None: they may). Pages show it."""
    if appraisal.manager_submitted_at is not None:
        return _("The manager's assessment was submitted; it cannot be changed.")
    if appraisal.cycle.status != CycleStatus.ACTIVE:
        return _("The cycle is not active.")
    if not manager_may_assess(appraisal, now=now):
        return _("The manager assesses once the self-assessment is submitted or its deadline has passed.")
    return None


def departure_error(
    grade: Grade, suggested: Grade | None, policy: GradePolicy, *, explanation: str, submit: bool
) -> dict[str, list[str]]:
    """The refusal of a grade too far from the suggested one (key `grade`), or of an unexplained departure
    within the bound (key `departure_reason`, on submit only: a draft may be explained later)."""
    if suggested is None:
        return {}
    steps = departure(suggested.code, grade.code, policy.bands)
    if steps > policy.departure_bound:
        message = ngettext(
            "%(grade)s is %(steps)d grades away from the suggested grade %(suggested)s; at most "
            "%(bound)d is allowed.",
            "%(grade)s is %(steps)d grades away from the suggested grade %(suggested)s; at most "
            "%(bound)d are allowed.",
            policy.departure_bound,
        ) % {"grade": grade.code, "steps": steps, "suggested": suggested.code,
             "bound": policy.departure_bound}  # fmt: skip
        return {"grade": [message]}
    if steps and submit and not explanation:
        return {"departure_reason": [
            _("Explain why the grade departs from the suggested grade %(suggested)s.")
            % {"suggested": suggested.code}
        ]}  # fmt: skip
    return {}


@transaction.atomic
def manager_assessment_save(
    *,
    actor,
    appraisal: Appraisal,
    lock_version: Any,
    grade: Any = UNSET,
    reason: Any = UNSET,
    comment: Any = UNSET,
    departure_reason: Any = UNSET,
    submit: bool = False,
    now: datetime | None = None,
) -> Appraisal:
    """Save the manager's assessment as a draft or, with `submit`, send it (a grade and a reason required;
    freezes the objective half and the result score; the appraisal moves to calibration). Only the
    appraisal's manager (anyone else: PermissionDenied); only when `manager_may_assess` (else `stage`)."""
    now = now or timezone.now()
    fresh = _locked(appraisal, lock_version)
    if _user_id(actor) is None or fresh.manager_id is None or fresh.manager.user_id != _user_id(actor):
        raise PermissionDenied(_("Only the appraisal's manager assesses it."))
    refusal = manager_assessment_refusal(fresh, now=now)
    if refusal:
        raise ValidationError({"stage": [refusal]})
    errors: dict[str, list[str]] = {}
    new_grade = fresh.manager_grade
    if grade is not UNSET:
        new_grade = None
        if grade is not None:
            new_grade = Grade.objects.filter(pk=getattr(grade, "pk", None)).first()
            if new_grade is None:
                errors["grade"] = [_("Choose a grade of the tenant's scale.")]
    texts = {
        "manager_reason": (reason, "reason"), "manager_comment": (comment, "comment"),
        "departure_reason": (departure_reason, "departure_reason"),
    }  # fmt: skip
    values = {
        column: getattr(fresh, column) if given is UNSET else _text(given, key, TEXT_LIMIT, errors)
        for column, (given, key) in texts.items()
    }
    policy = grade_policy()
    scorecard = scorecard_of(fresh, explained=False)
    suggested = suggestion(scorecard.total, policy)
    if new_grade is not None and "grade" not in errors:
        errors.update(departure_error(
            new_grade, suggested, policy, explanation=values["departure_reason"], submit=submit
        ))  # fmt: skip
    if submit:
        if new_grade is None and "grade" not in errors:
            errors["grade"] = [_("Choose a grade.")]
        if not values["manager_reason"]:
            errors["reason"] = [_("Give the reason for the grade.")]
    if errors:
        raise ValidationError(errors)
    before = _manager_state(fresh)
    fresh.manager_grade = new_grade
    for column, value in values.items():
        setattr(fresh, column, value)
    after = _manager_state(fresh)
    if before == after and not submit:
        return fresh
    columns = ["manager_grade", *texts, *mark_edited(fresh, actor)]
    if submit:
        fresh.suggested_grade = suggested
        fresh.scorecard_total, fresh.kpi_part = scorecard.total, scorecard.kpi_part
        fresh.review_part, fresh.points_total = scorecard.review_part, scorecard.points
        fresh.result_score = result_with_grade(fresh, new_grade).score
        fresh.manager_submitted_at = now
        fresh.stage = _stage_at_least(fresh, Stage.CALIBRATION)
        columns += ["suggested_grade", "scorecard_total", "kpi_part", "review_part", "points_total",
                    "result_score", "manager_submitted_at", "stage"]  # fmt: skip
    fresh.save(update_fields=columns)
    action = AppraisalAuditAction.MANAGER_SUBMIT if submit else AppraisalAuditAction.MANAGER_DRAFT
    # What was done, never what was said: HR admins and auditors read the log, and one of them may be the
    # appraised person, who sees nothing of the manager's part before release.
    changed = sorted(name for name in before if before[name] != after[name])
    record = {"changed": changed, **({"stage": fresh.stage} if submit else {})}
    audit_record(actor=actor, action=action, obj=fresh, object_repr=_repr(fresh), after=record)
    return fresh


def _manager_state(appraisal: Appraisal) -> dict[str, Any]:
    return {
        "grade": appraisal.manager_grade.code if appraisal.manager_grade is not None else None,
        "reason": appraisal.manager_reason, "comment": appraisal.manager_comment,
        "departure_reason": appraisal.departure_reason,
    }  # fmt: skip


def _repr(appraisal: Appraisal) -> str:
    return f"{appraisal.employee.name} · {appraisal.cycle.name}"
