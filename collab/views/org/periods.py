"""The period list and a period's create, edit, advance and delete pages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from collab.access import access_period_by_id
from collab.forms import org as forms
from collab.imports.export import export_xlsx, xlsx_response
from collab.models import Period
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, tenant_page
from collab.selectors import org as selectors
from collab.services.org import periods as services_periods
from collab.services.org.periods import period_update
from collab.views.org.shared import (
    _delete_page,
    _done,
    _locked_form,
    _render_panel,
    _save_page,
    _url,
    _wants_export,
)


# ----- periods -----
@tenant_page(read=HR_AND_AUDITOR)
def period_list(request):
    filters = forms.PeriodFilterForm(request.GET)
    queryset = selectors.periods(status=filters.value("status", ""), year=filters.value("year"))
    if _wants_export(request):
        rows = (
            (p.label, p.get_kind_display(), p.year, p.quarter, p.month, p.get_status_display())
            for p in queryset
        )
        headers = [_("Period"), _("Kind"), _("Year"), _("Quarter"), _("Month"), _("Status")]
        return xlsx_response(export_xlsx(headers, rows, sheet_title=_("Periods")), "periods.xlsx")
    page = paginate(request, queryset)
    for period in page:
        period.next_status = Period.NEXT_STATUS.get(period.status)
        period.next_label = Period.Status(period.next_status).label if period.next_status else ""
    return render(request, "collab/org/periods.html", {"filters": filters, "page": page})


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_create(request):
    listing = _url(request, "period-list")
    form = forms.PeriodForm(request.POST or None)
    return _save_page(
        request,
        form,
        lambda data: services_periods.period_create(actor=request.user, **data),
        done_message=lambda period: _("Added the period %(period)s, in planning.") % {"period": period.label},
        title=_("Add a period"),
        action=_url(request, "period-create"),
        cancel=listing,
        submit=_("Add"),
        intro=_("A new period starts in planning; advance it to active when it begins."),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_edit(request, pk: int):
    period = access_period_by_id(request.membership, pk, write=True)
    listing = _url(request, "period-list")
    initial = {"kind": period.kind, "year": period.year, "quarter": period.quarter, "month": period.month}
    form = _locked_form(forms.PeriodForm(request.POST or None, initial=initial), period)
    locked = ""
    if period.status != Period.Status.PLANNING:
        # Once a period has started, scores, goals and measurements hang on its kind and dates: every field
        # is shown read-only with the reason. A POST still goes to the service, which refuses it (400).
        for field in ("kind", "year", "quarter", "month"):
            form.fields[field].disabled = True
        locked = _(
            "%(period)s is %(status)s: its kind, year, quarter and month are fixed, because goals, "
            "measurements and scores already refer to it. Only a period in planning can be edited; "
            "to move it on, use the period list's next-step button."
        ) % {"period": period.label, "status": period.get_status_display()}
    return _save_page(
        request,
        form,
        lambda data: period_update(actor=request.user, period=period, **data),
        done_message=lambda saved: _("Saved the period %(period)s.") % {"period": saved.label},
        title=_("Edit the period %(period)s") % {"period": period.label},
        action=_url(request, "period-edit", pk=period.pk),
        cancel=listing,
        locked=locked,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_advance(request, pk: int):
    period = access_period_by_id(request.membership, pk, write=True)
    listing = _url(request, "period-list")
    next_status = Period.NEXT_STATUS.get(period.status)
    error = ""
    if request.method == "POST":
        form = forms.PeriodAdvanceForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Confirm the change on this page."))
            period = services_periods.period_advance(
                actor=request.user, period=period, to_status=form.cleaned_data["to_status"]
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return _done(
                request,
                listing,
                _("%(period)s is now %(status)s.")
                % {"period": period.label, "status": period.get_status_display()},
            )
    context = {
        "period": period,
        "next_status": next_status,
        "next_label": Period.Status(next_status).label if next_status else "",
        "error": error or ("" if next_status else _("This period is closed; it cannot change any more.")),
        "cancel": listing,
    }
    return _render_panel(request, "collab/org/period_advance.html", context, status=400 if error else 200)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_delete(request, pk: int):
    period = access_period_by_id(request.membership, pk, write=True)
    return _delete_page(
        request,
        period,
        lambda lock_version: services_periods.period_delete(
            actor=request.user, period=period, lock_version=lock_version
        ),
        done=_("Deleted the period %(period)s.") % {"period": period.label},
        title=_("Delete the period %(period)s") % {"period": period.label},
        question=_("Delete the period %(period)s? Only a period still in planning can be deleted.")
        % {"period": period.label},
        action=_url(request, "period-delete", pk=period.pk),
        cancel=_url(request, "period-list"),
    )
