"""Dashboard pages: the department dashboard, the collaboration view, the org-wide ranking (what-if is in
`interlock.views.whatif`).

Read roles: HR admins, committee members and auditors read every unit; a manager reads the unit of their
employee record and the units below it (their home links here); employees have no dashboards (their home
shows their own goals and points). What-if is for HR admins only and writes nothing.
Every page reads snapshots and matrices with a fixed number of queries.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.access import access_unit_by_id
from collab.forms import show_period
from collab.imports.export import export_xlsx, xlsx_response
from collab.models import ALL_BUT_EMPLOYEES, Period, Role
from collab.page_cache import cached_body, query_key
from collab.pages import id_param, paginate, tenant_page
from collab.selectors.org import child_units, holder_unit_names, repeated_unit_names
from collab.selectors.periods import default_period, periods_ordered
from interlock.access import (
    may_read_unit,
    own_unit,
    sees_all_units,
)
from interlock.forms import FLAG_CHOICES, RankingForm
from interlock.selectors.dashboards import (
    RankingFilters,
    collaboration,
    collaboration_rows,
    collaboration_stamp,
    flag_codes,
    own_scored_period_ids,
    ranked,
    ranking,
    ranking_label,
    ranking_ranks,
    results_stamp,
    unit_dashboard,
    unit_scorecard,
    unit_scored_period_ids,
)

# --------------------------------------------------------------------------------------------- helpers


def _period(request, periods: list[Period], scored: set[int]) -> Period | None:
    period_id = id_param(request.GET, "period")
    if period_id is None:
        return default_period(periods, scored)
    for period in periods:
        if period.pk == period_id:
            return period
    raise Http404  # another tenant's period reads as missing


def _url(name: str, slug: str, **kwargs) -> str:
    """A link to another area's page, or "" while that page is not wired (its module may land later)."""
    try:
        return reverse(name, kwargs={"tenant_slug": slug, **kwargs})
    except NoReverseMatch:
        return ""


# --------------------------------------------------------------------------------------------- unit dashboard


@tenant_page(read=ALL_BUT_EMPLOYEES)
def unit_dashboard_page(request, pk: int | None = None):
    """The department dashboard: a manager's own unit by default; HR, committee and auditors pick any."""
    own = own_unit(request.user)
    if pk is None:
        pk = id_param(request.GET, "unit")
    if pk is not None:
        unit = access_unit_by_id(request.membership, pk)
        if not may_read_unit(request.membership, unit, own):
            raise PermissionDenied
    else:
        unit = own
    periods = periods_ordered()
    # The unit's own scores choose the period; without a unit, the reader's own subjects' scores do.
    scored = (
        unit_scored_period_ids(unit)
        if unit is not None
        else own_scored_period_ids(membership=request.membership, user=request.user)
    )
    period = _period(request, periods, scored)
    sees_all = sees_all_units(request.membership)
    context = {
        "periods": periods,
        "period": period,
        "unit": unit,
        "sees_all": sees_all,
        "is_hr": request.membership.has_role(Role.HR_ADMIN),
        "has_scores": bool(scored),
        "no_unit": unit is None and not sees_all,
    }

    def render_body() -> str:
        if unit is not None and period is not None:
            _unit_dashboard_context(request, context, unit, period, periods)
        return render_to_string("interlock/dashboards/unit.html#body", context, request=request)

    # What the body shows of the unit changes only with the stored results (its trend: of every period),
    # the names and scorecards (the display generation): it is cached under them.
    body = cached_body(
        request,
        page="unit-dashboard",
        stamp=results_stamp() if unit is not None and period is not None else None,
        vary=(unit.pk if unit else None, period.pk if period else None, sees_all, bool(scored)),
        render=render_body,
    )
    return render(request, "interlock/dashboards/unit.html", {**context, "body": body})


def _unit_dashboard_context(request, context: dict, unit, period: Period, periods: list[Period]) -> None:
    data = unit_dashboard(unit, period, periods)
    if data["snapshot"] is None:  # say why: no scorecard, a draft one, or not computed yet
        context["scorecard"] = unit_scorecard(unit, period)
    matrix_url = _url("matrix-detail", request.tenant.slug, pk=0)
    for item in data["shared"]:
        item["url"] = matrix_url[:-2] + f"{item['matrix']}/" if matrix_url else ""
    for line in data["lines"]:  # a shared line's role and share open the matrix they come from
        matrix = line.get("matrix")
        line["matrix_url"] = matrix_url[:-2] + f"{matrix}/" if matrix_url and matrix else ""
    data["chart"]["title"] = _("Total by period")
    context.update(data)
    context["children"] = child_units(unit)


# --------------------------------------------------------------------------------------------- collaboration


