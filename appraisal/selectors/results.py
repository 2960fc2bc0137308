"""Reads of released results (issue 11 points 6 and 7): what one result page shows, what an employee sees
before release (nothing), and the pay and bonus export of a cycle."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from appraisal.access import Relation
from appraisal.models import Appraisal, AppraisalCycle, DevelopmentNote, GradeChange

# Who sees the result before it is released: never the employee.
BEFORE_RELEASE = frozenset({Relation.MANAGER, Relation.HR, Relation.AUDITOR, Relation.CALIBRATOR})


def result_visible(appraisal: Appraisal, relations: frozenset[str]) -> bool:
    """Whether a reader with `relations` sees the grade and the manager's comments now: after release
    everyone who opens it; before, never the employee (only the manager, calibrators, HR and auditors)."""
    if appraisal.released_at is not None:
        return bool(relations)
    return bool(relations & BEFORE_RELEASE)


def grade_changes(appraisal: Appraisal) -> list[GradeChange]:
    return list(
        GradeChange.objects.filter(appraisal=appraisal)
        .select_related("before", "after", "changed_by")
        .order_by("changed_at", "id")
    )


def development_notes(appraisal: Appraisal) -> list[DevelopmentNote]:
    return list(
        DevelopmentNote.objects.filter(employee_id=appraisal.employee_id)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def export_headers() -> list[str]:
    return [
        _("Employee number"),
        pgettext("person", "Name"),
        _("Unit"),
        _("Position"),
        _("Grade"),
        _("Result score"),
        _("Scorecard total"),
        _("Points total"),
        _("Result from"),
        _("Confirmation"),
    ]


def export_rows(cycle: AppraisalCycle) -> list[list]:
    """One row a participant (labels in the active language), by employee number."""
    from appraisal.models import GradeSource

    sources = dict(GradeSource.choices)
    rows = (
        Appraisal.objects.filter(cycle=cycle)
        .select_related("employee", "org_unit", "position", "final_grade", "manager_grade")
        .order_by("employee__employee_no", "id")
    )
    out = []
    for a in rows:
        grade = a.final_grade if a.released_at else None
        out.append(
            [
                a.employee.employee_no,
                a.employee.name,
                a.org_unit.name,
                a.position.title if a.position_id else "",
                grade.code if grade else "",
                a.result_score,
                a.scorecard_total,
                a.points_total,
                str(sources.get(a.final_source, "")) if a.released_at else "",
                str(a.get_confirmation_display()),
            ]
        )
    return out
