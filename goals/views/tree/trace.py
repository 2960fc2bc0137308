"""The trace page: a KPI or goal followed down to every unit and position that contributes."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from collab.pages import id_param, paginate, tenant_page
from goals.access import access_kpi_by_id
from goals.selectors.tree import load as tree_load
from goals.selectors.tree import periods as tree_periods
from goals.selectors.tree import trace as tree_trace
from goals.views.tree.common import READERS, _period_from_request, _with_goals


@tenant_page(read=READERS)
def goal_trace(request):
    periods = tree_periods.tree_periods()
    period = _period_from_request(request, periods)
    context: dict = {"periods": periods, "period": period, "with_goals": _with_goals(periods, period)}
    if period is None:
        return render(request, "goals/tree/trace.html", context)
    tree = tree_load.load_tree(period)
    kpis = tree_trace.trace_kpis(tree)
    kpi_id, goal_id = id_param(request.GET, "kpi"), id_param(request.GET, "goal")
    if goal_id is not None and goal_id not in tree.nodes:
        raise Http404
    if kpi_id is not None and not any(k["id"] == kpi_id for k in kpis):
        access_kpi_by_id(request.membership, kpi_id)  # a KPI of no goal in this period: an empty trace
    if kpi_id is None and goal_id is None and kpis:
        kpi_id = kpis[0]["id"]
    context.update(tree=tree, kpis=kpis, kpi_id=kpi_id, goal_id=goal_id)
    if kpi_id is not None or goal_id is not None:
        roots = tree_trace.trace_roots(tree, kpi_id=None if goal_id else kpi_id, goal_id=goal_id)
        result = tree_trace.trace(tree, roots)
        goal = tree.nodes.get(goal_id) if goal_id else None
        # Where a trace starts is named against the whole tree: a "Finance" goal says whose Finance.
        units = tree_trace.unit_labels(tree.nodes.values())
        context.update(
            result=result,
            kpi=next((k for k in kpis if k["id"] == kpi_id), None) if goal_id is None else None,
            goal=goal,
            goal_label=goal.label_with(units) if goal else "",
            root_labels=[(root, root.label_with(units)) for root in roots[:5]],
            page=paginate(request, result.contributions),
            responsible=paginate(request, result.responsible, param="upage"),
        )
    return render(request, "goals/tree/trace.html", context)
