"""The goal tree page (nested list, chart, table), the branches it loads on demand and its search."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from collab.access import access_period_by_id
from collab.models import ALL_ROLES, Role
from collab.page_cache import cached_value
from collab.pages import id_param, paginate, query_text, tenant_page
from goals.access import access_goal_by_id
from goals.models import Perspective
from goals.selectors.rollup_cache import period_rollup, scores_token
from goals.selectors.tree import branches, opening
from goals.selectors.tree import periods as tree_periods
from goals.selectors.tree import render as tree_render
from goals.views.tree.common import VIEWS, _is_reader, _period_from_request, _with_goals


def _offset(request) -> int:
    return id_param(request.GET, "offset") or 0


def _more_url(request, name: str, level: branches.Level, *args, **params) -> str:
    if level.next_offset is None:
        return ""
    url = reverse(name, args=[request.tenant.slug, *args])
    return f"{url}?{urlencode({**params, 'offset': level.next_offset})}"


def _search_context(request, period, query: str) -> dict:
    """A page of the goals matching `query` (what the reader may read), each with its path."""
    goals = opening.search(period, request.user, whole_tree=_is_reader(request), query=query)
    page = paginate(request, goals, per_page=branches.SEARCH_PAGE)
    found = branches.found_with_paths([goal.pk for goal in page.object_list], period_rollup(period))
    return {"q": query, "search_page": page, "found": found, "period": period}


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
    is_reader = _is_reader(request)
    context.update(
        can_build=request.membership.has_role(Role.HR_ADMIN) and not period.is_closed,
        is_reader=is_reader,
        node_urls=_node_urls(request, period),
        publication=tree_periods.tree_publication(period),
        # Copy from last period of the same kind, else from the newest period that has a tree.
        copy_from=tree_periods.previous_period_with_goals(period, periods) or _with_goals(periods, period),
        with_goals=_with_goals(periods, period),
        perspectives=Perspective.choices,
    )
    if view == "tree":
        query = query_text(request.GET)
        if request.htmx and request.htmx.target == "goal-search-results":  # the search, alone
            context.update(_search_context(request, period, query) if query else {"q": ""})
            return render(request, "goals/tree/tree.html#search_results", context)
        return _lazy_tree(request, period, context, query)
    focus_id = id_param(request.GET, "focus")
    focus = access_goal_by_id(request.membership, focus_id) if focus_id is not None else None
    if focus is not None and focus.period_id != period.pk:
        raise Http404
    goals = opening.visible_goals(period, request.user, whole_tree=is_reader, focus=focus)
    if goals is None:
        context.update(no_unit=True, roots=[])
        return render(request, "goals/tree/tree.html", context)
    rollup = period_rollup(period)
    context.update(
        has_goals=rollup.goals > 0,
        goal_count=rollup.goals if is_reader else goals.count(),
        focus=focus and branches.goal_node(focus, rollup),
        off_groups=opening.off_group_rows(rollup) if is_reader else [],
    )
    if view == "chart":
        drawn = opening.chart_tree(goals, rollup)
        context["roots"] = drawn.roots
        chart = tree_render.chart_data(None, drawn.roots, str(period))
        context["chart"] = {**chart, "truncated": drawn.truncated}
    else:
        query = query_text(request.GET)
        perspective = request.GET.get("perspective", "")
        perspective = perspective if perspective in Perspective.values else ""
        page = paginate(request, opening.table_goals(period, goals, query, perspective))
        rows = []
        for hit in branches.found_with_paths([goal.pk for goal in page.object_list], rollup):
            hit.node.parent = hit.path[-1] if hit.path else None
            rows.append(hit.node)
        page.object_list = rows
        # `roots`: whether there is anything to show at all (else the page says the period has no goals).
        context.update(page=page, q=query, perspective=perspective, roots=rows or context["goal_count"])
    return render(request, "goals/tree/tree.html", context)


def _lazy_tree(request, period, context: dict, query: str):
    """The nested tree: the reader's part opened one level, branches loaded on demand, and the search. What
    the tree shows changes only with a goals write (the scores stamp) or a name (the display generation):
    the opened part, rendered, is cached under them, the reader's part and the address
    (`collab.page_cache`); the search and the forms around it are read every time."""
    is_reader = context["is_reader"]
    focus_id = id_param(request.GET, "focus")
    focus = access_goal_by_id(request.membership, focus_id) if focus_id is not None else None
    if focus is not None and focus.period_id != period.pk:
        raise Http404
    membership = request.membership
    scope = request.GET.get("scope")

    def compute() -> dict:
        opened = opening.opening(
            period, request.user, whole_tree=is_reader, scope=scope, focus=focus,
            prefer_mine=membership.has_role(Role.MANAGER) and not membership.has_role(Role.HR_ADMIN),
        )  # fmt: skip
        if opened is None:
            return {"no_unit": True, "roots": []}
        level = opened.level
        shown = {
            "roots": bool(level.nodes),
            "has_goals": opened.rollup.goals > 0,
            "goal_count": opened.goal_count,
            "scope": opened.scope,
            "has_part": opened.has_part,
            "off_groups": opening.off_group_rows(opened.rollup) if is_reader else [],
            "focus": opened.focus and {"id": opened.focus.id, "label": opened.focus.label},
        }
        more_url = "" if opened.focus else _more_url(
            request, "goal-tree-level", level, period.pk, scope=opened.scope
        )
        tree_context = {
            **context, **shown, "items": tree_render.tree_items(level.nodes), "above": opened.above,
            "more_url": more_url,
        }  # fmt: skip
        shown["tree_view"] = render_to_string("goals/tree/tree.html#tree_view", tree_context, request=request)
        return shown

    # Keyed by the reader, not only their kind: the part a tree opens on is the reader's own (a manager's
    # unit), and so is whether they have one.
    shown = cached_value(
        request,
        page="goal-tree",
        stamp=scores_token(request.tenant.pk),
        vary=(
            period.pk, period.status, request.user.pk, focus_id, scope,
            getattr(context["copy_from"], "pk", None), getattr(context["with_goals"], "pk", None),
        ),  # fmt: skip
        compute=compute,
    )
    context.update(shown)
    if "tree_view" in shown:
        context["tree_view"] = mark_safe(shown["tree_view"])  # noqa: S308 - our template's output, cached
    if query:
        context.update(_search_context(request, period, query))
    return render(request, "goals/tree/tree.html", context)


def _node_urls(request, period) -> dict[str, str]:
    """The addresses a node's row links to, reversed once for the page (a node's own are `node` + its id +
    the action): a row reversed six per node, a quarter of the tree's render time."""
    slug = request.tenant.slug
    node = reverse("goal-tree-children", kwargs={"tenant_slug": slug, "pk": 1}).removesuffix("1/children/")
    return {
        "node": node,
        "trace": f"{reverse('goal-trace', kwargs={'tenant_slug': slug})}?period={period.pk}&goal=",
        "create": f"{reverse('goal-create', kwargs={'tenant_slug': slug, 'period_pk': period.pk})}?parent=",
    }


