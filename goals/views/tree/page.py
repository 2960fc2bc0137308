"""The goal tree page (nested list, chart, table) and the branches it loads on demand."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from collab.models import ALL_ROLES, Role
from collab.pages import id_param, paginate, tenant_page
from goals.access import access_goal_by_id
from goals.models import Perspective
from goals.selectors.tree import load as tree_load
from goals.selectors.tree import periods as tree_periods
from goals.selectors.tree import render as tree_render
from goals.views.tree.common import (
    VIEWS,
    _chains_above,
    _is_reader,
    _off_groups,
    _period_from_request,
    _visible_roots,
    _with_goals,
)


@tenant_page(read=ALL_ROLES)
def goal_tree(request):
    periods = tree_periods.tree_periods()
    period = _period_from_request(request, periods)
    view = request.GET.get("view", "tree")
    view = view if view in VIEWS else "tree"
    context: dict = {"periods": periods, "period": period, "view": view, "views": VIEWS}
    context["keep"] = [("view", view)]
    if period is None:
        return render(request, "goals/tree/tree.html", context)
    tree = tree_load.load_tree(period)
    roots = _visible_roots(request, tree)
    if roots is None:
        context.update(no_unit=True, tree=tree, roots=[])
        return render(request, "goals/tree/tree.html", context)
    focus_id = id_param(request.GET, "focus")
    focus = None
    if focus_id is not None:
        focus = tree.nodes.get(focus_id)
        if focus is None or not any(focus.path.startswith(r.path) for r in roots):
            raise Http404
        roots = [focus]
    can_build = request.membership.has_role(Role.HR_ADMIN) and not period.is_closed
    is_reader = _is_reader(request)
    context.update(
        tree=tree,
        roots=roots,
        goal_count=len(tree) if is_reader else sum(1 for _node in tree.walk(roots)),
        # An employee reads their unit's part; the goals above it say what that part feeds into.
        above=[] if is_reader or focus else _chains_above(roots),
        focus=focus,
        can_build=can_build,
        is_reader=is_reader,
        publication=tree_periods.tree_publication(period),
        off_groups=_off_groups(tree) if is_reader else [],
        # Copy from last period of the same kind, else from the newest period that has a tree.
        copy_from=tree_periods.previous_period_with_goals(period, periods) or _with_goals(periods, period),
        with_goals=_with_goals(periods, period),
        perspectives=Perspective.choices,
    )
    if view == "tree":
        context["items"] = tree_render.tree_items(roots)
    elif view == "chart":
        context["chart"] = tree_render.chart_data(tree, roots, str(period))
    else:
        query = request.GET.get("q", "")[:100]
        perspective = request.GET.get("perspective", "")
        perspective = perspective if perspective in Perspective.values else ""
        rows = tree_render.table_rows(tree, roots, query, perspective)
        context.update(page=paginate(request, rows), q=query,
                       perspective=perspective)
    return render(request, "goals/tree/tree.html", context)


@tenant_page(read=ALL_ROLES)
def goal_tree_children(request, pk: int):
    """htmx: the children of a collapsed node (with as many levels below as the budget allows)."""
    goal = access_goal_by_id(request.membership, pk)  # an employee: only a goal of their part of the tree
    tree = tree_load.load_tree(goal.period, under=goal.path)  # the branch is all this needs
    node = tree.nodes[goal.pk]
    context = {
        "items": tree_render.tree_items(node.children),
        "period": goal.period,
        "can_build": request.membership.has_role(Role.HR_ADMIN) and not goal.period.is_closed,
        "is_reader": _is_reader(request),
    }
    return render(request, "goals/tree/tree.html#nodes", context)
