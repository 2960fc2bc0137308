"""The process KPI pages: a KPI's page (every member: its series as a chart with the expected band and as a
paged table, its static lines, the verdict on the latest point in words; HR: a point added or corrected by
hand), HR's editor (new under a process — the stage among its stages —, edit, delete) and the import of
points from Excel or CSV (dry run, then all or nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alerts.access import access_process_by_id, access_process_kpi_by_id
from alerts.forms.kpis import KpiPointForm, ProcessKpiForm
from alerts.models import PointSource
from alerts.selectors.kpis import kpi_points, series_verdict
from alerts.selectors.processes import process_stages
from alerts.services import kpis as services
from alerts.services.kpi_import import KpiPointImport, kpi_points_import
from collab.forms import ImportFileForm, attempt_delete, form_status, save_form
from collab.imports.table import ImportFileError, Table
from collab.pages import HR_ONLY, paginate, tenant_page

IMPORT_SESSION_KEY = "alerts.kpi_point_import.{tenant}"


def _detail(request, kpi, *, point_form=None, status: int = 200):
    verdict = series_verdict(kpi)
    page = paginate(request, kpi_points(kpi, newest_first=True))
    bands = {bucket["at"]: bucket for bucket in verdict.buckets}
    for point in page:  # the table shows each point's expected range beside it, as the chart does
        point.band = bands.get(point.at, {})
    context = {
        "kpi": kpi, "process": kpi.stage.process, "verdict": verdict, "page": page,
        "chart": {**verdict.chart(), "names": {"value": _("Value"), "amber": _("Amber line"),
                                               "red": _("Red line"), "flagged": _("Flagged")}},
        "point_form": point_form or KpiPointForm(),
    }  # fmt: skip
    return render(request, "alerts/kpi/detail.html", context, status=status)


@tenant_page()
def kpi_detail(request, pk: int):
    return _detail(request, access_process_kpi_by_id(request.membership, pk))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_point_write(request, pk: int):
    """One point by hand (source "entered by hand"): a new period, or a correction of a stored one."""
    kpi = access_process_kpi_by_id(request.membership, pk, write=True)
    if request.method != "POST":
        return redirect("process-kpi-detail", tenant_slug=request.tenant.slug, pk=kpi.pk)
    form = KpiPointForm(request.POST)

    def save(data):
        row = {"kpi": kpi, "at": data["at"], "value": data["value"]}
        return services.kpi_points_write(actor=request.user, kpi_rows=[row], source=PointSource.MANUAL)

    field_map = {f"points-0-{name}": name for name in ("at", "value", "kpi")}
    if save_form(request, form, save, field_map) is not None:
        messages.success(request, _("Point saved."))
        return redirect("process-kpi-detail", tenant_slug=request.tenant.slug, pk=kpi.pk)
    return _detail(request, kpi, point_form=form, status=400)


def _editor(request, process, kpi, form):
    def save(_data):
        if kpi is None:
            return services.process_kpi_create(actor=request.user, data=form.service_data())
        return services.process_kpi_update(
            actor=request.user, kpi=kpi, data=form.service_data(),
            lock_version=form.cleaned_data.get("lock_version"),
        )  # fmt: skip

    saved = save_form(request, form, save)
    if saved is not None:
        messages.success(request, _("KPI %(code)s saved.") % {"code": saved.code})
        return redirect("process-kpi-detail", tenant_slug=request.tenant.slug, pk=saved.pk)
    failed = request.method == "POST"
    context = {"form": form, "process": process, "kpi": kpi}
    return render(request, "alerts/kpi/form.html", context,
                  status=form_status(form, status=400 if failed else 200))  # fmt: skip


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_create(request, pk: int):
    """A new KPI of one of the process's stages (`?stage=` preselects it)."""
    process = access_process_by_id(request.membership, pk, write=True)
    stages = process_stages(process)
    initial = {"stage": request.GET.get("stage", "")}
    form = ProcessKpiForm(request.POST or None, stages=stages, initial=initial)
    return _editor(request, process, None, form)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_edit(request, pk: int):
    kpi = access_process_kpi_by_id(request.membership, pk, write=True)
    process = kpi.stage.process
    initial = {
        "stage": kpi.stage_id, "code": kpi.code, "name": kpi.name, "unit_label": kpi.unit_label,
        "granularity": kpi.granularity, "direction": kpi.direction,
        "amber": "" if kpi.amber is None else f"{kpi.amber.normalize():f}",
        "red": "" if kpi.red is None else f"{kpi.red.normalize():f}",
        "description": kpi.description, "is_active": kpi.is_active, "lock_version": kpi.lock_version,
    }  # fmt: skip
    form = ProcessKpiForm(request.POST or None, stages=process_stages(process), initial=initial)
    return _editor(request, process, kpi, form)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_delete(request, pk: int):
    kpi = access_process_kpi_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(
        request,
        lambda version: services.process_kpi_delete(actor=request.user, kpi=kpi, lock_version=version),
    )
    if attempt.done:
        messages.success(request, _("KPI %(code)s deleted.") % {"code": kpi.code})
        return redirect("process-detail", tenant_slug=request.tenant.slug, pk=kpi.stage.process_id)
    context = {"kpi": kpi, "error": attempt.error or None}
    return render(request, "alerts/kpi/confirm_delete.html", context, status=attempt.status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def kpi_import(request):
    """Step 1: upload → dry run (nothing written). Step 2: confirm → all or nothing (400 with the page when
    refused)."""
    session_key = IMPORT_SESSION_KEY.format(tenant=request.tenant.pk)
    form = ImportFileForm()
    context = {"form": form, "columns": KpiPointImport.columns, "result": None, "file_error": None}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            table = Table.from_data(request.session.get(session_key))
        except ImportFileError as expired:
            context["file_error"] = expired.message
            return render(request, "alerts/kpi/import.html", context, status=400)
        result = kpi_points_import(actor=request.user, table=table, dry_run=False)
        if result.committed:
            request.session.pop(session_key, None)
            messages.success(request, _("%(n)s points imported.") % {"n": result.total})
            return redirect("process-list", tenant_slug=request.tenant.slug)
        context.update(result=result, table=table)
        return render(request, "alerts/kpi/import.html", context, status=400)
    status = 200
    if request.method == "POST":
        form = ImportFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                table = KpiPointImport().read(form.cleaned_data["file"])
            except ImportFileError as unreadable:
                context["file_error"] = unreadable.message
            else:
                result = kpi_points_import(actor=request.user, table=table, dry_run=True)
                if result.ok:
                    request.session[session_key] = table.to_data()
                else:
                    request.session.pop(session_key, None)
                context.update(result=result, table=table)
        rejected = form.errors or context["file_error"] or (context["result"] and not context["result"].ok)
        status = 400 if rejected else 200
    return render(request, "alerts/kpi/import.html", context, status=status)

