"""Goal tree pages: the tree builder (nested list, chart and table), the units × perspectives matrix and
the trace of a KPI down to every unit and position that contributes.

HR admins build; managers, committee members and auditors read; an employee reads the part of the tree
that belongs to their unit (tree page only). Every page loads the period's tree once
(`goals.selectors.tree.load_tree`) and builds what it shows in Python, so the number of queries does not
grow with the tree. Builder forms are htmx fragments loaded into a side panel; without htmx they are
plain pages.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import add_service_errors
from collab.models import ALL_ROLES, OrgUnit, Period, Position, Role
from collab.pages import HR_ONLY, get_scoped_or_404, id_param, paginate, tenant_page
from collab.routing import parse_id
from collab.selectors.periods import default_period
from goals.forms import CopyForm, DeleteForm, GoalForm, MoveForm
from goals.models import KPI, Goal, Perspective
from goals.selectors import tree as selectors
from goals.services import tree as services

READERS = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.COMMITTEE, Role.AUDITOR})
PARENT_OPTIONS = 200  # candidate parents listed at once in the move form (the search narrows them)
VIEWS = ("tree", "chart", "table")


# --------------------------------------------------------------------------------------------- helpers




def _period_from_request(request, periods: list[Period]) -> Period | None:
    wanted = id_param(request.GET, "period")
    if wanted is None:
        return default_period(periods, selectors.periods_with_goals(periods))
    for period in periods:
        if period.pk == wanted:
            return period
    raise Http404


def _tree_url(request, period: Period | None, **extra) -> str:
    params = {"period": period.pk} if period is not None else {}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    url = reverse("goal-tree", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?{urlencode(params)}" if params else url


def _done(request, period: Period, message: str, focus: int | None = None) -> HttpResponse:
    """After a successful builder action: back to the tree (htmx reloads the page)."""
    messages.success(request, message)
    url = _tree_url(request, period, focus=focus)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _form_response(request, template: str, context: dict) -> HttpResponse:
    """A builder form: the fragment for htmx, else a full page around it."""
    if request.htmx:
        return render(request, template, context)
    return render(request, "goals/tree/form_page.html", {**context, "fragment": template})


def _is_reader(request) -> bool:
    return request.membership.has_role(*READERS)


def _require_reader(request) -> None:
    if not _is_reader(request):
        raise PermissionDenied


def _visible_roots(request, tree: selectors.Tree) -> list[selectors.Node] | None:
    """What this member may read of the tree: all of it, or (employee) their unit's part; None = nothing."""
    if _is_reader(request):
        return tree.roots
    unit_path = selectors.employee_unit_path(request.user)
    if unit_path is None:
        return None
    return selectors.restrict_to_unit(tree, unit_path)


def _with_goals(periods: list[Period], period: Period | None) -> Period | None:
    """When `period` has no goals: the period an empty page offers instead (the newest with a tree)."""
    with_goals = selectors.periods_with_goals(periods)
    if period is None or period.has_goals or not with_goals:
        return None
    return default_period(periods, with_goals)


def _chains_above(roots: list[selectors.Node]) -> list[list[selectors.Node]]:
    """The chain of goals above each visible top goal, each chain once (siblings share theirs)."""
    chains: dict[int, list[selectors.Node]] = {}
    for root in roots:
        if root.parent is not None and root.parent_id not in chains:
            chains[root.parent_id] = root.ancestors()
    return list(chains.values())


def _off_groups(tree: selectors.Tree) -> list[dict]:
    """Each sibling group off 100: its parent goal (id and label; None for the top level) and sum. The
    labels tell apart same-named units (each subsidiary's "Finance"): the list has no tree around it."""
    groups = tree.off_groups()
    units = selectors.unit_labels(parent for parent, _total in groups if parent is not None)
    return [
        {"parent": parent.id if parent else None, "label": parent.label_with(units) if parent else None,
         "total": total}
        for parent, total in groups
    ]


