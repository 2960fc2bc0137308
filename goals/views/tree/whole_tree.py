"""Changes to a sibling group or a period's whole tree: reweight, publish, copy."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.access import access_period_by_id
from collab.models import Period
from collab.pages import HR_ONLY, tenant_page
from collab.routing.ids import parse_id
from goals.access import access_goal_by_id
from goals.forms import CopyForm
from goals.models import Goal
from goals.selectors.tree import load as tree_load
from goals.selectors.tree.periods import tree_publish_preview
from goals.services.tree.nodes import siblings_reweight
from goals.services.tree.rules import HUNDRED
from goals.services.tree.whole_tree import period_tree_copy, period_tree_publish
from goals.views.tree.builder import _closed_refusal
from goals.views.tree.common import _done, _form_response, _tree_url


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
            total = siblings_reweight(actor=request.user, weights=submitted)
        except ValidationError as invalid:
            for key, messages_ in (invalid.message_dict if hasattr(invalid, "error_dict") else
                                   {"__all__": invalid.messages}).items():
                if key.isdigit():
                    errors[key] = messages_
                else:
                    general.extend(messages_)
        else:
            message = _("Weights saved. The siblings now add up to %(sum)s.") % {"sum": total}
            if total != HUNDRED:
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
        "initial_sum": f"{initial_sum:.2f}", "initial_ok": initial_sum == HUNDRED,
    }
    return _form_response(request, "goals/tree/form_page.html#reweight_form", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_reweight(request, pk: int):
    """Reweight the children of a goal."""
    parent = access_goal_by_id(request.membership, pk, write=request.method == "POST")
    siblings = tree_load.sibling_goals(parent.period, parent)
    if not siblings:
        raise Http404
    return _reweight(request, parent.period, siblings, parent)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_reweight_top(request, period_pk: int):
    """Reweight the top-level goals of a period."""
    period = access_period_by_id(request.membership, period_pk)
    siblings = tree_load.sibling_goals(period, None)
    if not siblings:
        raise Http404
    return _reweight(request, period, siblings, None)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def goal_tree_publish(request, period_pk: int):
    """GET: the confirmation — how many goals are published, what everyone then sees, that it cannot be
    withdrawn. POST (from that page, with the number of goals it showed): publish. A POST whose count is
    no longer the tree's (someone changed it meanwhile), or without one, shows the confirmation again."""
    period = access_period_by_id(request.membership, period_pk)
    preview = tree_publish_preview(period)
    if request.method == "POST" and parse_id(request.POST.get("goals", "")) == preview.goals:
        try:
            count = period_tree_publish(actor=request.user, period=period)
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
    period = access_period_by_id(request.membership, period_pk)
    if request.method != "POST":
        return redirect(_tree_url(request, period))
    form = CopyForm(request.POST, target=period)
    if not form.is_valid():
        messages.error(request, _("Choose the period to copy from."))
        return redirect(_tree_url(request, period))
    try:
        source = form.cleaned_data["source"]
        count = period_tree_copy(actor=request.user, source=source, target=period)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(n)d goals copied from %(source)s.") % {"n": count, "source": form.cleaned_data["source"]},
        )
    return redirect(_tree_url(request, period))
