"""Building the goal tree one goal at a time: create, edit, move, delete."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from collab.access import access_period_by_id
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.models import Period
from collab.pages import HR_ONLY, id_param, query_text, tenant_page
from collab.routing.ids import parse_id
from collab.selectors.org import position_options
from goals.access import access_goal_by_id
from goals.forms import DeleteForm, GoalForm, MoveForm
from goals.models import Goal
from goals.selectors.tree import load as tree_load
from goals.selectors.tree import trace as tree_trace
from goals.services.tree import nodes as services_nodes
from goals.services.tree.nodes import goal_update
from goals.views.tree.common import PARENT_OPTIONS, _done, _form_response, _goal_label


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
    period = access_period_by_id(request.membership, period_pk)
    parent_id = id_param(request.GET, "parent")
    parent = None
    if parent_id is not None:
        parent = access_goal_by_id(request.membership, parent_id)
        if parent.period_id != period.pk:
            raise Http404
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
            goal = services_nodes.goal_create(
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
    goal = access_goal_by_id(request.membership, pk, write=request.method == "POST")
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
            goal_update(
                actor=request.user, goal=goal, org_unit=data["org_unit"], position=data["position"],
                kpi=data["kpi"], weight=data["weight"], lock_version=data.get("lock_version"),
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            return _done(request, goal.period, _("Goal saved."))
    context = {"form": form, "period": goal.period, "goal": goal, "action": "edit",
               "post_url": request.get_full_path()}
    return _form_response(request, "goals/tree/form_page.html#goal_form", context, status=form_status(form))


@tenant_page(read=HR_ONLY)
def goal_position_options(request):
    """htmx: the <option>s of the positions of the chosen unit."""
    unit_id = parse_id(request.GET.get("org_unit", ""))
    positions = []
    if unit_id is not None:
        positions = position_options(unit_id)
    return render(request, "goals/tree/form_page.html#position_options", {"positions": positions})


def _parent_options(goal: Goal, query: str) -> tuple[list[dict], int]:
    """Goals of the period outside the goal's own subtree, in tree order, filtered and capped."""
    tree = tree_load.load_tree(goal.period, with_scores=False)
    needle = query.strip().lower()
    units = tree_trace.unit_labels(tree.nodes.values())  # search results lose the indentation's context
    options = [
        {"id": n.id, "label": f"{'— ' * n.depth}{n.label_with(units)}"}
        for n in tree.walk()
        if not n.path.startswith(goal.path)
        and (not needle or needle in f"{n.label_with(units)} {n.unit_code}".lower())
    ]
    return options[:PARENT_OPTIONS], len(options)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_move(request, pk: int):
    goal = access_goal_by_id(request.membership, pk, write=request.method == "POST")
    refusal = _closed_refusal(request, goal.period)
    if refusal is not None:
        return refusal
    query = query_text(request.GET)
    options, total = _parent_options(goal, query)
    if request.htmx and request.GET.get("part") == "options":
        context = {"options": options, "total": total, "goal": goal, "selected": None}
        return render(request, "goals/tree/form_page.html#parent_options", context)
    form = MoveForm(request.POST or None, goal=goal, initial={"lock_version": goal.lock_version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_nodes.goal_move(
                actor=request.user, goal=goal, parent=data["parent"], weight=data.get("weight"),
                lock_version=data.get("lock_version"),
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            return _done(request, goal.period, _("Goal moved."))
    selected = form["parent"].value() if form.is_bound else goal.parent_id
    context = {"form": form, "goal": goal, "period": goal.period, "options": options, "total": total,
               "selected": str(selected or ""), "q": query, "post_url": request.path}
    return _form_response(request, "goals/tree/form_page.html#move_form", context, status=form_status(form))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_delete(request, pk: int):
    goal = access_goal_by_id(request.membership, pk, write=request.method == "POST")
    refusal = _closed_refusal(request, goal.period)
    if refusal is not None:
        return refusal
    below = tree_load.descendant_count(goal)
    form = DeleteForm(request.POST or None, initial={"lock_version": goal.lock_version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            deleted = services_nodes.goal_delete(
                actor=request.user, goal=goal, subtree=form.cleaned_data["subtree"],
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except StaleEditError as stale:
            error = stale.message
            note_stale(form, stale)
        else:
            return _done(request, goal.period, _("%(n)d goal(s) deleted.") % {"n": deleted})
    context = {"form": form, "goal": goal, "period": goal.period, "below": below, "error": error,
               "post_url": request.path}
    return _form_response(request, "goals/tree/form_page.html#delete_form", context, status=form_status(form))