def _fragment_context(request, period, level: branches.Level, more_url: str) -> dict:
    return {
        "items": tree_render.tree_items(level.nodes, budget=0),
        "period": period,
        "can_build": request.membership.has_role(Role.HR_ADMIN) and not period.is_closed,
        "is_reader": _is_reader(request),
        "node_urls": _node_urls(request, period),
        "more_url": more_url,
    }


@tenant_page(read=ALL_ROLES)
def goal_tree_children(request, pk: int):
    """htmx: a page of the children of a collapsed node, each collapsed with its count."""
    goal = access_goal_by_id(request.membership, pk)  # an employee: only a goal of their part of the tree
    level = branches.children_level(goal.period, goal.pk, period_rollup(goal.period), _offset(request))
    more = _more_url(request, "goal-tree-children", level, goal.pk)
    return render(request, "goals/tree/tree.html#nodes", _fragment_context(request, goal.period, level, more))


@tenant_page(read=ALL_ROLES)
def goal_tree_level(request, period_pk: int):
    """htmx: the next page of the top list the page opened on (the top goals or the reader's part)."""
    period = access_period_by_id(request.membership, period_pk)
    scope = request.GET.get("scope")
    if not _is_reader(request) or scope not in opening.SCOPES:
        scope = opening.SCOPE_MINE
    paths = opening.part_paths_of(period, request.user) if scope == opening.SCOPE_MINE else []
    level = opening.top_level(period, period_rollup(period), scope, paths, _offset(request))
    more = _more_url(request, "goal-tree-level", level, period.pk, scope=scope)
    return render(request, "goals/tree/tree.html#nodes", _fragment_context(request, period, level, more))