def _goal_label(goal: Goal) -> str:
    holder = goal.org_unit.name + (f" / {goal.position.title}" if goal.position_id else "")
    return f"{holder} · {goal.kpi.code} {goal.kpi.name}"


# --------------------------------------------------------------------------------------------- tree page


@tenant_page(read=ALL_ROLES)
def goal_tree(request):
    periods = selectors.tree_periods()
    period = _period_from_request(request, periods)
    view = request.GET.get("view", "tree")
    view = view if view in VIEWS else "tree"
    context: dict = {"periods": periods, "period": period, "view": view, "views": VIEWS}
    context["keep"] = [("view", view)]
    if period is None:
        return render(request, "goals/tree/tree.html", context)
    tree = selectors.load_tree(period)
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
        publication=selectors.tree_publication(period),
        off_groups=_off_groups(tree) if is_reader else [],
        # Copy from last period of the same kind, else from the newest period that has a tree.
        copy_from=selectors.previous_period_with_goals(period, periods) or _with_goals(periods, period),
        with_goals=_with_goals(periods, period),
        perspectives=Perspective.choices,
    )
    if view == "tree":
        context["items"] = selectors.tree_items(roots)
    elif view == "chart":
        context["chart"] = selectors.chart_data(tree, roots, str(period))
    else:
        query = request.GET.get("q", "")[:100]
        perspective = request.GET.get("perspective", "")
        perspective = perspective if perspective in Perspective.values else ""
        rows = selectors.table_rows(tree, roots, query, perspective)
        context.update(page=paginate(request, rows), q=query,
                       perspective=perspective)
    return render(request, "goals/tree/tree.html", context)


@tenant_page(read=ALL_ROLES)
def goal_tree_children(request, pk: int):
    """htmx: the children of a collapsed node (with as many levels below as the budget allows)."""
    goal = get_scoped_or_404(Goal.objects.select_related("period"), pk)
    if _is_reader(request):
        tree = selectors.load_tree(goal.period, under=goal.path)  # the branch is all this needs
        node = tree.nodes[goal.pk]
    else:
        tree = selectors.load_tree(goal.period)
        roots = _visible_roots(request, tree)
        node = tree.nodes[goal.pk]
        if roots is None or not any(node.path.startswith(r.path) for r in roots):
            raise Http404
    context = {
        "items": selectors.tree_items(node.children),
        "period": goal.period,
        "can_build": request.membership.has_role(Role.HR_ADMIN) and not goal.period.is_closed,
        "is_reader": _is_reader(request),
    }
    return render(request, "goals/tree/tree.html#nodes", context)


# --------------------------------------------------------------------------------------------- builder


def _positions_follow_unit(request, form: GoalForm) -> None:
    """Choosing a unit reloads the position choices (htmx)."""
    form.fields["org_unit"].widget.attrs.update({
        "hx-get": reverse("goal-position-options", kwargs={"tenant_slug": request.tenant.slug}),
        "hx-target": "#id_position",
        "hx-trigger": "change",
        "hx-swap": "innerHTML",
    })


