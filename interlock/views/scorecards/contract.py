"""The performance contract (绩效合约) of one scorecard, for reading and printing."""

from __future__ import annotations

from django.shortcuts import render

from collab.models import ALL_BUT_EMPLOYEES
from collab.pages import tenant_page
from interlock.access import access_scorecard_by_id
from interlock.selectors import scorecards as selectors
from interlock.services.scorecards.lines import weights_summary
from interlock.views.scorecards.common import _minimum, _subject_label


@tenant_page(read=ALL_BUT_EMPLOYEES)
def scorecard_contract(request, pk: int):
    """The performance contract (绩效合约): a printable published scorecard, flagged when its collaborative
    share is under the tenant's minimum."""
    card = access_scorecard_by_id(request.membership, pk)
    lines = selectors.lines_with_kpis(card)
    summary = weights_summary([{"role": ln.role, "weight": ln.weight} for ln in lines])
    minimum = _minimum(request)
    holders = selectors.contract_holders(card)
    context = {
        "card": card,
        "subject": _subject_label(card),
        "lines": lines,
        "summary": summary,
        "minimum": minimum,
        "below_minimum": summary["collaborative_share"] < minimum,
        "holders": holders,
        "published": card.is_published,
    }
    return render(request, "interlock/contract/contract.html", context)
