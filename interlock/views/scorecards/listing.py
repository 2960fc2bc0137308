"""The scorecard list of a period and the page that starts a new scorecard."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from collab.access import access_position_by_id, access_unit_by_id
from collab.forms import add_service_errors
from collab.forms.editors import (
    reference_label,
)
from collab.models import ALL_BUT_EMPLOYEES, Role
from collab.pages import HR_ONLY, id_param, paginate, tenant_page
from collab.selectors.org import holder_unit_names, repeated_unit_names
from collab.selectors.periods import default_period, periods_ordered
from interlock import proposals
from interlock.forms import (
    CopyForm,
    ScorecardCreateForm,
)
from interlock.models import Scorecard
from interlock.selectors import scorecards as selectors
from interlock.services.scorecards import cards as services_cards
from interlock.views.scorecards.common import _minimum, _subject_label


@tenant_page(read=ALL_BUT_EMPLOYEES)
def scorecard_list(request):
    periods = periods_ordered()
    period_id = id_param(request.GET, "period")
    if period_id is not None:
        period = next((p for p in periods if p.pk == period_id), None)
        if period is None:
            raise Http404
    else:  # the latest period with scorecards, as the score and dashboard pages open on their latest scores
        period = default_period(periods, selectors.periods_with_scorecards())
    kind = request.GET.get("kind", "")
    kind = kind if kind in selectors.KINDS else ""
    status = request.GET.get("status", "")
    status = status if status in Scorecard.Status.values else ""
    query = request.GET.get("q", "").replace("\x00", "")[:100].strip()
    cards = selectors.scorecard_search(period, kind=kind, status=status, query=query)
    page = paginate(request, cards)
    minimum = _minimum(request)
    ids = [card.pk for card in page]
    scored = selectors.latest_totals(ids)
    sums = selectors.weight_sums(ids)
    items = []
    repeated = repeated_unit_names(holder_unit_names(page))
    for card in page:
        total, shared = sums.get(card.pk, (Decimal("0"), Decimal("0")))
        items.append(
            {
                "card": card,
                "subject": _subject_label(card, repeated),
                "total": total,
                "shared": shared,
                "sum_ok": total == Decimal("100"),
                "below_minimum": shared < minimum,
                "snapshot": scored.get(card.pk),
            }
        )
    context = {
        "periods": periods,
        "period": period,
        "page": page,
        "items": items,
        "kind": kind,
        "status": status,
        "q": query,
        "minimum": minimum,
        "can_edit": request.membership.has_role(Role.HR_ADMIN),
        "copy_form": CopyForm(initial={"target": period.pk if period else None}),
        "statuses": Scorecard.Status.choices,
    }
    return render(request, "interlock/scorecards/list.html", context)




@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecard_create(request):
    initial = {}
    for name in ("period", "org_unit", "position"):
        value = id_param(request.GET, name)
        if value is not None:
            initial[name] = value
    if "org_unit" in initial:
        unit = access_unit_by_id(request.membership, initial["org_unit"])
        initial["org_unit"] = reference_label(unit.code, unit.name)
    if "position" in initial:
        post = access_position_by_id(request.membership, initial["position"])
        initial["position"] = reference_label(post.code, post.title)
    if request.GET.get("propose") in proposals.SOURCES:
        initial["start"] = request.GET["propose"]
    form = ScorecardCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            card = services_cards.scorecard_create(
                actor=request.user,
                period=data["period"],
                org_unit=data["org_unit"],
                position=data["position"],
                review_weight=data["review_weight"],
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(
                request, _("Scorecard created for %(subject)s.") % {"subject": _subject_label(card)}
            )
            url = reverse("scorecard-edit", kwargs={"tenant_slug": request.tenant.slug, "pk": card.pk})
            if data.get("start"):
                url += "?" + urlencode({"propose": data["start"]})
            return redirect(url)
    context = {"form": form}  # the unit and position inputs search as the user types (pickers.js)
    return render(request, "interlock/scorecards/create.html", context)
