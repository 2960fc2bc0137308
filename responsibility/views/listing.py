"""The list of collaborative KPIs with the matrix version in effect for the chosen period."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from collab.models import ALL_BUT_EMPLOYEES, Role
from collab.pages import paginate, tenant_page
from collab.selectors.periods import default_period, periods_ordered
from responsibility.forms import MatrixFilterForm
from responsibility.models import MatrixRow
from responsibility.selectors import matrices_by_id, matrix_effective_ids, matrix_kpis


@tenant_page(read=ALL_BUT_EMPLOYEES)
def matrix_list(request):
    """Collaborative KPIs (and any KPI with a matrix) with the version in effect for the chosen period."""
    periods = periods_ordered()
    form = MatrixFilterForm(request.GET or None)
    period, query, scope = None, "", ""
    if form.is_bound and form.is_valid():
        period, query, scope = form.cleaned_data["period"], form.cleaned_data["q"], form.cleaned_data["scope"]
    elif form.is_bound:
        raise Http404
    period = period or default_period(periods)
    page = paginate(request, matrix_kpis(query=query, scope=scope))
    effective = matrix_effective_ids(period) if period is not None else {}
    matrices = matrices_by_id(effective[k.pk] for k in page if k.pk in effective)
    rows_by_matrix: dict[int, list[MatrixRow]] = {pk: list(m.rows.all()) for pk, m in matrices.items()}
    items = []
    for kpi in page:
        matrix = matrices.get(effective.get(kpi.pk))
        items.append(
            {"kpi": kpi, "matrix": matrix, "rows": rows_by_matrix.get(matrix.pk, []) if matrix else []}
        )
    context = {
        "filter_form": form,
        "periods": periods,
        "period": period,
        "page": page,
        "items": items,
        "q": query,
        "scope": scope,
        "can_edit": request.membership.has_role(Role.HR_ADMIN),
    }
    return render(request, "responsibility/list.html", context)
