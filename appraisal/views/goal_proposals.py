"""Pages of goals set together: one appraisal's goals (agreed goals with their versions, proposals and
answers, the position goals, the weight sum, earlier development notes), proposing and proposing again, the
manager's answers, and the manager's "Goals to agree"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from appraisal.access import Relation, access_appraisal_by_id, access_goal_proposal_by_id, appraisal_reader
from appraisal.forms.goal_proposals import AcceptForm, GoalProposalForm, ReturnForm
from appraisal.models import ProposalKind, ProposalStatus, Stage
from appraisal.selectors import goal_proposals as selectors
from appraisal.services import goal_proposals as services
from collab.concurrency import UNSET, StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.forms.editors import reference_label
from collab.models import ALL_ROLES, WRITE_ROLES
from collab.pages import id_param, paginate, tenant_page
from collab.selectors.platform import member_linked_employee
from goals.selectors.kpis import kpi_options

FIELD_MAP = {"appraisal": "__all__", "status": "__all__"}


def _reader(request):
    return appraisal_reader(request.membership, request.user)


def _kinds(setting_open: bool, revisions_open: bool) -> list[str]:
    if setting_open:
        return [ProposalKind.NEW, ProposalKind.WEIGHT]
    if revisions_open:
        return [ProposalKind.REVISION]
    return []


def _proposal_form(request, appraisal, goals, edit=None):
    opened = selectors.goal_setting_open(appraisal), selectors.revisions_open(appraisal)
    kinds = [edit.kind] if edit is not None else _kinds(*opened)
    initial = {}
    if edit is not None:
        initial = {
            "kind": edit.kind, "parent_goal": edit.parent_goal_id, "personal_goal": edit.personal_goal_id,
            "kpi": reference_label(edit.kpi.code, edit.kpi.name) if edit.kpi_id else "",
            "target": edit.target, "weight": edit.weight, "reason": edit.reason,
            "lock_version": edit.lock_version,
        }  # fmt: skip
    return GoalProposalForm(
        request.POST if request.method == "POST" else None, initial=initial, kinds=kinds,
        position_goals=selectors.position_goals(appraisal), personal_goals=goals,
    )  # fmt: skip


def _render(request, appraisal, *, form=None, edit=None, answer_forms=None, status=200):
    reader = _reader(request)
    relation = reader.relation(appraisal)
    goals = list(selectors.personal_goals(appraisal))
    proposals = list(selectors.proposals_of(appraisal))
    is_employee = Relation.EMPLOYEE in relation and request.membership.has_role(*WRITE_ROLES)
    is_manager = Relation.MANAGER in relation and request.membership.has_role(*WRITE_ROLES)
    setting_open, revisions_open = selectors.goal_setting_open(appraisal), selectors.revisions_open(appraisal)
    kinds = _kinds(setting_open, revisions_open)
    if form is None and is_employee and (kinds or edit is not None):
        form = _proposal_form(request, appraisal, selectors.personal_goals(appraisal), edit)
    answer_forms = answer_forms or {}
    editable = (ProposalStatus.PROPOSED, ProposalStatus.RETURNED)
    may_return = services.answerable(appraisal)
    for proposal in proposals:
        kind_open = revisions_open if proposal.kind == ProposalKind.REVISION else setting_open
        proposal.acceptable = is_manager and proposal.status == ProposalStatus.PROPOSED and kind_open
        proposal.answerable = is_manager and proposal.status == ProposalStatus.PROPOSED and may_return
        proposal.editable = is_employee and proposal.status in editable and kind_open
        proposal.withdrawable = is_employee and proposal.status in editable and may_return
        if proposal.answerable:
            initial = {"lock_version": proposal.lock_version}
            proposal.accept_form = answer_forms.get(("accept", proposal.pk)) or AcceptForm(
                initial=initial, prefix=f"accept-{proposal.pk}"
            )
            proposal.return_form = answer_forms.get(("return", proposal.pk)) or ReturnForm(
                initial=initial, prefix=f"return-{proposal.pk}"
            )
    # The live sum's base: the edited proposal is the one being typed, so it is not counted twice.
    others = [p for p in proposals if edit is None or p.pk != edit.pk]
    in_goal_setting = appraisal.stage == Stage.GOAL_SETTING or setting_open
    context = {
        "appraisal": appraisal, "goals": goals, "proposals": proposals,
        "summary": selectors.weight_summary(goals, proposals),
        "position_goals": list(selectors.position_goals(appraisal)),
        "goal_setting_open": setting_open, "revisions_open": revisions_open,
        "in_goal_setting": in_goal_setting,
        "development_notes": list(selectors.previous_development_notes(appraisal)) if in_goal_setting else [],
        "form": form, "edit": edit, "is_employee": is_employee, "is_manager": is_manager,
        "kpi_options": [reference_label(code, name) for _pk, code, name in kpi_options()] if form else [],
        "goal_weights": {str(goal.pk): str(goal.weight) for goal in goals},
        "live_base": selectors.weight_summary(goals, others).pending,
        "tab": "goals",
    }  # fmt: skip
    return render(request, "appraisal/goal_proposals/goals.html", context, status=status)


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def appraisal_goals(request, pk: int):
    """GET: the page (`?edit=<proposal>`: the employee's form holds that proposal to edit); POST: propose,
    or with `edit` propose the edited proposal again."""
    reader = _reader(request)
    appraisal = access_appraisal_by_id(reader, pk)
    edit_id = id_param(request.POST if request.method == "POST" else request.GET, "edit")
    edit = None
    if edit_id is not None:
        edit = access_goal_proposal_by_id(reader, edit_id)
        if edit.appraisal_id != appraisal.pk:
            raise Http404
    if request.method != "POST":
        return _render(request, appraisal, edit=edit)
    goals = selectors.personal_goals(appraisal)
    form = _proposal_form(request, appraisal, goals, edit)
    if form.is_valid():
        try:
            if edit is not None:
                services.goal_proposal_update(
                    actor=request.user, proposal=edit, data=form.service_data(),
                    lock_version=form.cleaned_data["lock_version"],
                )  # fmt: skip
            else:
                services.goal_proposal_create(
                    actor=request.user, appraisal=appraisal, data=form.service_data()
                )
        except ValidationError as invalid:
            add_service_errors(form, invalid, FIELD_MAP)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Proposed. Your manager answers it on this page."))
            return redirect("appraisal-goals", tenant_slug=request.tenant.slug, pk=appraisal.pk)
    return _render(request, appraisal, form=form, edit=edit, status=form_status(form, status=400))


def _answer(request, pk: int, *, accept: bool):
    reader = _reader(request)
    proposal = access_goal_proposal_by_id(reader, pk)
    if request.method != "POST":  # the forms live on the goals page
        return redirect("appraisal-goals", tenant_slug=request.tenant.slug, pk=proposal.appraisal_id)
    key = "accept" if accept else "return"
    form = (AcceptForm if accept else ReturnForm)(request.POST, prefix=f"{key}-{pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if accept:
                services.goal_proposal_accept(
                    actor=request.user, proposal=proposal, lock_version=data["lock_version"],
                    target=UNSET if data["target"] is None else data["target"],
                    weight=UNSET if data["weight"] is None else data["weight"],
                    comment=data["manager_comment"],
                )  # fmt: skip
            else:
                services.goal_proposal_return(
                    actor=request.user, proposal=proposal, lock_version=data["lock_version"],
                    comment=data["manager_comment"],
                )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid, FIELD_MAP | {"kind": "__all__", "kpi": "__all__",
                                                           "parent_goal": "__all__"})  # fmt: skip
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            done = _("Accepted: the goal is agreed.") if accept else _("Returned with your comment.")
            messages.success(request, done)
            return redirect("appraisal-goals", tenant_slug=request.tenant.slug, pk=proposal.appraisal_id)
    appraisal = access_appraisal_by_id(reader, proposal.appraisal_id)
    return _render(request, appraisal, answer_forms={(key, proposal.pk): form},
                   status=form_status(form, status=400))  # fmt: skip


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def goal_proposal_accept(request, pk: int):
    return _answer(request, pk, accept=True)


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def goal_proposal_return(request, pk: int):
    return _answer(request, pk, accept=False)


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def goal_proposal_withdraw(request, pk: int):
    """POST: the employee withdraws their open or returned proposal (a button on the goals page)."""
    reader = _reader(request)
    proposal = access_goal_proposal_by_id(reader, pk)
    if request.method != "POST":
        return redirect("appraisal-goals", tenant_slug=request.tenant.slug, pk=proposal.appraisal_id)
    try:
        services.goal_proposal_withdraw(
            actor=request.user, proposal=proposal, lock_version=request.POST.get("lock_version")
        )
    except ValidationError as invalid:
        refusal, status = " ".join(t for texts in invalid.message_dict.values() for t in texts), 400
    except StaleEditError as stale:
        refusal, status = stale.message, 409
    else:
        messages.success(request, _("Proposal withdrawn."))
        return redirect("appraisal-goals", tenant_slug=request.tenant.slug, pk=proposal.appraisal_id)
    messages.error(request, refusal)
    return _render(request, access_appraisal_by_id(reader, proposal.appraisal_id), status=status)


@tenant_page(read=ALL_ROLES)
def goals_to_agree(request):
    """A manager's list of the goal proposals waiting for their answer, across their reports."""
    employee = member_linked_employee(request.membership)
    page = paginate(request, selectors.proposals_to_agree(employee))
    return render(request, "appraisal/goal_proposals/to_agree.html", {"page": page, "employee": employee})
