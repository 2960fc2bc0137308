"""Ledger pages: my points (every member), the ledger and its corrections (HR, auditors), yearly totals
per employee and unit with their Excel export (for promotion and awards)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.forms import add_service_errors
from collab.imports.export import export_xlsx, xlsx_response
from collab.models import ALL_ROLES
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, tenant_page
from collab.selectors.platform import member_linked_employee
from feedback.access import access_point_entry_by_id
from feedback.forms.points import CorrectionForm, YearForm
from feedback.selectors import points as selectors
from feedback.services.points import ledger as services


def _year_form(request) -> tuple[YearForm, int, str]:
    years = selectors.ledger_years()
    this_year = timezone.localdate().year
    if this_year not in years:
        years = sorted({*years, this_year}, reverse=True)
    form = YearForm(request.GET or None, years=years, initial={"year": this_year, "by": "employee"})
    year, by = this_year, "employee"
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("year") or this_year
        by = form.cleaned_data.get("by") or "employee"
    return form, year, by


@tenant_page(read=ALL_ROLES)
def point_mine(request):
    """My bonus and penalty points of a year: every entry and the total."""
    form, year, _by = _year_form(request)
    employee = member_linked_employee(request.membership)
    context = {"form": form, "year": year, "employee": employee, "mine": selectors.my_points(employee, year)}
    return render(request, "feedback/points/mine.html", context)


@tenant_page(read=HR_AND_AUDITOR)
def point_ledger(request):
    form, year, _by = _year_form(request)
    context = {"form": form, "year": year, "page": paginate(request, selectors.ledger_entries(year=year))}
    return render(request, "feedback/points/ledger.html", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def point_ledger_correct(request, pk: int):
    """A correction of an entry: a new entry, the corrected one stays as it was."""
    entry = access_point_entry_by_id(request.membership, pk, write=True)
    form = CorrectionForm(request.POST or None, initial={"points": f"{-entry.points:+g}"})
    if request.method == "POST" and form.is_valid():
        try:
            services.point_ledger_correct(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Correction entered in the ledger."))
            return redirect("point-ledger", tenant_slug=request.tenant.slug)
    context = {"form": form, "entry": entry}
    return render(request, "feedback/points/correct.html", context, status=400 if form.errors else 200)


@tenant_page(read=HR_AND_AUDITOR)
def point_totals(request):
    """The year's totals per employee or per unit, highest first (a list in memory: paged by number)."""
    form, year, by = _year_form(request)
    rows = selectors.yearly_totals(year, by=by)
    context = {"form": form, "year": year, "by": by, "page": paginate(request, rows)}
    return render(request, "feedback/points/totals.html", context)


@tenant_page(read=HR_AND_AUDITOR)
def point_totals_export(request):
    """The ranked totals as an Excel workbook, headers in the reader's language."""
    _form, year, by = _year_form(request)
    rows = selectors.yearly_totals(year, by=by)
    if by == "unit":
        headers = [_("Rank"), _("Unit code"), _("Unit"), _("Bonus points"), _("Penalty points"), _("Total"),
                   _("Entries")]  # fmt: skip
        cells = [
            [r["rank"], r["code"], r["name"], r["bonus"], r["penalty"], r["total"], r["entries"]]
            for r in rows
        ]
    else:
        headers = [_("Rank"), _("Employee number"), _("Employee"), _("Unit"), _("Bonus points"),
                   _("Penalty points"), _("Total"), _("Entries")]  # fmt: skip
        cells = [
            [r["rank"], r["code"], r["name"], r["unit"], r["bonus"], r["penalty"], r["total"], r["entries"]]
            for r in rows
        ]
    title = _("Points %(year)s") % {"year": year}
    content = export_xlsx(headers, cells, sheet_title=title)
    return xlsx_response(content, f"points-{year}-{by}.xlsx")
