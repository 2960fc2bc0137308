"""The process-mining pages: the event logs (with HR's upload form), one log — its column mapping while it
waits for one, its import's progress, then what mining found — and its delete. Managers, committee members,
auditors and HR admins read; HR admins upload, map and delete."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.access import EVENT_LOG_READERS, access_event_log_by_id
from alerts.forms.event_logs import EventLogMappingForm, EventLogUploadForm
from alerts.models import EventLogStatus
from alerts.selectors.event_logs import dfg_chart, event_logs, log_cases
from alerts.services.event_logs import MAPPED_FIELDS, event_log_delete, event_log_map, event_log_upload
from collab.forms import add_service_errors
from collab.jobs import job_progress
from collab.pages import HR_ONLY, paginate, tenant_page

CHART_NAMES = {
    "events": gettext_lazy("times"), "cases": gettext_lazy("cases"), "median": gettext_lazy("median wait"),
}  # fmt: skip


@tenant_page(read=EVENT_LOG_READERS, write=HR_ONLY)
def event_log_list(request):
    form = EventLogUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            log = event_log_upload(
                actor=request.user, name=form.cleaned_data["name"], file_name=upload.name, data=upload.read(),
                process=form.cleaned_data["process"], naive_zone=form.cleaned_data["naive_zone"] or None,
            )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Event log %(name)s uploaded.") % {"name": log.name})
            return redirect("event-log-detail", tenant_slug=request.tenant.slug, pk=log.pk)
    context = {"form": form, "page": paginate(request, event_logs())}
    return render(request, "alerts/event_logs/list.html", context, status=400 if form.errors else 200)


def _mapping_form(request, log):
    initial = log.mapping.get("columns", {})
    return EventLogMappingForm(request.POST or None, headers=log.headers, initial=initial)


@tenant_page(read=EVENT_LOG_READERS, write=HR_ONLY)
def event_log_detail(request, pk: int):
    log = access_event_log_by_id(request.membership, pk, write=request.method == "POST")
    form = _mapping_form(request, log) if log.status == EventLogStatus.MAPPING else None
    if request.method == "POST" and form is not None and form.is_valid():
        columns = {field: form.cleaned_data.get(field, "") for field in MAPPED_FIELDS}
        try:
            event_log_map(actor=request.user, event_log=log, columns=columns)
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            return redirect("event-log-detail", tenant_slug=request.tenant.slug, pk=log.pk)
    progress = job_progress(log.job) if log.job_id else None
    context = {"log": log, "form": form, "progress": progress, "analysis": log.analysis or {}}
    if request.htmx and request.GET.get("progress"):
        return render(request, "alerts/event_logs/detail.html#import_progress", context)
    if log.status == EventLogStatus.READY:
        variant = request.GET.get("variant", "")
        chosen = int(variant) if re.fullmatch(r"[0-9]{1,6}", variant) else None
        context["variant_shown"] = chosen
        if chosen is not None:
            context["cases_page"] = paginate(request, log_cases(log, variant=chosen))
        context["dfg"] = dfg_chart(log.analysis, names=CHART_NAMES)
    status = 400 if form is not None and form.errors else 200
    return render(request, "alerts/event_logs/detail.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def event_log_delete_page(request, pk: int):
    log = access_event_log_by_id(request.membership, pk, write=True)
    if request.method == "POST":
        event_log_delete(actor=request.user, event_log=log)
        messages.success(request, _("Event log %(name)s deleted.") % {"name": log.name})
        return redirect("event-log-list", tenant_slug=request.tenant.slug)
    return render(request, "alerts/event_logs/confirm_delete.html", {"log": log})
