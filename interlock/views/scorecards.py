"""Scorecard pages (动态互锁), the performance contract (绩效合约) and the tenant's scoring settings.

HR admins create, edit, publish and copy scorecards; managers, committee members and auditors read;
employees have no access. The line editor validates live through `scorecard_validate` (the service's own
line rules and weight summary, nothing written). A scorecard can start from the subject's goals, from the
lines the responsibility matrices imply (lead → own, others → shared) or from the previous period: the
proposal is merged into the editor unsaved for the HR admin to accept or adjust. Saves carry
`lock_version`; a stale save is refused naming who changed the scorecard and when. Pages run a fixed
number of queries.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from collab.access import access_position_by_id, access_unit_by_id
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors
from collab.forms.editors import (
    editor_rows,
    reference_label,
    reference_labels,
    resolve_references,
    split_errors,
)
from collab.models import ALL_BUT_EMPLOYEES, Role
from collab.pages import HR_ONLY, id_param, paginate, tenant_page
from collab.selectors.org import holder_label, position_references, repeated_unit_names, unit_choices
from collab.selectors.periods import default_period, periods_ordered
from goals.models import KPI
from goals.selectors.kpis import kpi_options
from interlock import proposals
from interlock.access import access_scorecard_by_id
from interlock.forms import (
    CopyForm,
    LockForm,
    ScorecardCreateForm,
    ScorecardHeaderForm,
    ScoringSettingsForm,
    lines_from_post,
)
from interlock.models import LineRole, Scorecard
from interlock.selectors import scorecards as selectors
from interlock.services.scorecards import cards as services_cards
from interlock.services.scorecards import copying as services_copying
from interlock.services.scorecards.cards import scorecard_save
from interlock.services.scorecards.lines import scorecard_lines_clean, weights_summary
from interlock.services.scorecards.settings import tenant_scoring_settings_update


def _subject_label(card: Scorecard, repeated: frozenset[str] | None = None) -> str:
    """The scorecard's subject, its unit told apart from same-named ones (`repeated`: queried if None)."""
    return holder_label(card.org_unit, card.position, repeated_unit_names() if repeated is None else repeated)


def _minimum(request) -> Decimal:
    return Decimal(request.tenant.min_collaborative_weight)


# --------------------------------------------------------------------------------------------- list

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
    repeated = repeated_unit_names()
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


# --------------------------------------------------------------------------------------------- create


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
    context = {
        "form": form,
        "unit_options": [reference_label(unit.code, unit.name) for unit in unit_choices()],
        "position_options": [
            (reference_label(code, title), unit_name) for code, title, unit_name in position_references()
        ],
    }
    return render(request, "interlock/scorecards/create.html", context)


# --------------------------------------------------------------------------------------------- editor


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


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecard_publish(request, pk: int):
    card = access_scorecard_by_id(request.membership, pk, write=True)
    if request.method != "POST":
        return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)
    try:
        result = services_cards.scorecard_publish(
            actor=request.user, scorecard=card, lock_version=_lock_version(request)
        )
    except StaleEditError as stale:
        messages.error(request, stale.message)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        for warning in result.warnings:
            messages.warning(request, warning)
        messages.success(request, _("Scorecard published."))
    return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecard_unpublish(request, pk: int):
    card = access_scorecard_by_id(request.membership, pk, write=True)
    if request.method != "POST":
        return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)
    try:
        services_cards.scorecard_unpublish(
            actor=request.user, scorecard=card, lock_version=_lock_version(request)
        )
    except StaleEditError as stale:
        messages.error(request, stale.message)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Scorecard back to draft."))
    return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecards_copy(request):
    """Copy last period's scorecards (as drafts) into a period, for subjects that have none there yet."""
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services_copying.scorecards_copy(
                actor=request.user, source=form.cleaned_data["source"], target=form.cleaned_data["target"]
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            target = form.cleaned_data["target"]
            messages.success(
                request,
                _("%(n)d scorecard(s) copied into %(period)s as drafts.")
                % {"n": count, "period": target.label},
            )
            url = reverse("scorecard-list", kwargs={"tenant_slug": request.tenant.slug})
            return redirect(f"{url}?{urlencode({'period': target.pk})}")
    return render(request, "interlock/scorecards/copy.html", {"form": form})


# --------------------------------------------------------------------------------------------- contract


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


# --------------------------------------------------------------------------------------------- settings


@tenant_page(read=frozenset({Role.HR_ADMIN, Role.AUDITOR}), write=HR_ONLY)
def scoring_settings(request):
    tenant = request.tenant
    initial = {
        "min_collaborative_weight": tenant.min_collaborative_weight,
        "anonymity_threshold": tenant.anonymity_threshold,
        "point_cap": tenant.point_cap,
    }
    form = ScoringSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_scoring_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Scoring settings saved."))
            return redirect("scoring-settings", tenant_slug=tenant.slug)
    can_edit = request.membership.has_role(Role.HR_ADMIN)
    return render(request, "interlock/scorecards/settings.html", {"form": form, "can_edit": can_edit})
