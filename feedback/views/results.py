"""Review results pages: the results list (HR admins and auditors: every subject; managers: their units
and reports — "my unit's review results"; everyone: their own unit), one subject's analysis with its
charts and tables, its Excel export, and HR's response rates. Numbers only as released (k applied)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from collab.imports.export import export_xlsx, xlsx_response
from collab.pages import paginate, tenant_page
from feedback.access import (
    RESPONSE_RATE_READERS,
    RESULTS_ALL,
    access_result_subject_by_id,
    readable_result_subjects,
    result_detail_level,
    sees_attributed_rating,
)
from feedback.forms.results import ResponseRateFilterForm, ReviewResultFilterForm
from feedback.selectors.results.export import export_headers, export_rows
from feedback.selectors.results.rates import response_rates
from feedback.selectors.results.rows import result_rows, result_subjects
from feedback.selectors.results.shapes import anonymity_k, split_label
from feedback.selectors.results.subject import subject_results


@tenant_page()
def review_result_list(request):
    form = ReviewResultFilterForm(request.GET or None)
    filters = form.filters() if request.GET and form.is_valid() else {}
    subjects = readable_result_subjects(
        result_subjects(**filters), membership=request.membership, user=request.user
    )
    if request.GET and not form.is_valid():
        subjects = subjects.none()
    page = paginate(request, subjects)
    page.object_list = result_rows(page.object_list)
    context = {
        "filter_form": form, "page": page, "filtered": bool(request.GET), "k": anonymity_k(),
        "sees_all": request.membership.has_role(*RESULTS_ALL),
        "sees_rates": request.membership.has_role(*RESPONSE_RATE_READERS),
    }  # fmt: skip
    template = "feedback/results/list.html#results" if request.htmx else "feedback/results/list.html"
    return render(request, template, context)


def _result(request, pk):
    subject = access_result_subject_by_id(request.membership, request.user, pk)
    level = result_detail_level(subject, membership=request.membership, user=request.user)
    attributed = sees_attributed_rating(subject, membership=request.membership, user=request.user)
    return subject_results(subject, level=level, attributed=attributed)


def _charts(result) -> dict:
    """The charts' data (each chart also has a table in the page): dimension means, the business lines
    compared, the distribution, the trend — only shown numbers."""
    dims = [d.name for d in result.whole.dimensions]
    lines = [v for v in result.splits.get("business_line", []) if v.shown]
    return {
        "dimensions": {
            "labels": dims,
            "series": [{"name": _("All raters"), "values": [d.mean for d in result.whole.dimensions]}],
        },
        "lines": {
            "labels": dims,
            "series": [{"name": v.label, "values": [d.mean for d in v.dimensions]} for v in lines],
        },
        "distribution": {
            "labels": [d.name for d, _counts in result.distribution],
            "series": [
                {"name": str(point), "values": [counts[point - 1] for _d, counts in result.distribution]}
                for point in range(1, 6)
            ],
        },
        "trend": {
            "labels": [f"{p.period} · {p.campaign}" for p in result.trend],
            "values": [None if p.overall is None else round(p.overall, 2) for p in result.trend],
        },
    }


@tenant_page()
def review_result_detail(request, pk):
    result = _result(request, pk)
    splits = [(split, split_label(split), views) for split, views in result.splits.items()]
    context = {"result": result, "subject": result.subject, "splits": splits, "charts": _charts(result)}
    return render(request, "feedback/results/detail.html", context)


@tenant_page()
def review_result_export(request, pk):
    result = _result(request, pk)
    subject = result.subject
    name = subject.employee.name if subject.employee_id else subject.org_unit.name
    content = export_xlsx(export_headers(), export_rows(result), sheet_title=_("Review results"))
    campaign = slugify(subject.campaign.name) or subject.campaign_id
    filename = f"review-results-{campaign}-{slugify(name) or subject.pk}.xlsx"
    return xlsx_response(content, filename)


@tenant_page(read=RESPONSE_RATE_READERS)
def review_response_rates(request):
    form = ResponseRateFilterForm(request.GET or None)
    period = form.cleaned_data.get("period") if request.GET and form.is_valid() else None
    rows = (
        response_rates(period=period.pk if period else None)
        if not (request.GET and not form.is_valid())
        else []
    )
    page = paginate(request, rows)
    return render(request, "feedback/results/response_rates.html", {"filter_form": form, "page": page})
