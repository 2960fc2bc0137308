"""What the goal tree pages share: who reads, the period asked for, redirects and fragments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from collab.models import Period, Role
from collab.pages import id_param
from collab.selectors.periods import default_period
from goals.models import Goal
from goals.selectors.tree import periods as tree_periods

READERS = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.COMMITTEE, Role.AUDITOR})
PARENT_OPTIONS = 200  # candidate parents listed at once in the move form (the search narrows them)
VIEWS = ("tree", "chart", "table")






def _period_from_request(request, periods: list[Period]) -> Period | None:
    wanted = id_param(request.GET, "period")
    if wanted is None:
        return default_period(periods, tree_periods.periods_with_goals(periods))
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


def _form_response(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A builder form: the fragment for htmx, else a full page around it (`status`: 409 for a stale save)."""
    if request.htmx:
        return render(request, template, context, status=status)
    return render(request, "goals/tree/form_page.html", {**context, "fragment": template}, status=status)


def _is_reader(request) -> bool:
    return request.membership.has_role(*READERS)


def _require_reader(request) -> None:
    if not _is_reader(request):
        raise PermissionDenied


def _with_goals(periods: list[Period], period: Period | None) -> Period | None:
    """When `period` has no goals: the period an empty page offers instead (the newest with a tree)."""
    with_goals = tree_periods.periods_with_goals(periods)
    if period is None or period.has_goals or not with_goals:
        return None
    return default_period(periods, with_goals)


def _goal_label(goal: Goal) -> str:
    holder = goal.org_unit.name + (f" / {goal.position.title}" if goal.position_id else "")
    return f"{holder} · {goal.kpi.code} {goal.kpi.name}"
