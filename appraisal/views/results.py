"""Result pages (issue 11 points 6 and 7): one appraisal's released result (the employee confirms or
appeals; the manager records the result meeting and development notes; the manager's manager or HR decides
an appeal), the appeal queue, a cycle's release (HR) and its pay and bonus export (HR, auditors)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.access import access_appraisal_by_id, access_cycle_by_id, appraisal_reader
from appraisal.forms.results import AppealForm, DecisionForm, DevelopmentNoteForm, MeetingForm
from appraisal.models import AppealStatus, GradeSource
from appraisal.selectors.answers import appeal_queue, evidence_choices
from appraisal.selectors.calibration import grade_choices
from appraisal.selectors.release import release_page, result_page
from appraisal.selectors.results import export_headers, export_rows
from appraisal.services import appeals as appeal_services
from appraisal.services import release as release_services
from appraisal.services import results as result_services
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.imports.export import export_xlsx, xlsx_response
from collab.models import WRITE_ROLES
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, tenant_page


def _run(form, call) -> bool:
    try:
        call()
    except ValidationError as invalid:
        add_service_errors(form, invalid)
    except StaleEditError as stale:
        note_stale(form, stale)
    else:
        return True
    return False


def _answer(request, appraisal, action, forms, data):
    """Run the posted action through its service: (the form that holds any refusal, a success message or
    None)."""
    user = request.user
    if action == "confirm":
        holder = DevelopmentNoteForm({})  # no fields of its own: holds a refusal, shown on top
        holder.is_valid()
        holder.errors.clear()
        version = request.POST.get("lock_version")
        if _run(
            holder,
            lambda: release_services.result_confirm(actor=user, appraisal=appraisal, lock_version=version),
        ):
            return holder, _("You confirmed your result.")
        return holder, None
    form = forms.get(action)
    if form is None or not form.is_valid():
        return form, None
    cleaned = form.cleaned_data

    def appeal():
        appeal_services.appeal_raise(
            actor=user,
            appraisal=appraisal,
            reason=cleaned["reason"],
            evidence=form.cited(),
            lock_version=cleaned["lock_version"],
        )

    def meeting():
        release_services.result_meeting_record(
            actor=user,
            appraisal=appraisal,
            held_at=cleaned["held_at"],
            note=cleaned["note"],
            lock_version=cleaned["lock_version"],
        )

    def decide():
        if data["appeal"] is None:
            raise ValidationError(_("There is no appeal to decide."))
        appeal_services.appeal_decide(
            actor=user,
            appeal=data["appeal"],
            decision=cleaned["decision"],
            note=cleaned["note"],
            grade=cleaned["grade"],
            reason_code=cleaned["reason_code"],
            lock_version=cleaned["lock_version"],
        )

    def note():
        result_services.development_note_add(
            actor=user, appraisal=appraisal, kind=cleaned["kind"], text=cleaned["text"]
        )

    handlers = {
        "appeal": (appeal, _("Your appeal was sent.")),
        "meeting": (meeting, _("Result meeting recorded.")),
        "decide": (decide, _("Decision recorded.")),
        "note": (note, _("Development note added.")),
    }
    call, message = handlers[action]
    return form, (message if _run(form, call) else None)


@tenant_page(write=WRITE_ROLES)
def appraisal_result(request, pk: int):
    reader = appraisal_reader(request.membership, request.user)
    appraisal = access_appraisal_by_id(reader, pk)
    relations = reader.relation(appraisal)
    data = result_page(appraisal, relations, request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    bound = request.POST if action else None
    evidence = (
        evidence_choices(appraisal, membership=request.membership, user=request.user)
        if data["may_answer"]
        else []
    )
    hr_level = data["appeal"] is not None and data["appeal"].status == AppealStatus.AT_HR
    forms = {
        "appeal": AppealForm(bound if action == "appeal" else None, evidence=evidence),
        "meeting": MeetingForm(bound if action == "meeting" else None),
        "decide": DecisionForm(
            bound if action == "decide" else None, grades=grade_choices(), hr_level=hr_level
        ),
        "note": DevelopmentNoteForm(bound if action == "note" else None),
    }
    holder, message = _answer(request, appraisal, action, forms, data)
    done = message is not None
    forms["failed"] = holder
    if done:
        messages.success(request, message)
        return redirect("appraisal-result", tenant_slug=request.tenant.slug, pk=appraisal.pk)
    status = form_status(forms["failed"], status=400) if action else 200
    context = {
        "appraisal": appraisal,
        **data,
        "forms": forms,
        "failed": forms.get("failed"),
        "sources": dict(GradeSource.choices),
        "evidence_labels": {e.key: e.label for e in evidence},
        "now": timezone.now(),
    }
    return render(request, "appraisal/results/result.html", context, status=status)


@tenant_page()
def appeal_list(request):
    page = paginate(request, appeal_queue(request.membership, request.user))
    return render(request, "appraisal/results/appeals.html", {"page": page, "now": timezone.now()})


@tenant_page(read=HR_AND_AUDITOR, write=HR_ONLY)
def appraisal_release(request, pk: int):
    cycle = access_cycle_by_id(request.membership, pk, write=request.method == "POST")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            result = release_services.cycle_release(actor=request.user, cycle=cycle)
        except ValidationError as invalid:
            errors = [text for texts in invalid.message_dict.values() for text in texts]
            status = 400
        else:
            messages.success(request, _("%(n)d results released.") % {"n": len(result.released)})
            return redirect("appraisal-release", tenant_slug=request.tenant.slug, pk=cycle.pk)
    context = {"cycle": cycle, **release_page(cycle), "errors": errors}
    return render(request, "appraisal/results/release.html", context, status=status)


@tenant_page(read=HR_AND_AUDITOR)
def appraisal_export(request, pk: int):
    cycle = access_cycle_by_id(request.membership, pk)
    content = export_xlsx(export_headers(), export_rows(cycle), sheet_title=cycle.name)
    return xlsx_response(content, f"appraisal-{cycle.pk}.xlsx")
