"""Strategy map pages: the map of a period (ECharts graph plus a table), objectives and cause–effect links."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from collab.access import access_period_by_id
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, attempt_delete, form_status, note_stale
from collab.models import ALL_ROLES, Period
from collab.pages import HR_ONLY, id_param, tenant_page
from collab.routing.ids import parse_id
from collab.selectors.periods import period_by_id
from goals.access import access_objective_by_id, access_objective_link_by_id
from goals.forms import ObjectiveForm, ObjectiveLinkForm
from goals.selectors.objectives import default_map_period, map_periods, strategy_map
from goals.services import objectives as services


def _period_from_query(request) -> Period | None:
    """?period=<id> of this tenant (another tenant's id or garbage is a 404), else the default period."""
    pk = id_param(request.GET, "period")
    return default_map_period() if pk is None else access_period_by_id(request.membership, pk)


def _map_url(request, period: Period | None) -> str:
    url = reverse("strategy-map", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?period={period.pk}" if period is not None else url


@tenant_page(read=ALL_ROLES)
def strategy_map_page(request):
    period = _period_from_query(request)
    context = {"period": period, "periods": map_periods(), "map": None, "link_form": None}
    if period is not None:
        context["map"] = strategy_map(period)
        if request.membership.has_role("hr_admin") and not period.is_closed:
            context["link_form"] = ObjectiveLinkForm(period=period)
    return render(request, "goals/strategy/map.html", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def objective_create(request):
    initial = {}
    period_id = parse_id(request.GET.get("period", ""))
    if period_id is not None:
        initial["period"] = period_by_id(period_id)
    if request.GET.get("perspective"):
        initial["perspective"] = request.GET["perspective"]
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(actor=request.user, data=form.service_data())
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Objective “%(name)s” added.") % {"name": objective.name})
            return redirect(_map_url(request, objective.period))
    return render(request, "goals/strategy/objective_form.html", {"form": form, "objective": None})


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def objective_edit(request, pk: int):
    objective = access_objective_by_id(request.membership, pk, write=request.method == "POST")
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.objective_update(
                actor=request.user,
                objective=objective,
                data=form.service_data(),
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Objective “%(name)s” saved.") % {"name": saved.name})
            return redirect(_map_url(request, saved.period))
    context = {"form": form, "objective": objective}
    return render(request, "goals/strategy/objective_form.html", context, status=form_status(form))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def objective_delete(request, pk: int):
    objective = access_objective_by_id(request.membership, pk, write=request.method == "POST")
    attempt = attempt_delete(
        request,
        lambda lock_version: services.objective_delete(
            actor=request.user, objective=objective, lock_version=lock_version
        ),
    )
    if attempt.done:
        messages.success(request, _("Objective “%(name)s” deleted.") % {"name": objective.name})
        return redirect(_map_url(request, objective.period))
    context = {"subject": objective, "error": attempt.error or None, "kind": "objective",
               "period_id": objective.period_id}
    status = 409 if attempt.stale else 200
    return render(request, "goals/strategy/confirm_delete.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def objective_link_create(request):
    period = _period_from_query(request)
    if period is None:
        raise Http404
    form = ObjectiveLinkForm(request.POST or None, period=period)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_link_create(
                actor=request.user, cause=form.cleaned_data["cause"], effect=form.cleaned_data["effect"]
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Cause–effect link added."))
            return redirect(_map_url(request, period))
    return render(request, "goals/strategy/link_form.html", {"form": form, "period": period})


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def objective_link_delete(request, pk: int):
    link = access_objective_link_by_id(request.membership, pk, write=request.method == "POST")
    error = None
    if request.method == "POST":
        try:
            services.objective_link_delete(actor=request.user, link=link)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("Cause–effect link removed."))
            return redirect(_map_url(request, link.cause.period))
    context = {"subject": link, "error": error, "kind": "link", "period_id": link.cause.period_id}
    return render(request, "goals/strategy/confirm_delete.html", context)
