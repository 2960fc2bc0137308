"""Calibration pages (issue 11 point 5): the sessions a reader opens (HR and auditors every one, a member
theirs), a new session (HR), and one session — its people, the grade distribution against the guideline
(chart and table), the nine-box matrix, grade changes with a reason, potential, members, closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from appraisal.access import access_appraisal_by_id, access_calibration_by_id, appraisal_reader
from appraisal.forms.calibration import CalibrationForm, CloseForm, GradeChangeForm, MemberForm, PotentialForm
from appraisal.models import CalibrationStatus, GradeChangeReason, Potential
from appraisal.selectors.calibration import cycles_to_calibrate, grade_choices, session_page, sessions_for
from appraisal.services import calibration as services
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.models import WRITE_ROLES
from collab.pages import HR_ONLY, paginate, tenant_page


def _reader(request):
    return appraisal_reader(request.membership, request.user)


@tenant_page()
def calibration_list(request):
    page = paginate(request, sessions_for(_reader(request)))
    context = {"page": page, "cycles": cycles_to_calibrate() if request.membership.has_role(*HR_ONLY) else []}
    return render(request, "appraisal/calibration/list.html", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def calibration_create(request):
    form = CalibrationForm(request.POST or None, cycles=cycles_to_calibrate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data["member"]
        try:
            session = services.calibration_create(
                actor=request.user,
                cycle=data["cycle"],
                name=data["name"],
                org_unit=data["org_unit"],
                levels=data["levels"],
                members=[member.user_id] if member else [],
                include_managers=data["include_managers"],
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid, {"members": "member"})
        else:
            messages.success(request, _("Calibration session %(name)s created.") % {"name": session.name})
            return redirect("calibration-detail", tenant_slug=request.tenant.slug, pk=session.pk)
    status = 400 if form.errors else 200
    return render(request, "appraisal/calibration/form.html", {"form": form}, status=status)


def _post(request, reader, session, forms):
    """Run the posted action; a success message, or False (the form shows why)."""
    action = request.POST.get("action", "")
    if action in ("change", "potential"):
        form = forms[action]
        if not form.is_valid():
            forms["failed"] = form
            return False
        appraisal = access_appraisal_by_id(reader, form.cleaned_data["appraisal"])
        data = form.cleaned_data
        try:
            if action == "change":
                services.calibration_change_grade(
                    actor=request.user,
                    session=session,
                    appraisal=appraisal,
                    grade=data["grade"],
                    reason_code=data["reason_code"],
                    reason=data["reason"],
                    lock_version=data["lock_version"],
                )
                return _("Grade of %(name)s changed.") % {"name": appraisal.employee.name}
            services.calibration_set_potential(
                actor=request.user,
                session=session,
                appraisal=appraisal,
                potential=data["potential"],
                lock_version=data["lock_version"],
            )
            return _("Potential of %(name)s saved.") % {"name": appraisal.employee.name}
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        forms["failed"] = form
        return False
    if action == "member":
        if not reader.is_hr:
            raise PermissionDenied
        form = forms["member"]
        if form.is_valid():
            try:
                services.calibration_member_add(
                    actor=request.user, session=session, user=form.cleaned_data["member"].user
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                return _("Member added.")
        forms["failed"] = form
        return False
    if action == "close":
        form = forms["close"]
        if form.is_valid():
            try:
                services.calibration_close(
                    actor=request.user,
                    session=session,
                    attended=[int(pk) for pk in form.cleaned_data["attended"]],
                    note=form.cleaned_data["note"],
                    lock_version=form.cleaned_data["lock_version"],
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid, {"grades": "__all__", "session": "__all__"})
            except StaleEditError as stale:
                note_stale(form, stale)
            else:
                return _("Session closed.")
        forms["failed"] = form
        return False
    return False


@tenant_page(write=WRITE_ROLES)
def calibration_detail(request, pk: int):
    reader = _reader(request)
    session = access_calibration_by_id(reader, pk, write=request.method == "POST")
    data = session_page(session)
    action = request.POST.get("action") if request.method == "POST" else None
    bound = request.POST if action else None
    forms = {
        "change": GradeChangeForm(bound if action == "change" else None, grades=grade_choices()),
        "potential": PotentialForm(bound if action == "potential" else None),
        "member": MemberForm(bound if action == "member" else None),
        "close": CloseForm(
            bound if action == "close" else None,
            members=data["members"],
            initial={"lock_version": session.lock_version},
        ),
    }
    status = 200
    if action:
        done = _post(request, reader, session, forms)
        if done:
            messages.success(request, done)
            return redirect("calibration-detail", tenant_slug=request.tenant.slug, pk=session.pk)
        failed = forms.get("failed")
        status = form_status(failed, status=400) if failed is not None else 400
    context = {
        "session": session,
        **data,
        "chart": data["distribution"].chart(),
        "is_open": session.status == CalibrationStatus.OPEN,
        "may_write": reader.is_hr or any(m.user_id == request.user.pk for m in data["members"]),
        "reasons": GradeChangeReason.choices,
        "potentials": Potential.choices,
        "failed": forms.get("failed"),
        "failed_action": action,
        "member_form": forms["member"],
        "close_form": forms["close"],
    }
    return render(request, "appraisal/calibration/detail.html", context, status=status)
