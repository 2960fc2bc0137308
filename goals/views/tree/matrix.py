"""The units × perspectives matrix page and the goals behind one of its cells."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from collab.access import access_period_by_id, access_unit_by_id
from collab.models import OrgUnit
from collab.pages import paginate, query_text, tenant_page
from goals.models import Perspective
from goals.selectors.tree import load as tree_load
from goals.selectors.tree import matrix as tree_matrix
from goals.selectors.tree import periods as tree_periods
from goals.views.tree.common import READERS, _period_from_request, _with_goals


@tenant_page(read=READERS)
def goal_matrix(request):
    periods = tree_periods.tree_periods()
    period = _period_from_request(request, periods)
    query = query_text(request.GET)
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgUnit.Kind.values else ""
    context: dict = {"periods": periods, "period": period, "q": query, "kind": kind,
                     "with_goals": _with_goals(periods, period),
                     "kinds": OrgUnit.Kind.choices, "perspectives": Perspective.choices}
    if period is not None:
        tree = tree_load.load_tree(period)
        rows = tree_matrix.matrix_rows(tree, query, kind)
        context.update(tree=tree, page=paginate(request, rows),
                       total_units=len(rows))
    partial = request.htmx and request.GET.get("part") == "results"
    return render(request, "goals/tree/matrix.html#results" if partial else "goals/tree/matrix.html", context)


@tenant_page(read=READERS)
def goal_matrix_cell(request, period_pk: int, unit_pk: int, perspective: str):
    """The goals behind one cell of the matrix (htmx fragment, or a page without htmx)."""
    period = access_period_by_id(request.membership, period_pk)
    unit = access_unit_by_id(request.membership, unit_pk)
    if perspective not in Perspective.values:
        raise Http404
    tree = tree_load.load_tree(period)
    goals = tree_matrix.matrix_cell_goals(tree, unit.pk, perspective)
    context = {"period": period, "unit": unit, "perspective": Perspective(perspective).label, "goals": goals}
    if request.htmx:
        return render(request, "goals/tree/form_page.html#matrix_cell", context)
    context["fragment"] = "goals/tree/form_page.html#matrix_cell"
    return render(request, "goals/tree/form_page.html", context)
