"""Reads of the result page and the release page (issue 11 point 6): one appraisal's result as its reader
may see it, and what a cycle's release would take."""

from __future__ import annotations

from dataclasses import dataclass, field

from appraisal.access import Relation
from appraisal.models import (
    Appeal,
    AppealStatus,
    Appraisal,
    AppraisalCycle,
    CalibrationStatus,
    Confirmation,
    Stage,
)
from appraisal.selectors.answers import appeal_of
from appraisal.selectors.results import development_notes, grade_changes, result_visible


def result_page(appraisal: Appraisal, relations: frozenset[str], user) -> dict:
    """What the result page shows this reader and which actions it offers (the services decide again)."""
    visible = result_visible(appraisal, relations)
    released = appraisal.released_at is not None
    final = appraisal.stage == Stage.FINAL
    appeal: Appeal | None = appeal_of(appraisal) if released else None
    insider = bool(relations & {Relation.MANAGER, Relation.HR, Relation.AUDITOR, Relation.UPPER_MANAGER})
    may_decide = False
    if appeal is not None and appeal.status == AppealStatus.AT_UPPER_MANAGER:
        may_decide = appeal.upper_manager_id is not None and appeal.upper_manager.user_id == user.pk
    elif appeal is not None and appeal.status == AppealStatus.AT_HR:
        may_decide = Relation.HR in relations
    awaiting = appraisal.stage == Stage.CONFIRMATION and appraisal.confirmation == Confirmation.AWAITING
    writer = bool(relations & {Relation.MANAGER, Relation.HR})
    return {
        "visible": visible,
        "released": released,
        "final": final,
        "grade": (appraisal.final_grade if appraisal.final_grade_id else appraisal.manager_grade)
        if visible
        else None,
        "appeal": appeal,
        "steps": list(appeal.steps.all()) if appeal is not None else [],
        "changes": grade_changes(appraisal) if visible and insider else [],
        "notes": development_notes(appraisal) if released else [],
        "may_answer": Relation.EMPLOYEE in relations and awaiting,
        "may_meet": writer and released and not final,
        "may_note": writer and released,
        "may_decide": may_decide,
        "is_employee": Relation.EMPLOYEE in relations,
    }


def release_page(cycle: AppraisalCycle) -> dict:
    readiness = release_readiness(cycle)
    released = Appraisal.objects.filter(cycle=cycle, released_at__isnull=False).count()
    return {"ready": len(readiness.released), "not_ready": readiness.not_ready, "released": released}


@dataclass
class ReleaseResult:
    released: list[int] = field(default_factory=list)
    not_ready: list[Appraisal] = field(default_factory=list)  # at calibration in an open session, or earlier


def release_readiness(cycle: AppraisalCycle) -> ReleaseResult:
    """Which of the cycle's appraisals a release would take now, and which are not ready (and why: their
    stage, their open session)."""
    rows = (
        Appraisal.objects.filter(cycle=cycle)
        .exclude(stage__in=[Stage.CONFIRMATION, Stage.FINAL])
        .select_related("employee", "calibration_session", "manager_grade", "final_grade")
        .order_by("employee__name", "id")
    )
    result = ReleaseResult()
    for appraisal in rows:
        if ready_for_release(appraisal):
            result.released.append(appraisal.pk)
        else:
            result.not_ready.append(appraisal)
    return result


def ready_for_release(appraisal: Appraisal) -> bool:
    session = appraisal.calibration_session
    return (
        appraisal.stage in (Stage.CALIBRATION, Stage.RELEASE)
        and (appraisal.final_grade_id or appraisal.manager_grade_id) is not None
        and (session is None or session.status == CalibrationStatus.CLOSED)
    )
