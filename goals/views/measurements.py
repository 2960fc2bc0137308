"""Measurement pages: the grid of one period (KPIs × target/actual, saved row by row through htmx), the
Excel/CSV import (dry run, then all or nothing) and the export.

Every member reads the grid (one agreed number everyone sees); HR admins write. A closed period is
read-only: the grid shows values only and the write routes refuse with the period's message.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from collab.access import access_period_by_id
from collab.concurrency import StaleEditError
from collab.forms import ImportFileForm, add_service_errors, form_status, note_stale
from collab.imports.export import export_xlsx, xlsx_response
from collab.imports.table import ImportFileError, Table
from collab.models import ALL_ROLES, Period
from collab.pages import HR_ONLY, paginate, tenant_page
from collab.selectors.periods import default_period, periods_ordered
from goals.access import access_kpi_by_id
from goals.engine.common import BAND_NONE
from goals.forms import MeasurementFilterForm, MeasurementForm
from goals.selectors import scores as selectors
from goals.selectors.measurements import any_kpis, grid_kpis, grid_periods, stored_measurements
from goals.services.measurements.importing import MeasurementImport
from goals.services.measurements.writes import measurement_upsert

IMPORT_SESSION_KEY = "measurement-import:{tenant}:{period}"


# ----- helpers ---------------------------------------------------------------------------------------------


def _can_write(request, period: Period) -> bool:
    return request.membership.has_role(*HR_ONLY) and not period.is_closed


def _rows(period: Period, kpis, forms_by_kpi: dict | None = None) -> list[dict]:
    """Grid rows for these KPIs: the stored measurement, the effective values, score and band (2 queries)."""
    kpis = list(kpis)
    stored = stored_measurements(period, kpis)
    values = selectors.kpi_values(period, kpis)
    rows = []
    for kpi in kpis:
        measurement = stored.get(kpi.pk)
        value = values.get(kpi.pk)
        form = (forms_by_kpi or {}).get(kpi.pk) or MeasurementForm(
            initial={
                "target": _number(measurement.target) if measurement else "",
                "actual": _number(measurement.actual) if measurement else "",
                "note": measurement.note if measurement else "",
                "lock_version": measurement.lock_version if measurement else None,
            },
            prefix_id=f"m{kpi.pk}-",
        )
        band = value.band if value else BAND_NONE
        rows.append(
            {"kpi": kpi, "measurement": measurement, "value": value, "form": form, "band": band,
             "band_label": selectors.BAND_LABELS[band], "css": selectors.BAND_CSS[band]}
        )
    return rows


def _number(value) -> str:
    """A stored Decimal without trailing zeros (90.0000 → 90), never in exponent notation."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _closed_message(period: Period) -> str:
    return _("The period %(period)s is closed and read-only.") % {"period": period.label}


def _grid_url(request, period: Period) -> str:
    return reverse("measurement-grid", kwargs={"tenant_slug": request.tenant.slug, "period_pk": period.pk})


# ----- pages -----------------------------------------------------------------------------------------------


@tenant_page(read=ALL_ROLES)
def measurement_index(request):
    """The grid of the current period (active first), or an empty state when there is no period."""
    period = default_period(periods_ordered())  # no data yet decides: the active period that started last
    if period is not None:
        return redirect("measurement-grid", tenant_slug=request.tenant.slug, period_pk=period.pk)
    return render(request, "goals/measurements/no_period.html", {})


@tenant_page(read=ALL_ROLES)
def measurement_grid(request, period_pk: int):
    period = access_period_by_id(request.membership, period_pk)
    filter_form = MeasurementFilterForm(request.GET or None)
    kpis = grid_kpis(period, filter_form.filters())
    page = paginate(request, kpis)
    context = {
        "period": period,
        "periods": grid_periods(),
        "filter_form": filter_form,
        "page": page,
        "rows": _rows(period, page.object_list),
        "can_write": _can_write(request, period),
        "is_hr": request.membership.has_role(*HR_ONLY),
        "derived": period.kind != Period.Kind.MONTH,
        "has_kpis": any_kpis() if not page.object_list else True,
    }
    template = "goals/measurements/grid.html"
    if request.htmx and request.htmx.target == "measurement-results":
        template += "#results"
    return render(request, template, context)


