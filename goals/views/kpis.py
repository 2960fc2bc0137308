"""KPI library pages: searchable list, create/edit/delete, Excel import (dry run, then commit), export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import ImportFileForm, add_service_errors, attempt_delete, form_status, note_stale
from collab.imports.export import export_xlsx, xlsx_response
from collab.imports.table import ImportFileError, Table
from collab.models import ALL_ROLES
from collab.pages import HR_ONLY, paginate, tenant_page
from goals.access import access_kpi_by_id
from goals.forms import KPIFilterForm, KPIForm
from goals.models import KPI
from goals.selectors.kpis import kpi_counts, kpi_search
from goals.services import kpis as services

IMPORT_SESSION_KEY = "goals.kpi_import.{tenant}"


def _filtered(request) -> tuple[KPIFilterForm, object]:
    form = KPIFilterForm(request.GET or None)
    if not request.GET:
        return form, kpi_search()
    if form.is_valid():
        return form, kpi_search(**form.search_kwargs())
    return form, kpi_search().none()


@tenant_page(read=ALL_ROLES)
def kpi_list(request):
    form, queryset = _filtered(request)
    page = paginate(request, queryset)
    context = {"filter_form": form, "page": page, "counts": kpi_counts(), "filtered": bool(request.GET)}
    template = "goals/kpis/list.html#results" if request.htmx else "goals/kpis/list.html"
    return render(request, template, context)


@tenant_page(read=ALL_ROLES)
def kpi_export(request):
    form, queryset = _filtered(request)
    headers, rows = services.kpi_export_rows(queryset)
    content = export_xlsx(headers, rows, sheet_title=_("KPI library"))
    return xlsx_response(content, f"kpis-{request.tenant.slug}-{timezone.localdate():%Y%m%d}.xlsx")


def _save(request, form: KPIForm, kpi: KPI | None):
    if not form.is_valid():
        return None
    try:
        if kpi is None:
            return services.kpi_create(actor=request.user, data=form.service_data())
        return services.kpi_update(
            actor=request.user, kpi=kpi, data=form.service_data(),
            lock_version=form.cleaned_data.get("lock_version"),
        )
    except ValidationError as invalid:
        add_service_errors(form, invalid)
        return None
    except StaleEditError as stale:
        note_stale(form, stale)
        return None


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_create(request):
    form = KPIForm(request.POST or None)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("KPI %(kpi)s created.") % {"kpi": saved})
            return redirect("kpi-list", tenant_slug=request.tenant.slug)
    return render(request, "goals/kpis/form.html", {"form": form, "kpi": None})


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_edit(request, pk: int):
    kpi = access_kpi_by_id(request.membership, pk, write=request.method == "POST")
    form = KPIForm(request.POST or None, instance=kpi)
    if request.method == "POST":
        saved = _save(request, form, kpi)
        if saved is not None:
            messages.success(request, _("KPI %(kpi)s saved.") % {"kpi": saved})
            return redirect("kpi-list", tenant_slug=request.tenant.slug)
    return render(request, "goals/kpis/form.html", {"form": form, "kpi": kpi}, status=form_status(form))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_delete(request, pk: int):
    kpi = access_kpi_by_id(request.membership, pk, write=request.method == "POST")
    attempt = attempt_delete(
        request,
        lambda lock_version: services.kpi_delete(actor=request.user, kpi=kpi, lock_version=lock_version),
    )
    if attempt.done:
        messages.success(request, _("KPI %(kpi)s deleted.") % {"kpi": kpi})
        return redirect("kpi-list", tenant_slug=request.tenant.slug)
    status = 409 if attempt.stale else 200
    context = {"kpi": kpi, "error": attempt.error or None}
    return render(request, "goals/kpis/confirm_delete.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_import(request):
    """Step 1: upload → dry run (nothing written, row errors listed). Step 2: confirm → all or nothing.

    A rejected upload (unreadable file, row errors, an expired preview) answers 400 with the page.
    """
    session_key = IMPORT_SESSION_KEY.format(tenant=request.tenant.pk)
    form = ImportFileForm()
    context = {"form": form, "columns": services.KpiImport.columns, "result": None, "file_error": None}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            table = Table.from_data(request.session.get(session_key))
        except ImportFileError as expired:
            context["file_error"] = expired.message
            return render(request, "goals/kpis/import.html", context, status=400)
        result = services.kpis_import(actor=request.user, table=table, dry_run=False)
        if result.committed:
            request.session.pop(session_key, None)
            messages.success(request, _("%(n)s KPIs imported.") % {"n": result.written})
            return redirect("kpi-list", tenant_slug=request.tenant.slug)
        context.update(result=result, table=table)
        return render(request, "goals/kpis/import.html", context, status=400)
    status = 200
    if request.method == "POST":
        form = ImportFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                table = services.KpiImport().read(form.cleaned_data["file"])
            except ImportFileError as unreadable:
                context["file_error"] = unreadable.message
            else:
                result = services.kpis_import(actor=request.user, table=table, dry_run=True)
                if result.ok:
                    request.session[session_key] = table.to_data()
                else:
                    request.session.pop(session_key, None)
                context.update(result=result, table=table)
        rejected = form.errors or context["file_error"] or (context["result"] and not context["result"].ok)
        status = 400 if rejected else 200
    return render(request, "goals/kpis/import.html", context, status=status)
