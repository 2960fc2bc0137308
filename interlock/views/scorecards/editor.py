"""The scorecard editor: ρ and the lines in one form, checked live as they are typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms.editors import (
    editor_rows,
    reference_label,
    reference_labels,
    resolve_references,
    split_errors,
)
from collab.models import ALL_BUT_EMPLOYEES, Role
from collab.pages import HR_ONLY, tenant_page
from goals.models import KPI
from goals.selectors.kpis import kpi_options
from interlock import proposals
from interlock.access import access_scorecard_by_id
from interlock.forms import (
    LockForm,
    ScorecardHeaderForm,
    lines_from_post,
)
from interlock.models import LineRole, Scorecard
from interlock.selectors import scorecards as selectors
from interlock.services.scorecards.cards import scorecard_save
from interlock.services.scorecards.lines import scorecard_lines_clean, weights_summary
from interlock.views.scorecards.common import _subject_label

LINE_REFERENCES = {"kpi": KPI}


def _kpi_options() -> list[str]:
    """The datalist of the line editor's KPI inputs (one query, rendered once)."""
    return [reference_label(code, name) for _pk, code, name in kpi_options()]


def _posted_lines(request) -> list[dict]:
    return resolve_references(lines_from_post(request.POST), LINE_REFERENCES)


def _editor(
    request,
    card: Scorecard,
    *,
    rows,
    header=None,
    errors=None,
    general=None,
    stale=None,
    notice=None,
    status=200,
):
    can_edit = request.membership.has_role(Role.HR_ADMIN) and not card.period.is_closed
    header = header or ScorecardHeaderForm(
        initial={"review_weight": f"{card.review_weight.normalize():f}", "lock_version": card.lock_version}
    )
    summary = weights_summary(rows)
    kpis = _kpi_options() if can_edit else []
    roles = dict(LineRole.choices)
    shown = [
        {**row, "role_label": roles.get(row.get("role"), "")}
        for row in reference_labels(editor_rows(rows, errors), LINE_REFERENCES)
    ]
    context = {
        "card": card,
        "subject": _subject_label(card),
        "header": header,
        "rows": shown,
        "summary": summary,
        "general": general or [],
        "stale": stale,
        "notice": notice,
        "can_edit": can_edit,
        "kpi_options": kpis,
        "role_options": LineRole.choices,
        "template_row": {"role": LineRole.OWN},
        "sources": proposals.SOURCES,
    }
    return render(request, "interlock/scorecards/edit.html", context, status=status)


@tenant_page(read=ALL_BUT_EMPLOYEES, write=HR_ONLY)
def scorecard_edit(request, pk: int):
    card = access_scorecard_by_id(request.membership, pk, write=request.method == "POST")
    if request.method != "POST":
        rows = selectors.line_rows(card)
        notice = None
        source = request.GET.get("propose", "")
        if source and request.membership.has_role(Role.HR_ADMIN) and not card.period.is_closed:
            if source not in proposals.SOURCES:
                raise Http404
            rows, added = proposals.merge_lines(rows, proposals.propose(card, source))
            notice = (
                _("%(n)d proposed line(s) added below, not saved yet: adjust the weights, then save.")
                % {"n": added}
                if added
                else _("Nothing to add: the scorecard already has every proposed KPI.")
            )
        return _editor(request, card, rows=rows, notice=notice)
    if card.period.is_closed:
        messages.error(request, _("The period %(period)s is closed and read-only.") % {"period": card.period})
        return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)
    header = ScorecardHeaderForm(request.POST)
    rows = _posted_lines(request)
    if not header.is_valid():
        return _editor(request, card, rows=rows, header=header)
    try:
        result = scorecard_save(
            actor=request.user,
            scorecard=card,
            lock_version=header.cleaned_data.get("lock_version"),
            review_weight=header.cleaned_data["review_weight"],
            lines=rows,
        )
    except StaleEditError as stale:
        return _editor(request, card, rows=rows, header=header, stale=stale.message, status=409)
    except ValidationError as invalid:
        by_row, other = split_errors(invalid, prefix="lines")
        general = []
        for key, messages_ in other.items():
            if key == "review_weight":
                for message in messages_:
                    header.add_error("review_weight", message)
            else:
                general.extend(messages_)
        return _editor(request, card, rows=rows, header=header, errors=by_row, general=general)
    for warning in result.warnings:
        messages.warning(request, warning)
    messages.success(request, _("Scorecard saved."))
    return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecard_validate(request):
    """htmx: the live check of the lines being edited (the service's rules, nothing written)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = _posted_lines(request)
    by_row: dict = {}
    general: list[str] = []
    try:
        scorecard_lines_clean(rows)
    except ValidationError as invalid:
        by_row, other = split_errors(invalid, prefix="lines")
        general = [m for messages_ in other.values() for m in messages_]
    summary = weights_summary(rows)
    context = {
        "summary": summary,
        "general": general,
        "oob": True,
        "row_errors": [{"index": i, "errors": by_row.get(i, {})} for i in range(len(rows))],
    }
    return render(request, "interlock/scorecards/edit.html#live", context)


def _lock_version(request):
    form = LockForm(request.POST)
    return form.cleaned_data.get("lock_version") if form.is_valid() else None