@tenant_page(read=ALL_ROLES, write=HR_ONLY)
def measurement_row(request, period_pk: int, kpi_pk: int):
    """One KPI in a period: GET shows it (a grid row for htmx, else an edit page), POST saves it."""
    period = access_period_by_id(request.membership, period_pk)
    kpi = access_kpi_by_id(request.membership, kpi_pk)
    form = None
    saved = False
    if request.method == "POST":
        form = MeasurementForm(request.POST, prefix_id=f"m{kpi.pk}-")
        if period.is_closed:
            form.is_valid()
            form.add_error(None, _closed_message(period))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                measurement_upsert(
                    actor=request.user,
                    kpi=kpi,
                    period=period,
                    target=data["target"],
                    actual=data["actual"],
                    note=data["note"],
                    lock_version=data.get("lock_version") or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except StaleEditError as stale:
                note_stale(form, stale)
            else:
                saved = True
                form = None
        if saved and not request.htmx:
            message = _("Saved %(kpi)s for %(period)s.") % {"kpi": kpi.code, "period": period.label}
            messages.success(request, message)
            return redirect(_grid_url(request, period))
    row = _rows(period, [kpi], {kpi.pk: form} if form is not None else None)[0]
    context = {
        "period": period,
        "row": row,
        "can_write": _can_write(request, period),
        "saved": saved,
        "derived": period.kind != Period.Kind.MONTH,
    }
    status = form_status(form)
    if request.htmx:
        return render(request, "goals/measurements/grid.html#row", context, status=status)
    return render(request, "goals/measurements/edit.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def measurement_import(request, period_pk: int):
    """Step 1: upload → dry run (row errors, nothing written). Step 2: confirm → all or nothing.

    A rejected upload (closed period, unreadable file, row errors, an expired preview) answers 400.
    """
    period = access_period_by_id(request.membership, period_pk)
    session_key = IMPORT_SESSION_KEY.format(tenant=request.tenant.pk, period=period.pk)
    importer = MeasurementImport(period)
    context = {
        "period": period,
        "form": ImportFileForm(),
        "columns": importer.columns,
        "result": None,
        "file_error": None,
        "closed": period.is_closed,
    }
    if period.is_closed:
        if request.method == "POST":
            context["file_error"] = _closed_message(period)
            return render(request, "goals/measurements/import.html", context, status=400)
        return render(request, "goals/measurements/import.html", context)
    if request.method == "POST" and "confirm" in request.POST:
        try:
            table = Table.from_data(request.session.get(session_key))
        except ImportFileError as expired:
            context["file_error"] = expired.message
            return render(request, "goals/measurements/import.html", context, status=400)
        result = importer.commit(table, actor=request.user)
        if result.committed:
            request.session.pop(session_key, None)
            messages.success(request, _("%(n)s measurements imported.") % {"n": result.written})
            return redirect(_grid_url(request, period))
        context.update(result=result, table=table)
        return render(request, "goals/measurements/import.html", context, status=400)
    status = 200
    if request.method == "POST":
        form = ImportFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                table = importer.read(form.cleaned_data["file"])
            except ImportFileError as unreadable:
                context["file_error"] = unreadable.message
                request.session.pop(session_key, None)
            else:
                result = importer.dry_run(table)
                if result.ok:
                    request.session[session_key] = table.to_data()
                else:
                    request.session.pop(session_key, None)
                context.update(result=result, table=table)
        rejected = form.errors or context["file_error"] or (context["result"] and not context["result"].ok)
        status = 400 if rejected else 200
    return render(request, "goals/measurements/import.html", context, status=status)


@tenant_page(read=ALL_ROLES)
def measurement_export(request, period_pk: int):
    """The grid (with its filters) as Excel, or CSV with ?format=csv; it is also a valid import file."""
    period = access_period_by_id(request.membership, period_pk)
    filter_form = MeasurementFilterForm(request.GET or None)
    kpis = list(grid_kpis(period, filter_form.filters()))
    stored = stored_measurements(period)
    values = selectors.kpi_values(period, kpis)
    derived = period.kind != Period.Kind.MONTH
    headers = [_("KPI code"), _("KPI name"), pgettext("unit of measure", "Unit"), _("Direction"), _("Target"),
               _("Actual")]
    if derived:
        headers += [_("Effective target"), _("Effective actual")]
    headers += [_("Score"), _("Band"), _("Note")]
    band_labels = selectors.BAND_LABELS
    rows = []
    for kpi in kpis:
        measurement = stored.get(kpi.pk)
        value = values.get(kpi.pk)
        row = [
            kpi.code,
            kpi.name,
            kpi.unit,
            str(kpi.get_direction_display()),
            measurement.target if measurement else None,
            measurement.actual if measurement else None,
        ]
        if derived:
            row += [value.target if value else None, value.actual if value else None]
        band = value.band if value else BAND_NONE
        note = measurement.note if measurement else ""
        row += [value.score if value else None, str(band_labels[band]), note]
        rows.append(row)
    filename = f"measurements-{period.label.replace(' ', '-')}"
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(h) for h in headers])
        for row in rows:
            writer.writerow(["" if cell is None else _csv_safe(cell) for cell in row])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    content = export_xlsx([str(h) for h in headers], rows, sheet_title=period.label)
    return xlsx_response(content, f"{filename}.xlsx")


def _csv_safe(cell) -> str:
    """Text that a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    if isinstance(cell, str):
        return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
    if isinstance(cell, float):
        return str(cell)
    return _number(cell)
