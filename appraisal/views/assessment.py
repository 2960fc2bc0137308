"""Appraisal pages of the assessment part: the list ("My appraisals", "My team", a cycle's appraisals for HR
admins and auditors) and one appraisal's overview with its self-assessment and manager assessment.

Who opens an appraisal is `appraisal.access` (any other: 404); what they see of it is
`appraisal.selectors.assessment.sight` (the employee never sees the manager's draft, nor the submission
before release); what they may do, and why not, the services' refusals.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisal.access import access_appraisal_by_id, appraisal_reader
from appraisal.forms.assessment import AppraisalFilterForm, ManagerAssessmentForm, SelfAssessmentForm
from appraisal.selectors import assessment as selectors
from appraisal.services.assessment import (
    manager_assessment_refusal,
    manager_assessment_save,
    self_assessment_refusal,
    self_assessment_save,
)
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.models import ALL_ROLES, WRITE_ROLES
from collab.pages import paginate, tenant_page

VIEW_LABELS = {
    selectors.VIEW_CYCLE: gettext_lazy("Appraisals of a cycle"),
    selectors.VIEW_TEAM: gettext_lazy("My team"),
    selectors.VIEW_MINE: gettext_lazy("My appraisals"),
}


COMPONENT_LABELS = {
    "scorecard": gettext_lazy("Scorecard score"),
    "review": gettext_lazy("Review part"),
    "manager": gettext_lazy("Manager's grade"),
}


def _formula(weights: dict) -> list[tuple[str, object]]:
    return [(COMPONENT_LABELS[name], weights[name]) for name in selectors.COMPONENTS if name in weights]


def _result(result) -> dict | None:
    if result is None:
        return None
    return {
        "score": result.score,
        "counted": _formula(result.effective_weights),
        "left_out": [COMPONENT_LABELS[name] for name in result.left_out],
    }


@tenant_page(read=ALL_ROLES)
def appraisal_list(request):
    reader = appraisal_reader(request.membership, request.user)
    views = selectors.list_views(reader)
    view = request.GET.get("view", "")
    if view not in views:
        view = views[0] if views else ""
    cycles = selectors.cycles_listed()
    form = AppraisalFilterForm(request.GET or None, cycles=cycles)
    by_id = {cycle.pk: cycle for cycle in cycles}
    cycle = unit = None
    stage = ""
    valid = form.is_valid() if form.is_bound else True
    if valid and form.is_bound:
        cycle = by_id.get(form.cleaned_data.get("cycle"))
        unit = form.cleaned_data.get("unit")
        stage = form.cleaned_data.get("stage") or ""
    if view == selectors.VIEW_CYCLE and cycle is None and cycles and valid:
        cycle = cycles[0]  # HR's list opens on the latest launched cycle
    rows = selectors.appraisal_list(reader, view, cycle=cycle, unit=unit, stage=stage)
    if not valid:
        rows = rows.none()
    context = {
        "views": [(name, VIEW_LABELS[name]) for name in views],
        "view": view,
        "view_label": VIEW_LABELS.get(view, _("Appraisals")),
        "filter_form": form,
        "cycle": cycle,
        "cycles": cycles,
        "page": paginate(request, rows),
        "filtered": bool(unit or stage),
    }
    template = "appraisal/assessment/list.html#results" if request.htmx else "appraisal/assessment/list.html"
    return render(request, template, context)


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def appraisal_detail(request, pk: int):
    reader = appraisal_reader(request.membership, request.user)
    appraisal = access_appraisal_by_id(reader, pk)
    seen = selectors.sight(reader, appraisal)
    section = request.POST.get("section", "") if request.method == "POST" else ""
    status = 200
    self_form = manager_form = None
    self_refusal = self_assessment_refusal(appraisal) if seen.is_employee else None
    manager_refusal = manager_assessment_refusal(appraisal) if seen.is_manager else None
    goals = selectors.goal_rows(appraisal) if seen.self_assessment else []
    policy = selectors.grade_policy() if seen.evidence or seen.manager_assessment else None
    if seen.is_employee and self_refusal is None:
        self_form = SelfAssessmentForm(
            request.POST if section == "self" else None, goals=goals,
            initial={"summary": appraisal.self_summary, "lock_version": appraisal.lock_version},
        )  # fmt: skip
    if seen.is_manager and manager_refusal is None:
        manager_form = ManagerAssessmentForm(
            request.POST if section == "manager" else None, grades=policy.grades,
            initial={"grade": appraisal.manager_grade_id or "", "reason": appraisal.manager_reason,
                     "departure_reason": appraisal.departure_reason, "comment": appraisal.manager_comment,
                     "lock_version": appraisal.lock_version},
        )  # fmt: skip
    if request.method == "POST":
        form = {"self": self_form, "manager": manager_form}.get(section)
        refusal = {"self": self_refusal, "manager": manager_refusal}.get(section)
        owner = {"self": seen.is_employee, "manager": seen.is_manager}.get(section, False)
        if form is None and not owner:
            raise PermissionDenied(_("You may not change this part of the appraisal."))
        submit = request.POST.get("action") == "submit"
        if form is None:  # a page opened before the stage closed: say why, change nothing
            messages.error(request, refusal)
            status = 400
        elif form.is_valid():
            try:
                done = _save(request, appraisal, section, form, submit=submit)
            except ValidationError as invalid:
                _show_errors(form, invalid, section)
                status = 400
            except StaleEditError as stale:
                note_stale(form, stale)
            else:
                messages.success(request, done)
                return redirect("appraisal-detail", tenant_slug=request.tenant.slug, pk=appraisal.pk)
        else:
            status = 400
    info = selectors.overview(appraisal)
    evidence = None
    if seen.evidence:
        evidence = selectors.evidence_of(appraisal, policy, timezone_name=request.tenant.timezone)
    context = {
        "appraisal": appraisal,
        "seen": seen,
        "tab": "overview",
        "overview": info,
        "formula": _formula(info.weights),
        "goals": goals,
        "self_form": self_form,
        "self_refusal": self_refusal,
        "manager_form": manager_form,
        "manager_refusal": manager_refusal,
        "policy": policy,
        "evidence": evidence,
        "frozen": _result(selectors.frozen_result(appraisal)) if seen.manager_assessment else None,
        "preview": _result(evidence.preview) if evidence is not None else None,
    }
    return render(
        request, "appraisal/assessment/detail.html", context,
        status=form_status(self_form, manager_form, status=status),
    )  # fmt: skip


def _save(request, appraisal, section: str, form, *, submit: bool) -> str:
    data = form.cleaned_data
    if section == "self":
        self_assessment_save(
            actor=request.user, appraisal=appraisal, lock_version=data["lock_version"],
            summary=data["summary"], goals=form.service_goals(), submit=submit,
        )  # fmt: skip
        return _("Self-assessment submitted.") if submit else _("Draft saved.")
    manager_assessment_save(
        actor=request.user, appraisal=appraisal, lock_version=data["lock_version"], grade=form.chosen_grade(),
        reason=data["reason"], departure_reason=data["departure_reason"], comment=data["comment"],
        submit=submit,
    )  # fmt: skip
    return _("Assessment submitted.") if submit else _("Draft saved.")


def _show_errors(form, invalid: ValidationError, section: str) -> None:
    if section == "self":
        field_map = {key: SelfAssessmentForm.field_of(key) for key in invalid.message_dict}
        field_map["summary"] = "summary"
    else:
        field_map = {}
    add_service_errors(form, invalid, field_map)
