"""Pages of the collaboration event log: the list (filters, keyset pages) and its Excel export, recording
one event, an event's detail (and completing it), the import (HR). The measures and "what is recorded about
me" are `feedback.views.event_measures`.

Who sees what is `feedback.access.event_reader`: HR admins and auditors everything, a manager their units,
everyone the events naming them or their unit. HR admins record any event, managers those of their units,
employees those that come from them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import ImportFileForm, add_service_errors, form_status, note_stale
from collab.imports.export import export_xlsx, xlsx_response
from collab.imports.table import ImportFileError, Table
from collab.models import ALL_ROLES
from collab.pages import HR_ONLY, id_param, paginate, tenant_page
from collab.selectors.audit.events import tenant_zone
from feedback.access import EVENT_WRITERS, access_event_by_id, event_reader
from feedback.forms.events import EventCompleteForm, EventFilterForm, EventForm
from feedback.models import EventKind, EventSource
from feedback.selectors.events import event_responses, events_for_export, events_list
from feedback.services import events as services
from feedback.services.event_import import EventImport, events_export_rows, events_import

IMPORT_SESSION_KEY = "feedback.event_import.{tenant}"
EXPORT_MAX_ROWS = 50_000  # a bigger list is narrowed by its filters first


def _filtered(request, reader):
    """The list's filter form and the events it selects (an invalid filter selects none)."""
    form = EventFilterForm(request.GET or None)
    queryset = events_list(visible=reader.visible())
    if request.GET:
        if form.is_valid():
            queryset = events_list(
                visible=reader.visible(), timezone_name=request.tenant.timezone, **form.filters()
            )
        else:
            queryset = queryset.none()
    return form, queryset


@tenant_page(read=ALL_ROLES)
def event_list(request):
    reader = event_reader(request.membership, request.user)
    form, queryset = _filtered(request, reader)
    page = paginate(request, queryset)
    context = {
        "filter_form": form, "page": page, "filtered": bool(request.GET), "reader": reader,
        "may_record": reader.may_record, "query": request.GET.urlencode(), "export_max": EXPORT_MAX_ROWS,
    }  # fmt: skip
    template = "feedback/events/list.html#results" if request.htmx else "feedback/events/list.html"
    return render(request, template, context)


@tenant_page(read=ALL_ROLES)
def event_export(request):
    """The list as filtered, newest first (at most EXPORT_MAX_ROWS), in the reader's language, in the columns
    the import reads back."""
    reader = event_reader(request.membership, request.user)
    _form, queryset = _filtered(request, reader)
    events = events_for_export(queryset, EXPORT_MAX_ROWS)
    headers, rows = events_export_rows(events, tenant_zone(request.tenant.timezone))
    content = export_xlsx(headers, rows, sheet_title=_("Collaboration events"))
    return xlsx_response(content, f"events-{request.tenant.slug}-{timezone.localdate():%Y%m%d}.xlsx")


@tenant_page(read=EVENT_WRITERS, write=EVENT_WRITERS)
def event_create(request):
    reader = event_reader(request.membership, request.user)
    if not reader.may_record:
        raise PermissionDenied
    answers = None
    answers_id = id_param(request.GET, "answers")
    if answers_id is not None:
        answers = access_event_by_id(reader, answers_id)
    initial = {}
    if reader.sender is not None:  # an employee records what comes from them
        initial = {"from_unit": reader.own_unit, "from_employee": reader.sender}
    if answers is not None:
        initial = {
            "kind": EventKind.RESPONSE, "answers": answers.pk, "from_unit": answers.to_unit_id,
            "to_unit": answers.from_unit_id, "to_employee": answers.from_employee_id,
            "title": (_("Re: %(title)s") % {"title": answers.title})[:200],
            "from_employee": reader.sender,
        }  # fmt: skip
    form = EventForm(request.POST or None, initial=initial)
    scope = None if reader.write_units is None else set(reader.write_units)
    if request.method == "POST" and form.is_valid():
        try:
            event, _created = services.event_record(
                actor=request.user, data=form.service_data(), source=EventSource.APP, scope_units=scope,
                sender=reader.sender,
            )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Event “%(title)s” recorded.") % {"title": event.title})
            return redirect("event-detail", tenant_slug=request.tenant.slug, pk=event.pk)
    status = 400 if form.errors else 200
    return render(request, "feedback/events/form.html", {"form": form, "answers": answers}, status=status)


@tenant_page(read=ALL_ROLES)
def event_detail(request, pk: int):
    reader = event_reader(request.membership, request.user)
    event = access_event_by_id(reader, pk)
    return _detail(request, reader, event, EventCompleteForm(initial={"lock_version": event.lock_version}))


def _detail(request, reader, event, complete_form, status: int = 200):
    context = {
        "event": event,
        "responses": event_responses(event) if event.kind == EventKind.REQUEST else [],
        "complete_form": complete_form if reader.may_write_event(event) and event.is_completable else None,
        "may_answer": event.kind == EventKind.REQUEST and reader.may_answer(event),
    }  # fmt: skip
    return render(request, "feedback/events/detail.html", context, status=status)


@tenant_page(read=EVENT_WRITERS, write=EVENT_WRITERS)
def event_complete(request, pk: int):
    reader = event_reader(request.membership, request.user)
    event = access_event_by_id(reader, pk, write=True)
    if request.method != "POST":
        return redirect("event-detail", tenant_slug=request.tenant.slug, pk=event.pk)
    form = EventCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.event_complete(
                actor=request.user, event=event, lock_version=form.cleaned_data["lock_version"],
                done_at=form.cleaned_data["done_at"],
            )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Marked done."))
            return redirect("event-detail", tenant_slug=request.tenant.slug, pk=event.pk)
    return _detail(request, reader, event, form, status=form_status(form, status=400))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def event_import(request):
    """Step 1: upload → dry run (nothing written). Step 2: confirm → all or nothing (400 with the page when
    refused)."""
    session_key = IMPORT_SESSION_KEY.format(tenant=request.tenant.pk)
    form = ImportFileForm()
    context = {"form": form, "columns": EventImport.columns, "result": None, "file_error": None}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            table = Table.from_data(request.session.get(session_key))
        except ImportFileError as expired:
            context["file_error"] = expired.message
            return render(request, "feedback/events/import.html", context, status=400)
        result = events_import(actor=request.user, table=table, dry_run=False)
        if result.committed:
            request.session.pop(session_key, None)
            messages.success(request, _("%(n)s events imported.") % {"n": result.written})
            return redirect("event-list", tenant_slug=request.tenant.slug)
        context.update(result=result, table=table)
        return render(request, "feedback/events/import.html", context, status=400)
    status = 200
    if request.method == "POST":
        form = ImportFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                table = EventImport().read(form.cleaned_data["file"])
            except ImportFileError as unreadable:
                context["file_error"] = unreadable.message
            else:
                result = events_import(actor=request.user, table=table, dry_run=True)
                if result.ok:
                    request.session[session_key] = table.to_data()
                else:
                    request.session.pop(session_key, None)
                context.update(result=result, table=table)
        rejected = form.errors or context["file_error"] or (context["result"] and not context["result"].ok)
        status = 400 if rejected else 200
    return render(request, "feedback/events/import.html", context, status=status)