def _closed_refusal(request, period: Period) -> HttpResponse | None:
    if period.is_closed:
        return _form_response(request, "goals/tree/tree.html#closed", {"period": period})
    return None


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_create(request, period_pk: int):
    period = get_scoped_or_404(Period, period_pk)
    parent_id = id_param(request.GET, "parent")
    parent = None
    if parent_id is not None:
        in_period = Goal.objects.filter(period=period).select_related("org_unit", "kpi", "position")
        parent = get_scoped_or_404(in_period, parent_id)
    refusal = _closed_refusal(request, period)
    if refusal is not None:
        return refusal
    initial = {}
    if parent is not None:
        initial = {"org_unit": parent.org_unit_id, "kpi": parent.kpi_id}
    form = GoalForm(request.POST or None, initial=initial, unit_id=initial.get("org_unit"))
    _positions_follow_unit(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.goal_create(
                actor=request.user, period=period, parent=parent, org_unit=data["org_unit"],
                position=data["position"], kpi=data["kpi"], weight=data["weight"],
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            return _done(request, period, _("Goal added: %(goal)s.") % {"goal": _goal_label(goal)},
                         focus=id_param(request.GET, "focus"))
    context = {"form": form, "period": period, "parent": parent, "action": "create",
               "post_url": request.get_full_path()}
    return _form_response(request, "goals/tree/form_page.html#goal_form", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_edit(request, pk: int):
    goal = get_scoped_or_404(Goal.objects.select_related("period", "org_unit", "kpi", "position"), pk)
    refusal = _closed_refusal(request, goal.period)
    if refusal is not None:
        return refusal
    initial = {"org_unit": goal.org_unit_id, "position": goal.position_id, "kpi": goal.kpi_id,
               "weight": goal.weight, "lock_version": goal.lock_version}
    form = GoalForm(request.POST or None, initial=initial, unit_id=goal.org_unit_id, current_kpi=goal.kpi_id)
    _positions_follow_unit(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_update(
                actor=request.user, goal=goal, org_unit=data["org_unit"], position=data["position"],
                kpi=data["kpi"], weight=data["weight"], lock_version=data.get("lock_version"),
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            form.add_error(None, stale.message)
        else:
            return _done(request, goal.period, _("Goal saved."))
    context = {"form": form, "period": goal.period, "goal": goal, "action": "edit",
               "post_url": request.get_full_path()}
    return _form_response(request, "goals/tree/form_page.html#goal_form", context)


@tenant_page(read=HR_ONLY)
def goal_position_options(request):
    """htmx: the <option>s of the positions of the chosen unit."""
    unit_id = parse_id(request.GET.get("org_unit", ""))
    positions = []
    if unit_id is not None:
        positions = Position.objects.filter(org_unit_id=unit_id).order_by("title").values("pk", "title")
    return render(request, "goals/tree/form_page.html#position_options", {"positions": positions})


def _parent_options(goal: Goal, query: str) -> tuple[list[dict], int]:
    """Goals of the period outside the goal's own subtree, in tree order, filtered and capped."""
    tree = selectors.load_tree(goal.period, with_scores=False)
    needle = query.strip().lower()
    units = selectors.unit_labels(tree.nodes.values())  # search results lose the indentation's context
    options = [
        {"id": n.id, "label": f"{'— ' * n.depth}{n.label_with(units)}"}
        for n in tree.walk()
        if not n.path.startswith(goal.path)
        and (not needle or needle in f"{n.label_with(units)} {n.unit_code}".lower())
    ]
    return options[:PARENT_OPTIONS], len(options)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_move(request, pk: int):
    goal = get_scoped_or_404(Goal.objects.select_related("period", "org_unit", "kpi", "position"), pk)
    refusal = _closed_refusal(request, goal.period)
    if refusal is not None:
        return refusal
    query = request.GET.get("q", "")[:100]
    options, total = _parent_options(goal, query)
    if request.htmx and request.GET.get("part") == "options":
        context = {"options": options, "total": total, "goal": goal, "selected": None}
        return render(request, "goals/tree/form_page.html#parent_options", context)
    form = MoveForm(request.POST or None, goal=goal, initial={"lock_version": goal.lock_version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_move(
                actor=request.user, goal=goal, parent=data["parent"], weight=data.get("weight"),
                lock_version=data.get("lock_version"),
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            form.add_error(None, stale.message)
        else:
            return _done(request, goal.period, _("Goal moved."))
    selected = form["parent"].value() if form.is_bound else goal.parent_id
    context = {"form": form, "goal": goal, "period": goal.period, "options": options, "total": total,
               "selected": str(selected or ""), "q": query, "post_url": request.path}
    return _form_response(request, "goals/tree/form_page.html#move_form", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_delete(request, pk: int):
    goal = get_scoped_or_404(Goal.objects.select_related("period", "org_unit", "kpi", "position"), pk)
    refusal = _closed_refusal(request, goal.period)
    if refusal is not None:
        return refusal
    below = Goal.objects.filter(period_id=goal.period_id, path__startswith=goal.path).count() - 1
    form = DeleteForm(request.POST or None, initial={"lock_version": goal.lock_version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            deleted = services.goal_delete(
                actor=request.user, goal=goal, subtree=form.cleaned_data["subtree"],
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except StaleEditError as stale:
            error = stale.message
        else:
            return _done(request, goal.period, _("%(n)d goal(s) deleted.") % {"n": deleted})
    context = {"form": form, "goal": goal, "period": goal.period, "below": below, "error": error,
               "post_url": request.path}
    return _form_response(request, "goals/tree/form_page.html#delete_form", context)


def _reweight(request, period: Period, siblings: list[Goal], parent: Goal | None) -> HttpResponse:
    refusal = _closed_refusal(request, period)
    if refusal is not None:
        return refusal
    values = {g.pk: g.weight for g in siblings}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        submitted = {g.pk: request.POST.get(f"weight-{g.pk}", "").strip() for g in siblings}
        values = {pk: value for pk, value in submitted.items()}
        try:
            total = services.siblings_reweight(actor=request.user, weights=submitted)
        except ValidationError as invalid:
            for key, messages_ in (invalid.message_dict if hasattr(invalid, "error_dict") else
                                   {"__all__": invalid.messages}).items():
                if key.isdigit():
                    errors[key] = messages_
                else:
                    general.extend(messages_)
        else:
            message = _("Weights saved. The siblings now add up to %(sum)s.") % {"sum": total}
            if total != services.HUNDRED:
                message += " " + _("They must add up to 100 before the tree can be published.")
            return _done(request, period, message)
    rows = [{"goal": g, "value": values.get(g.pk, ""), "errors": errors.get(str(g.pk), [])} for g in siblings]
    initial_sum = Decimal("0")
    for value in values.values():
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            continue
        if number.is_finite():
            initial_sum += number
    context = {
        "rows": rows, "period": period, "parent": parent, "general": general, "post_url": request.path,
        "initial_sum": f"{initial_sum:.2f}", "initial_ok": initial_sum == services.HUNDRED,
    }
    return _form_response(request, "goals/tree/form_page.html#reweight_form", context)


def _siblings(period: Period, parent: Goal | None) -> list[Goal]:
    return list(
        Goal.objects.filter(period=period, parent=parent)
        .select_related("org_unit", "position", "kpi")
        .order_by("order", "id")
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_reweight(request, pk: int):
    """Reweight the children of a goal."""
    parent = get_scoped_or_404(Goal.objects.select_related("period", "org_unit", "kpi", "position"), pk)
    siblings = _siblings(parent.period, parent)
    if not siblings:
        raise Http404
    return _reweight(request, parent.period, siblings, parent)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_reweight_top(request, period_pk: int):
    """Reweight the top-level goals of a period."""
    period = get_scoped_or_404(Period, period_pk)
    siblings = _siblings(period, None)
    if not siblings:
        raise Http404
    return _reweight(request, period, siblings, None)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_tree_publish(request, period_pk: int):
    """GET: the confirmation — how many goals are published, what everyone then sees, that it cannot be
    withdrawn. POST (from that page, with the number of goals it showed): publish. A POST whose count is
    no longer the tree's (someone changed it meanwhile), or without one, shows the confirmation again."""
    period = get_scoped_or_404(Period, period_pk)
    preview = selectors.tree_publish_preview(period)
    if request.method == "POST" and parse_id(request.POST.get("goals", "")) == preview.goals:
        try:
            count = services.period_tree_publish(actor=request.user, period=period)
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Goal tree of %(period)s published (%(n)d goals).") % {
                "period": period, "n": count,
            })  # fmt: skip
        return redirect(_tree_url(request, period))
    context = {
        "period": period,
        "preview": preview,
        "changed": request.method == "POST",  # the tree changed since the confirmation was shown
        "tree_url": _tree_url(request, period),
    }
    status = 409 if context["changed"] else 200
    return render(request, "goals/tree/publish_confirm.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_tree_copy(request, period_pk: int):
    period = get_scoped_or_404(Period, period_pk)
    if request.method != "POST":
        return redirect(_tree_url(request, period))
    form = CopyForm(request.POST, target=period)
    if not form.is_valid():
        messages.error(request, _("Choose the period to copy from."))
        return redirect(_tree_url(request, period))
    try:
        source = form.cleaned_data["source"]
        count = services.period_tree_copy(actor=request.user, source=source, target=period)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(n)d goals copied from %(source)s.") % {"n": count, "source": form.cleaned_data["source"]},
        )
    return redirect(_tree_url(request, period))


# --------------------------------------------------------------------------------------------- matrix


@tenant_page(read=READERS)
def goal_matrix(request):
    periods = selectors.tree_periods()
    period = _period_from_request(request, periods)
    query = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgUnit.Kind.values else ""
    context: dict = {"periods": periods, "period": period, "q": query, "kind": kind,
                     "with_goals": _with_goals(periods, period),
                     "kinds": OrgUnit.Kind.choices, "perspectives": Perspective.choices}
    if period is not None:
        tree = selectors.load_tree(period)
        rows = selectors.matrix_rows(tree, query, kind)
        context.update(tree=tree, page=paginate(request, rows),
                       total_units=len(rows))
    partial = request.htmx and request.GET.get("part") == "results"
    return render(request, "goals/tree/matrix.html#results" if partial else "goals/tree/matrix.html", context)


@tenant_page(read=READERS)
def goal_matrix_cell(request, period_pk: int, unit_pk: int, perspective: str):
    """The goals behind one cell of the matrix (htmx fragment, or a page without htmx)."""
    period = get_scoped_or_404(Period, period_pk)
    unit = get_scoped_or_404(OrgUnit, unit_pk)
    if perspective not in Perspective.values:
        raise Http404
    tree = selectors.load_tree(period)
    goals = selectors.matrix_cell_goals(tree, unit.pk, perspective)
    context = {"period": period, "unit": unit, "perspective": Perspective(perspective).label, "goals": goals}
    if request.htmx:
        return render(request, "goals/tree/form_page.html#matrix_cell", context)
    context["fragment"] = "goals/tree/form_page.html#matrix_cell"
    return render(request, "goals/tree/form_page.html", context)


# --------------------------------------------------------------------------------------------- trace


@tenant_page(read=READERS)
def goal_trace(request):
    periods = selectors.tree_periods()
    period = _period_from_request(request, periods)
    context: dict = {"periods": periods, "period": period, "with_goals": _with_goals(periods, period)}
    if period is None:
        return render(request, "goals/tree/trace.html", context)
    tree = selectors.load_tree(period)
    kpis = selectors.trace_kpis(tree)
    kpi_id, goal_id = id_param(request.GET, "kpi"), id_param(request.GET, "goal")
    if goal_id is not None and goal_id not in tree.nodes:
        raise Http404
    if kpi_id is not None and not any(k["id"] == kpi_id for k in kpis):
        if not KPI.objects.filter(pk=kpi_id).exists():
            raise Http404
    if kpi_id is None and goal_id is None and kpis:
        kpi_id = kpis[0]["id"]
    context.update(tree=tree, kpis=kpis, kpi_id=kpi_id, goal_id=goal_id)
    if kpi_id is not None or goal_id is not None:
        roots = selectors.trace_roots(tree, kpi_id=None if goal_id else kpi_id, goal_id=goal_id)
        result = selectors.trace(tree, roots)
        goal = tree.nodes.get(goal_id) if goal_id else None
        # Where a trace starts is named against the whole tree: a "Finance" goal says whose Finance.
        units = selectors.unit_labels(tree.nodes.values())
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