@tenant_page(read=ALL_BUT_EMPLOYEES)
def collaboration_page(request):
    """Which KPIs are shared by which units: heatmap, graph and tables, all drillable. The body changes only
    with the period's recompute, so it is rendered once per version and reader kind (`collab.page_cache`)."""
    periods = periods_ordered()
    scored = own_scored_period_ids(membership=request.membership, user=request.user)
    period = _period(request, periods, scored)
    subtree_id = id_param(request.GET, "unit")
    subtree = access_unit_by_id(request.membership, subtree_id) if subtree_id is not None else None
    context = {
        "periods": periods,
        "period": period,
        "subtree": subtree,
        "has_scores": bool(scored),
        "is_hr": request.membership.has_role(Role.HR_ADMIN),
    }
    # The table (the heatmap's table view) is read when its tab first shows (htmx), or for a link to one of
    # its pages: a page that opens on the heatmap renders none of its rows.
    table = period is not None and bool({"table", "page"} & set(request.GET))
    template = "interlock/dashboards/collaboration.html"
    part = "collab-table" if table and request.htmx else "body"

    def render_body() -> str:
        if period is not None:
            _collaboration_context(request, context, period, subtree, table)
        return render_to_string(f"{template}#{part}", context, request=request)

    body = cached_body(
        request,
        page=f"collaboration:{part}",
        stamp=collaboration_stamp(period) if period is not None else None,
        vary=(period.pk if period else None, subtree_id, bool(scored), query_key(request)),
        render=render_body,
    )
    if part == "collab-table":
        return HttpResponse(body)
    return render(request, template, {**context, "body": body})


def _collaboration_context(request, context: dict, period: Period, subtree, table: bool) -> None:
    data = collaboration(period, subtree=subtree)
    slug = request.tenant.slug
    unit_base = reverse("dashboard-unit-detail", kwargs={"tenant_slug": slug, "pk": 1})[:-2]
    matrix_base = _url("matrix-detail", slug, pk=1)[:-2]
    data["chart"]["unit_url"] = unit_base
    data["chart"]["matrix_url"] = matrix_base
    data["chart"]["period"] = period.pk
    context.update(data, unit_base=unit_base, matrix_base=matrix_base)
    if table:
        page = paginate(request, data["kpi_order"])
        counts = data["unit_counts"]
        rows = collaboration_rows(period, page.object_list, subtree=subtree, unit_counts=counts)
        context.update(page=page, rows=rows, table_open=True)
    else:
        query = request.GET.copy()
        query["table"] = "1"
        context["table_url"] = f"{request.path}?{query.urlencode()}"


# --------------------------------------------------------------------------------------------- ranking


def _ranking_rows(request):
    periods = periods_ordered()
    scored = own_scored_period_ids(membership=request.membership, user=request.user)
    form = RankingForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        if "period" in form.errors or "parent" in form.errors:
            raise Http404  # an id that is not this tenant's reads as missing
        return form, periods, None, None
    data = form.cleaned_data if form.is_bound else {}
    period = data.get("period") or default_period(periods, scored)
    if period is None:
        return form, periods, None, None
    show_period(form, period)
    filters = RankingFilters(
        subject_type=data.get("subject_type", ""),
        kind=data.get("kind", ""),
        parent=data.get("parent"),
        flag=data.get("flag", ""),
        incomplete=data.get("incomplete", ""),
    )
    return form, periods, period, ranking(period, filters)


@tenant_page(read=ALL_BUT_EMPLOYEES)
def ranking_page(request):
    """The tenant's ranking: the same for every reader of a kind, so its body is cached under the stored
    results' stamp (`collab.page_cache`); the filters are checked first (another tenant's id is a 404)."""
    form, periods, period, rows = _ranking_rows(request)

    def render_body() -> str:
        page = paginate(request, rows) if rows is not None else None
        items = []
        if page is not None:
            repeated = repeated_unit_names(holder_unit_names(page.object_list))
            for snap in ranking_ranks(rows, page.object_list, page.start):
                name, kind, unit = ranking_label(snap, repeated)
                items.append(
                    {
                        "snap": snap,
                        "name": name,
                        "type": kind,
                        "unit_name": unit,
                        "unit_id": snap.org_unit_id or snap.position.org_unit_id,
                        "flags": flag_codes(snap),
                    }
                )
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "period": period,
            "page": page,
            "items": items,
            "query": query.urlencode(),
            "flag_labels": dict(FLAG_CHOICES),
        }
        return render_to_string("interlock/dashboards/ranking.html#body", context, request=request)

    body = cached_body(
        request,
        page="ranking",
        stamp=results_stamp() if rows is not None else None,
        vary=(period.pk if period else None, query_key(request)),
        render=render_body,
    )
    return render(request, "interlock/dashboards/ranking.html", {"body": body})


@tenant_page(read=ALL_BUT_EMPLOYEES)
def ranking_export(request):
    form, periods, period, rows = _ranking_rows(request)
    if rows is None:
        raise Http404
    headers = [
        _("Rank"),
        _("Subject"),
        _("Type"),
        _("Org unit"),
        _("Total"),
        _("KPI part"),
        _("Review part"),
        _("Points"),
        _("Incomplete"),
        _("Flags"),
    ]
    body = []
    repeated = repeated_unit_names()
    for snap in ranked(rows.iterator(chunk_size=2000)):
        name, kind, unit = ranking_label(snap, repeated)
        body.append(
            [
                snap.rank,
                name,
                kind,
                unit,
                snap.total,
                snap.kpi_part,
                snap.review_part,
                snap.points,
                _("yes") if snap.incomplete else _("no"),
                ", ".join(flag_codes(snap)),
            ]
        )
    content = export_xlsx(headers, body, sheet_title=_("Ranking"))
    return xlsx_response(
        content, f"ranking-{request.tenant.slug}-{period.label}-{timezone.localdate():%Y%m%d}.xlsx"
    )
