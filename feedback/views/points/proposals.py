"""Proposal pages: the list (to decide, mine, all), a new proposal, one proposal with its decision forms,
its attachment."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.access import access_employee_by_id, access_period_by_id, access_unit_by_id
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.models import ALL_ROLES, WRITE_ROLES, Role
from collab.pages import id_param, paginate, query_text, tenant_page
from collab.routing.ids import parse_id
from collab.selectors.platform import member_linked_employee
from feedback.access import access_point_proposal_by_id, event_reader
from feedback.forms.points import DecisionForm, PointProposalForm, RejectionForm
from feedback.models import ProposalStatus
from feedback.selectors import point_events
from feedback.selectors import points as selectors
from feedback.services.points import proposals as services

BOXES = ("to_decide", "mine", "all")


def _sees_all(request) -> bool:
    return request.membership.has_role(Role.HR_ADMIN, Role.AUDITOR)


@tenant_page(read=ALL_ROLES)
def point_proposal_list(request):
    """Proposals: those waiting for my decision, mine, or (HR, auditors) all, by status."""
    employee = member_linked_employee(request.membership)
    box = request.GET.get("box", "")
    if box not in BOXES or (box == "all" and not _sees_all(request)):
        box = "all" if _sees_all(request) and employee is None else "to_decide"
    status = request.GET.get("status", "")
    if status not in ProposalStatus.values:
        status = ""
    if box == "all":
        rows = selectors.proposals_all(status=status)
    elif box == "mine":
        rows = selectors.proposals_made_by(employee, status=status)
    else:
        rows = selectors.proposals_to_decide(employee)
    context = {
        "page": paginate(request, rows), "box": box, "status": status, "statuses": ProposalStatus.choices,
        "employee": employee, "sees_all": _sees_all(request), "counts": selectors.proposal_counts(employee),
        "may_propose": employee is not None and request.membership.has_role(*WRITE_ROLES),
    }  # fmt: skip
    return render(request, "feedback/points/proposals.html", context)


@tenant_page(read=WRITE_ROLES, write=WRITE_ROLES)
def point_proposal_create(request):
    employee = member_linked_employee(request.membership)
    form = PointProposalForm(
        request.POST or None, request.FILES or None, items=selectors.point_items(active=True),
        periods=selectors.proposable_periods(),
        initial={"proposer_role": "project_lead" if selectors.is_project_lead(employee) and not
                 request.membership.has_role(Role.MANAGER) else "line_manager"},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.point_proposal_create(
                actor=request.user, proposer=employee, data=form.service_data(),
                evidence_file=form.cleaned_data.get("evidence_file"),
            )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid, {"proposer": "__all__", "evidence": "__all__"})
        else:
            messages.success(request, _("Points proposed: %(item)s.") % {"item": proposal.item.name})
            return redirect("point-proposal-detail", tenant_slug=request.tenant.slug, pk=proposal.pk)
    context = {
        "form": form, "employee": employee, "settings": selectors.point_settings_shown(),
        "choices": _event_choices(request, request.POST if request.method == "POST" else request.GET),
        "max_cited": point_events.MAX_CITED_EVENTS,
    }  # fmt: skip
    return render(request, "feedback/points/propose.html", context, status=400 if form.errors else 200)


def _event_choices(request, data) -> dict:
    """The events the proposal form offers to cite, for the subject and period chosen in `data`: those the
    member reads (the proposer is the member)."""
    membership = request.membership
    person = unit = None
    if data.get("subject_kind") == "unit":
        unit_id = id_param(data, "subject_unit")
        unit = access_unit_by_id(membership, unit_id) if unit_id else None
    else:
        person_id = id_param(data, "subject_employee")
        person = access_employee_by_id(membership, person_id) if person_id else None
    period_id = id_param(data, "period")
    period = access_period_by_id(membership, period_id) if period_id else None
    ticked = [pk for pk in map(parse_id, data.getlist("evidence_events")) if pk is not None]
    return point_events.event_choices(
        reader=event_reader(membership, request.user), person=person, unit=unit, period=period,
        ticked=ticked, q=query_text(data, "evidence_q"),
    )  # fmt: skip


@tenant_page(read=WRITE_ROLES)
def point_proposal_events(request):
    """The proposal form's list of events to cite (htmx: reloaded when the subject, the period or the search
    changes)."""
    context = {"choices": _event_choices(request, request.GET), "max_cited": point_events.MAX_CITED_EVENTS}
    return render(request, "feedback/points/propose.html#evidence_events", context)


def _detail(request, proposal, *, approve_form=None, reject_form=None, status=200):
    employee = member_linked_employee(request.membership)
    initial = {"lock_version": proposal.lock_version}
    context = {
        "proposal": proposal, "evidence": selectors.proposal_evidence(proposal),
        "may_decide": selectors.may_decide(proposal, employee) and request.membership.has_role(*WRITE_ROLES),
        "approve_form": approve_form or DecisionForm(initial=initial),
        "reject_form": reject_form or RejectionForm(initial=initial, prefix="reject"),
        "entry": selectors.proposal_entry(proposal),
        "cited": point_events.cited_events(proposal, event_reader(request.membership, request.user)),
    }  # fmt: skip
    return render(request, "feedback/points/proposal.html", context, status=status)


@tenant_page(read=ALL_ROLES)
def point_proposal_detail(request, pk: int):
    return _detail(request, access_point_proposal_by_id(request.membership, pk))


def _decide(request, pk: int, *, reject: bool):
    proposal = access_point_proposal_by_id(request.membership, pk, write=True)
    form = RejectionForm(request.POST, prefix="reject") if reject else DecisionForm(request.POST)
    if form.is_valid():
        employee = member_linked_employee(request.membership)
        try:
            if reject:
                services.point_proposal_reject(
                    actor=request.user, approver=employee, proposal=proposal,
                    lock_version=form.cleaned_data["lock_version"], reason=form.cleaned_data["reason"],
                )  # fmt: skip
            else:
                services.point_proposal_approve(
                    actor=request.user, approver=employee, proposal=proposal,
                    lock_version=form.cleaned_data["lock_version"], note=form.cleaned_data["reason"],
                )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid, {"approver": "__all__", "status": "__all__"})
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            done = _("Proposal rejected.") if reject else _("Proposal approved.")
            messages.success(request, done)
            return redirect("point-proposal-detail", tenant_slug=request.tenant.slug, pk=proposal.pk)
    fresh = access_point_proposal_by_id(request.membership, pk)
    forms_ = {"reject_form": form} if reject else {"approve_form": form}
    return _detail(request, fresh, **forms_, status=form_status(form, status=400))


@tenant_page(read=WRITE_ROLES, write=WRITE_ROLES)
def point_proposal_approve(request, pk: int):
    if request.method != "POST":  # the form lives on the proposal's page (a missing or foreign id: 404)
        proposal = access_point_proposal_by_id(request.membership, pk)
        return redirect("point-proposal-detail", tenant_slug=request.tenant.slug, pk=proposal.pk)
    return _decide(request, pk, reject=False)


@tenant_page(read=WRITE_ROLES, write=WRITE_ROLES)
def point_proposal_reject(request, pk: int):
    if request.method != "POST":  # the form lives on the proposal's page (a missing or foreign id: 404)
        proposal = access_point_proposal_by_id(request.membership, pk)
        return redirect("point-proposal-detail", tenant_slug=request.tenant.slug, pk=proposal.pk)
    return _decide(request, pk, reject=True)


@tenant_page(read=ALL_ROLES)
def point_proposal_evidence(request, pk: int):
    """The proposal's attachment, as a download (never shown inline: it is whatever the proposer sent)."""
    proposal = access_point_proposal_by_id(request.membership, pk)
    evidence = selectors.proposal_evidence(proposal)
    if evidence is None:
        raise Http404
    return evidence_download(evidence)


def evidence_download(evidence) -> HttpResponse:
    """An attachment as a download of type application/octet-stream (the page's and the API's)."""
    response = HttpResponse(bytes(evidence.data), content_type="application/octet-stream")
    name = evidence.name.replace('"', "").replace("\\", "")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
