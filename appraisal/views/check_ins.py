"""Pages of check-ins (绩效沟通): one appraisal's check-ins with the form to record one (or edit one's own),
the private note of each side, and marking an agreed action done."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.access import (
    access_appraisal_by_id,
    access_check_in_action_by_id,
    access_check_in_by_id,
    appraisal_reader,
)
from appraisal.forms.check_ins import SPARE_ACTION_ROWS, ActionDoneForm, CheckInForm, PrivateNoteForm
from appraisal.selectors.check_ins import check_ins_of
from appraisal.selectors.goal_proposals import personal_goals
from appraisal.services import check_ins as services
from collab.concurrency import StaleEditError
from collab.forms import STALE_STATUS, add_service_errors, form_status, note_stale
from collab.models import ALL_ROLES, WRITE_ROLES
from collab.pages import id_param, tenant_page


def _reader(request):
    return appraisal_reader(request.membership, request.user)


def _row_errors(form, invalid: ValidationError) -> None:
    """Errors of the rows ("actions-0-due_on") on top of the form, saying which row."""
    plain = {}
    for key, messages_ in invalid.message_dict.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[1].isdigit():
            label = _("Action %(n)d") if parts[0] == "actions" else _("Goal note %(n)d")
            for message in messages_:
                form.add_error(None, f"{label % {'n': int(parts[1]) + 1}}: {message}")
        else:
            plain[key] = messages_
    if plain:
        add_service_errors(form, ValidationError(plain), {"appraisal": "__all__", "actions": "__all__"})


def _action_rows(request, check_in, is_post):
    if is_post:
        rows = []
        index = 0
        while f"actions-{index}-description" in request.POST and index < 50:
            rows.append({name: request.POST.get(f"actions-{index}-{name}", "")
                         for name in ("id", "description", "owner", "due_on")})  # fmt: skip
            index += 1
        return rows
    rows = []
    if check_in is not None:
        for action in check_in.actions.all():
            owner = "employee" if action.owner_id == check_in.appraisal.employee_id else "manager"
            rows.append({"id": action.pk, "description": action.description, "owner": owner,
                         "due_on": action.due_on.isoformat()})  # fmt: skip
    return rows + [{"id": "", "description": "", "owner": "employee", "due_on": ""}] * SPARE_ACTION_ROWS


def _render(request, appraisal, *, form=None, edit=None, status=200):
    user = request.user
    side = services.party(user, appraisal) if request.membership.has_role(*WRITE_ROLES) else None
    may_record = side is not None and services.check_ins_open(appraisal)
    check_ins = list(check_ins_of(appraisal, user))
    goals = list(personal_goals(appraisal))
    if may_record and form is None:
        initial = {"held_on": timezone.localdate()}
        if edit is not None:
            notes = edit.my_notes if hasattr(edit, "my_notes") else []
            initial = {
                "held_on": edit.held_on, "progress": edit.progress, "obstacles": edit.obstacles,
                "private_note": notes[0].text if notes else "", "lock_version": edit.lock_version,
            }  # fmt: skip
        form = CheckInForm(initial=initial)
    posted = form is not None and form.is_bound
    notes_given = {}
    if edit is not None and not posted:
        notes_given = {note.personal_goal_id: note.progress for note in edit.goal_notes.all()}
    elif posted:
        index = 0
        while f"goalnotes-{index}-personal_goal" in request.POST and index < 200:
            notes_given[str(request.POST.get(f"goalnotes-{index}-personal_goal"))] = request.POST.get(
                f"goalnotes-{index}-progress", ""
            )
            index += 1
    goal_rows = [(goal, notes_given.get(goal.pk, notes_given.get(str(goal.pk), ""))) for goal in goals]
    for check_in in check_ins:
        check_in.my_note = check_in.my_notes[0] if check_in.my_notes else None
        side_of_author = services.party(check_in.created_by, appraisal) if check_in.created_by_id else None
        names = {"employee": appraisal.employee.name, "manager": getattr(appraisal.manager, "name", "")}
        check_in.author_name = names.get(side_of_author) or (
            check_in.created_by.get_username() if check_in.created_by_id else ""
        )
        check_in.editable = may_record and check_in.created_by_id == user.pk
        check_in.note_form = PrivateNoteForm(
            initial={"text": check_in.my_note.text if check_in.my_note else ""}, prefix=f"note-{check_in.pk}"
        ) if may_record else None  # fmt: skip
        for action in check_in.actions.all():
            action.may_mark = may_record and action.owner.user_id == user.pk
    context = {
        "appraisal": appraisal, "check_ins": check_ins, "form": form if may_record else None, "edit": edit,
        "goal_rows": goal_rows, "action_rows": _action_rows(request, edit, posted),
        "side": side, "tab": "check_ins",
    }  # fmt: skip
    return render(request, "appraisal/check_ins/check_ins.html", context, status=status)


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def appraisal_check_ins(request, pk: int):
    """GET: the check-ins and the form (`?edit=<check-in>`: one's own to edit); POST: record or edit."""
    reader = _reader(request)
    appraisal = access_appraisal_by_id(reader, pk)
    edit_id = id_param(request.POST if request.method == "POST" else request.GET, "edit")
    edit = None
    if edit_id is not None:
        edit = next((c for c in check_ins_of(appraisal, request.user) if c.pk == edit_id), None)
        if edit is None:
            raise Http404
    if request.method != "POST":
        if edit is not None and edit.created_by_id != request.user.pk:
            edit = None  # only its author edits a check-in: the others get the form for a new one
        return _render(request, appraisal, edit=edit)
    form = CheckInForm(request.POST)
    if form.is_valid():
        data = form.service_data(request.POST)
        try:
            if edit is not None:
                services.check_in_update(actor=request.user, check_in=edit, data=data,
                                         lock_version=form.cleaned_data["lock_version"])  # fmt: skip
            else:
                services.check_in_create(actor=request.user, appraisal=appraisal, data=data)
        except ValidationError as invalid:
            _row_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Check-in saved."))
            return redirect("appraisal-check-ins", tenant_slug=request.tenant.slug, pk=appraisal.pk)
    return _render(request, appraisal, form=form, edit=edit, status=form_status(form, status=400))


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def check_in_private_note(request, pk: int):
    """POST: save (or with blank text remove) my private note on a check-in."""
    check_in = access_check_in_by_id(_reader(request), pk)
    if request.method == "POST":
        form = PrivateNoteForm(request.POST, prefix=f"note-{check_in.pk}")
        if form.is_valid():
            try:
                services.check_in_private_note_set(actor=request.user, check_in=check_in,
                                                   text=form.cleaned_data["text"])  # fmt: skip
            except ValidationError as invalid:
                messages.error(request, " ".join(invalid.messages))
            else:
                messages.success(request, _("Private note saved; only you read it."))
    return redirect("appraisal-check-ins", tenant_slug=request.tenant.slug, pk=check_in.appraisal_id)


@tenant_page(read=ALL_ROLES, write=WRITE_ROLES)
def check_in_action_done(request, pk: int):
    """POST: the action's owner marks it done or open again."""
    reader = _reader(request)
    action = access_check_in_action_by_id(reader, pk)
    appraisal_id = action.check_in.appraisal_id
    if request.method == "POST":
        form = ActionDoneForm(request.POST)
        if form.is_valid():
            try:
                services.check_in_action_done(
                    actor=request.user, action=action, done=form.cleaned_data["done"],
                    lock_version=form.cleaned_data["lock_version"],
                )  # fmt: skip
            except ValidationError as invalid:
                messages.error(request, " ".join(invalid.messages))
            except StaleEditError as stale:
                messages.error(request, stale.message)
                return _render(request, access_appraisal_by_id(reader, appraisal_id), status=STALE_STATUS)
    return redirect("appraisal-check-ins", tenant_slug=request.tenant.slug, pk=appraisal_id)
