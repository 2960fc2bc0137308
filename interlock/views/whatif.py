"""What-if (HR admins and managers of a unit): a matrix's or a scorecard's scores recomputed with edited
rows in memory, beside the stored ones; writes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from collab.forms.editors import rows_from_post, split_errors
from collab.models import Period
from collab.pages import id_param, tenant_page
from collab.selectors.org import unit_picker_labels
from collab.selectors.periods import periods_ordered
from goals.access import access_kpi_by_id
from goals.models import KPI
from goals.selectors.kpis import kpi_options
from interlock import whatif
from interlock.access import (
    WHATIF_ROLES,
    access_whatif_scorecard,
    whatif_scope,
)
from interlock.forms import FLAG_CHOICES
from interlock.models import LineRole
from responsibility.access import access_matrix_by_id
from responsibility.models import MatrixRole, ResponsibilityMatrix
from responsibility.services.rows import ROW_FIELDS

LINE_FIELDS = ("kpi", "weight", "role", "threshold")


LINE_FIELDS = ("kpi", "weight", "role", "threshold")



def _matrix_target(data, membership) -> tuple[KPI | None, ResponsibilityMatrix | None]:
    """The KPI of a matrix what-if: `kpi`, or the KPI of `matrix` (the edited version)."""
    matrix_id = id_param(data, "matrix")
    matrix = access_matrix_by_id(membership, matrix_id) if matrix_id is not None else None
    kpi_id = id_param(data, "kpi")
    kpi = access_kpi_by_id(membership, kpi_id) if kpi_id is not None else (matrix.kpi if matrix else None)
    return kpi, matrix


def _whatif_period(data, periods: list[Period], matrix: ResponsibilityMatrix | None) -> Period | None:
    for name in ("period", "effective_from"):
        period_id = id_param(data, name)
        if period_id is not None:
            for period in periods:
                if period.pk == period_id:
                    return period
            raise Http404
    if matrix is not None:
        return matrix.effective_from
    return whatif.default_matrix_period(None, periods)


@tenant_page(read=WHATIF_ROLES, write=WHATIF_ROLES)
def whatif_page(request):
    """GET: the proposal form (a matrix's rows for a period, or a scorecard's lines and ρ), prefilled with
    what is stored. POST (from this page or from the matrix/scorecard editors, same field names): the
    scores before and after, side by side, and why none changes when none does. htmx requests get the
    result fragment only. Writes nothing. Managers compare their own units' scores only
    (`interlock.access.whatif_scope`)."""
    data = request.POST if request.method == "POST" else request.GET
    scope = whatif_scope(request.membership, request.user)
    periods = periods_ordered()
    scorecard_id = id_param(data, "scorecard")
    context: dict = {"periods": periods, "role_options": MatrixRole.choices, "line_roles": LineRole.choices}
    context["kpi_options"] = kpi_options()
    result = None
    errors: dict[int, dict] = {}
    general: list[str] = []
    if scorecard_id is not None:
        scorecard = access_whatif_scorecard(request.membership, request.user, scorecard_id)
        context.update(mode="scorecard", scorecard=scorecard, period=scorecard.period)
        if request.method == "POST":
            lines = rows_from_post(request.POST, prefix="lines", fields=LINE_FIELDS)
            rho = request.POST.get("review_weight", str(scorecard.review_weight))
            context.update(lines=lines, review_weight=rho)
            try:
                result = whatif.whatif_scorecard(scorecard, lines, rho)
            except ValidationError as invalid:
                errors, other = split_errors(invalid, prefix="lines")
                general = [m for ms in other.values() for m in ms]
        else:
            context.update(
                lines=whatif.stored_scorecard_lines(scorecard),
                review_weight=f"{scorecard.review_weight.normalize():f}",
            )
    else:
        kpi, matrix = _matrix_target(data, request.membership)
        period = _whatif_period(data, periods, matrix)
        context.update(mode="matrix", kpi=kpi, matrix=matrix, period=period)
        if kpi is not None and period is not None:
            if request.method == "POST":
                rows = rows_from_post(request.POST, fields=ROW_FIELDS)
                context["rows"] = rows
                try:
                    result = whatif.whatif_matrix(period, kpi, rows, scope=scope)
                except ValidationError as invalid:
                    errors, other = split_errors(invalid)
                    general = [m for ms in other.values() for m in ms]
            else:
                context["rows"] = whatif.stored_matrix_rows(kpi, period)
        elif request.method == "POST":
            general = [_("Choose the KPI and the period to compare.")]
    # The rows' unit pickers show only their chosen unit (one query); pickers.js searches the rest.
    unit_labels = unit_picker_labels(row.get("org_unit") for row in context.get("rows", []))
    for row in context.get("rows", []):
        row["org_unit_label"] = unit_labels.get(str(row.get("org_unit", "")).strip(), "")
    labels = dict(FLAG_CHOICES)
    context["changes"] = [
        {
            "c": change,
            "before": [str(labels.get(code, code)) for code in change.flags_before],
            "after": [str(labels.get(code, code)) for code in change.flags_after],
        }
        for change in (result.changes if result else [])
    ]
    context.update(
        result=result,
        row_errors=errors,
        general=general,
        unit_base=reverse("dashboard-unit-detail", kwargs={"tenant_slug": request.tenant.slug, "pk": 1})[:-2],
    )
    if request.htmx and request.method == "POST":
        return render(request, "interlock/dashboards/whatif.html#result", context)
    return render(request, "interlock/dashboards/whatif.html", context)
