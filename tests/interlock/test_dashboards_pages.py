"""Dashboard and what-if pages: roles, defaults, empty states, cross-tenant ids, bad input, query counts."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collab.models import AuditEvent
from collab.services.accounts.preferences import user_language_set
from collab.services.org.units import org_unit_update
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.interlock import ScorecardFactory, ScoreSnapshotFactory, build_seed_tables
from tests.factories.org import EmployeeFactory, PeriodFactory
from tests.interlock.test_dashboards_selectors import _grow


def url(name: str, **kwargs) -> str:
    slug = kwargs.pop("slug", "alpha")
    return reverse(name, kwargs={"tenant_slug": slug, **kwargs})


@pytest.fixture
def world(tenant_a, hr_a):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
        scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def other(tenant_b, hr_b):
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        scores_recompute(period=theirs.period, actor=hr_b)
    return theirs


@pytest.fixture
def manager(tenant_a, world):
    user = make_member(tenant_a, "manager", username="mgr_sales")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=world.units["sales"], user=user)
    return user


def member(tenant, *roles):
    return make_member(tenant, *roles)


def test_manager_lands_on_own_unit_and_reads_units_below_only(world, manager, login):
    client = login(manager)
    response = client.get(url("dashboard-unit"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "销售部" in body and 'id="dashboard-total"' in body and "98.00" in body
    assert 'id="breakdown-table"' in body and 'id="shortfall-table"' in body
    assert client.get(url("dashboard-unit-detail", pk=world.units["sales"].pk)).status_code == 200
    assert client.get(url("dashboard-unit-detail", pk=world.units["service"].pk)).status_code == 403
    assert client.get(url("dashboard-unit") + f"?unit={world.units['service'].pk}").status_code == 403


def test_totals_open_their_breakdown_and_shared_lines_their_matrix(world, tenant_a, manager, login):
    client = login(manager)
    body = client.get(url("dashboard-unit")).content.decode()
    with tenant_scope(tenant_a):
        snap = ScoreSnapshot.objects.get(period=world.period, org_unit=world.units["sales"])
    detail = url("score-detail", pk=snap.pk)
    assert f'href="{detail}" class="text-decoration-none" id="dashboard-total-link"' in body
    dso = world.matrices["dso"]  # sales collaborates on 应收账款周转天数
    assert f'href="{url("matrix-detail", pk=dso.pk)}" title="Responsibility matrix">Collaborating' in body
    assert client.get(detail).status_code == 200
    ranking = login(member(tenant_a, "committee")).get(url("dashboard-ranking")).content.decode()
    assert f'href="{detail}" class="score-total"' in ranking


def test_manager_without_employee_record_is_told_what_to_do(world, tenant_a, login):
    client = login(member(tenant_a, "manager"))
    response = client.get(url("dashboard-unit"))
    assert response.status_code == 200 and 'id="dashboard-no-unit"' in response.content.decode()


@pytest.mark.parametrize("name", ["dashboard-unit", "dashboard-collaboration", "dashboard-ranking", "whatif"])
def test_employees_have_no_dashboards(world, tenant_a, login, name):
    # Employees read their own goals and points on their home; unit scores and the org-wide comparison are
    # for managers, the committee, HR and auditors.
    client = login(member(tenant_a, "employee"))
    assert client.get(url(name)).status_code == 403


def test_hr_committee_auditor_pick_any_unit(world, tenant_a, hr_a, login):
    for user in (hr_a, member(tenant_a, "committee"), member(tenant_a, "auditor")):
        client = login(user)
        response = client.get(url("dashboard-unit") + f"?unit={world.units['rnd'].pk}")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="dashboard-special-review"' in body and "研发部" in body


def test_cross_tenant_and_malformed_ids_are_404(world, other, hr_a, login):
    client = login(hr_a)
    foreign_unit, foreign_period = other.units["sales"].pk, other.period.pk
    assert client.get(url("dashboard-unit-detail", pk=foreign_unit)).status_code == 404
    assert client.get(url("dashboard-unit") + f"?unit={foreign_unit}").status_code == 404
    assert client.get(url("dashboard-unit") + f"?period={foreign_period}").status_code == 404
    assert client.get(url("dashboard-collaboration") + f"?unit={foreign_unit}").status_code == 404
    assert client.get(url("dashboard-collaboration") + f"?period={foreign_period}").status_code == 404
    assert client.get(url("dashboard-ranking") + f"?period={foreign_period}").status_code == 404
    assert client.get(url("dashboard-ranking") + f"?parent={foreign_unit}").status_code == 404
    assert client.get(url("dashboard-ranking-export") + f"?period={foreign_period}").status_code == 404
    for bad in ("abc", "9" * 30, "1%00", "-1"):
        assert client.get(url("dashboard-unit") + f"?period={bad}").status_code == 404
        assert client.get(url("dashboard-collaboration") + f"?unit={bad}").status_code == 404
    assert client.get(url("dashboard-unit-detail", pk=foreign_unit, slug="bravo")).status_code == 404


def test_empty_state_before_the_first_recompute(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
    client = login(hr_a)
    body = client.get(url("dashboard-unit-detail", pk=world.units["sales"].pk)).content.decode()
    assert 'id="dashboard-empty"' in body and "recompute" in body
    assert 'id="dashboard-no-shared"' not in body  # the matrices are shown already
    body = client.get(url("dashboard-ranking")).content.decode()
    assert 'id="ranking-empty"' in body


def selected_period(body: str) -> str:
    """The id of the period the page's period select shows."""
    select = body[body.index('name="period"') :]
    select = select[: select.index("</select>")]
    before = select[: select.index(" selected")]
    return before[before.rindex('value="') + 7 :].split('"')[0]


def test_each_reader_opens_on_the_latest_period_of_their_own_scores(world, manager, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):  # another unit is scored in a newer period; sales is not
        newer = PeriodFactory(year=2026, status="active")
        ScoreSnapshotFactory(period=newer, org_unit=world.units["service"], total=Decimal("70.00"))
    mine = login(manager)
    for page in (url("dashboard-unit"), url("dashboard-ranking"), url("dashboard-collaboration")):
        assert selected_period(mine.get(page).content.decode()) == str(world.period.pk), page
    hr = login(hr_a)
    sales = url("dashboard-unit-detail", pk=world.units["sales"].pk)
    assert selected_period(hr.get(sales).content.decode()) == str(world.period.pk)  # the unit's own scores
    assert selected_period(hr.get(url("dashboard-ranking")).content.decode()) == str(newer.pk)  # the tenant's


def test_an_empty_dashboard_says_why(world, tenant_a, hr_a, manager, login):
    with tenant_scope(tenant_a):
        newer = PeriodFactory(year=2026, status="active")
    sales = url("dashboard-unit-detail", pk=world.units["sales"].pk) + f"?period={newer.pk}"
    body = login(hr_a).get(sales).content.decode()
    assert 'data-reason="no-scorecard"' in body and "has no scorecard for 2026" in body
    assert "as the last recompute stored them" not in body  # no score: nothing claims one was stored
    assert "Create a scorecard" in body
    assert "Create a scorecard" not in login(manager).get(sales).content.decode()
    with tenant_scope(tenant_a):
        closed = PeriodFactory(year=2020, status="closed")
    in_closed = url("dashboard-unit-detail", pk=world.units["sales"].pk) + f"?period={closed.pk}"
    body = login(hr_a).get(in_closed).content.decode()
    assert 'data-reason="no-scorecard"' in body and "Create a scorecard" not in body  # it would be refused
    with tenant_scope(tenant_a):
        card = ScorecardFactory(org_unit=world.units["sales"], period=newer, status="draft")
    body = login(hr_a).get(sales).content.decode()
    assert 'data-reason="draft"' in body and "still a draft" in body
    with tenant_scope(tenant_a):
        card.status = "published"
        card.save()
    assert 'data-reason="not-computed"' in login(hr_a).get(sales).content.decode()


def test_collaboration_page_tables_and_charts(world, tenant_a, login):
    client = login(member(tenant_a, "committee"))
    response = client.get(url("dashboard-collaboration"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="collab-data"' in body and 'data-chart="heatmap"' in body and 'data-chart="graph"' in body
    assert 'id="drag-none"' in body and "KA-RENEW" in body
    # The table view loads when its tab first shows: the page carries the loader, not the rows.
    assert 'id="collab-table"' not in body
    loader = re.search(r'id="collab-table-block" hx-get="([^"]+)" hx-trigger="intersect once"', body)
    table = client.get(html.unescape(loader.group(1)), headers={"HX-Request": "true"}).content.decode()
    assert table.startswith('<div id="collab-table-block">') and "<html" not in table
    assert 'id="collab-table"' in table and "KA-RENEW" in table
    assert f"/t/alpha/dashboards/unit/{world.units['finance'].pk}/?period={world.period.pk}" in table
    # A link to one of the table's pages opens the page on the table, its rows inline.
    linked = client.get(url("dashboard-collaboration") + "?page=1").content.decode()
    assert 'id="collab-table"' in linked and 'class="tab-pane fade show active" id="table-pane"' in linked
    narrowed = client.get(url("dashboard-collaboration") + f"?unit={world.units['sales'].pk}")
    assert 'id="collaboration-empty"' in narrowed.content.decode()


def test_collaboration_body_is_cached_until_a_recompute_or_a_rename(world, tenant_a, hr_a, login):
    """The body is rendered once per version of the period's results (and names): a second reader of the same
    kind reads it with fewer queries; a recompute that changes a result, or a renamed unit, shows at once."""
    client = login(member(tenant_a, "committee"))
    first = _count(client, url("dashboard-collaboration"))
    again = _count(login(member(tenant_a, "committee")), url("dashboard-collaboration"))
    assert again < first
    finance = world.units["finance"]
    with tenant_scope(tenant_a):
        org_unit_update(actor=hr_a, unit=finance, lock_version=finance.lock_version, name="财务共享中心")
    assert "财务共享中心" in client.get(url("dashboard-collaboration")).content.decode()
    before = client.get(url("dashboard-collaboration")).content.decode()
    with tenant_scope(tenant_a):
        _grow(world, 1)  # one more shared KPI, recomputed
    after = client.get(url("dashboard-collaboration")).content.decode()
    shared = re.compile(r'id="shared-count">(\d+)<')
    assert int(shared.search(after).group(1)) == int(shared.search(before).group(1)) + 1
    # Readers of another kind, language or tenant never read this body.
    hr_body = login(hr_a).get(url("dashboard-collaboration")).content.decode()
    assert 'id="shared-count"' in hr_body
    user = member(tenant_a, "committee")
    user_language_set(user=user, language="zh-hans")
    assert "协同视图" in login(user).get(url("dashboard-collaboration")).content.decode()


def test_cached_unit_and_ranking_bodies_are_each_readers_own_and_follow_a_recompute(world, tenant_a, login):
    """Two managers of one kind read their own units' dashboards from the cache, never each other's; the
    ranking, cached for every reader, changes with a recompute that changes a result."""
    sales_manager, service_manager = member(tenant_a, "manager"), member(tenant_a, "manager")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=world.units["sales"], user=sales_manager)
        EmployeeFactory(org_unit=world.units["service"], user=service_manager)
    for _ in range(2):
        sales_page = login(sales_manager).get(url("dashboard-unit")).content.decode()
        service_page = login(service_manager).get(url("dashboard-unit")).content.decode()
        assert "98.00" in sales_page and "98.00" not in service_page
        assert "客服部" in service_page[service_page.index("<h1") :][:300]
    client = login(member(tenant_a, "committee"))
    first, again = _count(client, url("dashboard-ranking")), _count(client, url("dashboard-ranking"))
    assert again < first
    before = client.get(url("dashboard-ranking")).content.decode()
    with tenant_scope(tenant_a):
        _grow(world, 1)  # a unit and a position more, recomputed
    after = client.get(url("dashboard-ranking")).content.decode()
    assert after.count("<tr data-subject=") == before.count("<tr data-subject=") + 2


def test_ranking_page_filters_pages_and_exports(world, tenant_a, login):
    client = login(member(tenant_a, "auditor"))
    body = client.get(url("dashboard-ranking")).content.decode()
    body = body[body.index('id="ranking-table"') :]
    assert body.index("销售部") < body.index("研发部") < body.index("客服部")  # 98 > 95 > 83
    flagged = client.get(url("dashboard-ranking") + "?flag=special_review").content.decode()
    flagged = flagged[flagged.index('id="ranking-table"') :]
    assert "研发部" in flagged and "客服部" not in flagged
    bad = client.get(url("dashboard-ranking") + "?flag=%00nope&kind=planet")
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    export = client.get(url("dashboard-ranking-export") + "?subject_type=unit")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.values)
    assert [row[1] for row in values[1:]] == ["销售部", "研发部", "客服部"]
    assert [row[0] for row in values[1:]] == [1, 2, 3]


def test_dashboards_call_an_org_unit_what_the_org_pages_call_it(world, tenant_a, login):
    """组织单元 as on the org pages: 单位 is a KPI's unit of measure (计量单位) to a Chinese reader."""
    user = member(tenant_a, "committee")
    user_language_set(user=user, language="zh-hans")
    client = login(user)
    pages = {
        "unit": client.get(url("dashboard-unit") + f"?unit={world.units['sales'].pk}"),
        "collaboration": client.get(url("dashboard-collaboration")),
        "ranking": client.get(url("dashboard-ranking")),
    }
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert "<th>组织单元</th>" in body or ">组织单元</label>" in body, name
        assert "<th>单位</th>" not in body and ">单位</label>" not in body, name


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len([q for q in context.captured_queries if "set_config('app.tenant_id'" not in q["sql"]])


def test_pages_run_a_constant_number_of_queries(world, tenant_a, manager, hr_a, login):
    paths = [
        url("dashboard-unit"),
        url("dashboard-collaboration"),
        url("dashboard-collaboration") + "?table=1",
        url("dashboard-ranking"),
        url("whatif") + f"?kpi={world.kpis['retention'].pk}&period={world.period.pk}",
    ]
    manager_client = login(manager)
    small = [_count(manager_client, paths[0])]
    hr_client = login(hr_a)
    small += [_count(hr_client, p) for p in paths[1:]]
    with tenant_scope(tenant_a):
        _grow(world, 30)
    large = [_count(login(manager), paths[0])]
    hr_client = login(hr_a)
    large += [_count(hr_client, p) for p in paths[1:]]
    assert small == large
    assert max(large) <= 20


# --------------------------------------------------------------------------------------------- what-if


def _snapshot_state():
    return sorted(ScoreSnapshot.objects.values_list("pk", "version", "total"))


def test_whatif_page_posts_editor_fields_and_writes_nothing(world, tenant_a, hr_a, login):
    client = login(hr_a)
    page = client.get(url("whatif") + f"?kpi={world.kpis['retention'].pk}&period={world.period.pk}")
    assert page.status_code == 200 and 'name="rows-2-share"' in page.content.decode()
    with tenant_scope(tenant_a):
        before, audits = _snapshot_state(), AuditEvent.objects.count()
    data = {
        "matrix": world.matrices["retention"].pk,
        "rows-0-org_unit": world.units["service"].pk,
        "rows-0-role": "lead",
        "rows-0-share": "60",
        "rows-0-evaluation_kpi": world.kpis["complaint_rate"].pk,
        "rows-1-org_unit": world.units["sales"].pk,
        "rows-1-role": "collaborating",
        "rows-1-share": "40",
        "rows-2-role": "collaborating",  # a blank spare row is ignored, as in the editor
    }
    response = client.post(url("whatif"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="whatif-table"' in body and "<html" not in body
    assert "83.00" in body and "80.00" in body and "-3.00" in body
    with tenant_scope(tenant_a):
        assert _snapshot_state() == before and AuditEvent.objects.count() == audits
    # Another user still sees the stored score.
    other_hr = login(member(tenant_a, "committee"))
    shown = other_hr.get(url("dashboard-unit") + f"?unit={world.units['service'].pk}").content.decode()
    total = shown[shown.index('id="dashboard-total"') :].split("</div>")[0]
    assert "83.00" in total and "80.00" not in total


def test_whatif_opens_a_matrix_through_the_matrix_door(world, other, manager, login):
    """`?matrix=` is fetched by `responsibility.access.access_matrix_by_id`: a manager's own tenant's matrix
    opens with its KPI and period; another tenant's, a missing and a malformed id are the same 404."""
    client = login(manager)
    matrix = world.matrices["retention"]
    page = client.get(url("whatif") + f"?matrix={matrix.pk}")
    body = page.content.decode()
    assert page.status_code == 200 and 'name="rows-0-share"' in body
    assert f'<input type="hidden" name="kpi" value="{matrix.kpi_id}">' in body
    assert f'<input type="hidden" name="period" value="{matrix.effective_from_id}">' in body
    for pk in (other.matrices["dso"].pk, matrix.pk + 10_000, "x", "1e3"):
        assert client.get(url("whatif") + f"?matrix={pk}").status_code == 404, pk


def test_whatif_scorecard_and_field_errors(world, other, hr_a, login):
    client = login(hr_a)
    card = world.scorecards["sales"]
    assert 'name="lines-0-kpi"' in client.get(url("whatif") + f"?scorecard={card.pk}").content.decode()
    data = {
        "scorecard": card.pk,
        "review_weight": "0",
        "lines-0-kpi": world.kpis["revenue"].pk,
        "lines-0-role": "own",
        "lines-0-weight": "100",
    }
    body = client.post(url("whatif"), data).content.decode()
    assert "98.00" in body and "110.00" in body and "<html" in body
    bad = dict(data, **{"lines-0-kpi": other.kpis["revenue"].pk, "review_weight": "x\x00"})
    body = client.post(url("whatif"), bad, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="whatif-errors"' in body
    foreign_unit = {
        "kpi": world.kpis["dso"].pk,
        "period": world.period.pk,
        "rows-0-org_unit": other.units["sales"].pk,
        "rows-0-role": "lead",
        "rows-0-share": "100",
    }
    assert 'id="whatif-errors"' in client.post(url("whatif"), foreign_unit).content.decode()
    assert client.post(url("whatif"), {"scorecard": other.scorecards["sales"].pk}).status_code == 404
    assert client.post(url("whatif"), {"kpi": other.kpis["dso"].pk}).status_code == 404
    assert client.post(url("whatif"), {"matrix": other.matrices["dso"].pk}).status_code == 404
    assert client.post(url("whatif"), {"scorecard": "1e5"}).status_code == 404


def test_whatif_is_for_hr_admins_and_managers_of_a_unit(world, tenant_a, login):
    # a manager without a unit of their own has no scope to try changes on; readers only read
    for roles in (("manager",), ("committee",), ("auditor",), ("employee",)):
        client = login(member(tenant_a, *roles))
        assert client.get(url("whatif")).status_code == 403
        assert client.post(url("whatif"), {"kpi": world.kpis["dso"].pk}).status_code == 403


def test_a_manager_runs_whatif_on_their_own_units_only(world, other, tenant_a, manager, login):
    """Issue 8, item 11: managers got 403; they may compare their own unit's scores (nothing is written)."""
    client = login(manager)
    with tenant_scope(tenant_a):
        before = _snapshot_state()
    own = world.scorecards["sales"]
    assert client.get(url("whatif") + f"?scorecard={own.pk}").status_code == 200
    data = {"scorecard": own.pk, "review_weight": "0", "lines-0-kpi": world.kpis["revenue"].pk,
            "lines-0-role": "own", "lines-0-weight": "100"}  # fmt: skip
    body = client.post(url("whatif"), data, HTTP_HX_REQUEST="true").content.decode()
    assert "98.00" in body and "110.00" in body
    # another unit's scorecard: 403; another tenant's: 404
    service = dict(data, scorecard=world.scorecards["service"].pk)
    assert client.get(url("whatif") + f"?scorecard={world.scorecards['service'].pk}").status_code == 403
    assert client.post(url("whatif"), service).status_code == 403
    assert client.post(url("whatif"), dict(data, scorecard=other.scorecards["sales"].pk)).status_code == 404
    # a matrix what-if shows the manager's own units' scores only, and says so
    matrix = {
        "kpi": world.kpis["retention"].pk, "period": world.period.pk,
        "rows-0-org_unit": world.units["service"].pk, "rows-0-role": "lead", "rows-0-share": "60",
        "rows-0-evaluation_kpi": world.kpis["complaint_rate"].pk,
        "rows-1-org_unit": world.units["sales"].pk, "rows-1-role": "collaborating", "rows-1-share": "40",
    }  # fmt: skip
    body = client.post(url("whatif"), matrix, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-subject="unit:{world.units["sales"].pk}"' in body
    assert f'data-subject="unit:{world.units["service"].pk}"' not in body
    assert "Only your own units" in body and 'data-reason="no_weight"' not in body
    with tenant_scope(tenant_a):
        assert _snapshot_state() == before


def test_whatif_page_says_why_no_score_changes(world, hr_a, login):
    client = login(hr_a)
    data = {
        "kpi": world.kpis["milestone_on_time"].pk, "period": world.period.pk,
        "rows-0-org_unit": world.units["rnd"].pk, "rows-0-role": "lead", "rows-0-share": "100",
    }  # fmt: skip
    body = client.post(url("whatif"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="whatif-reasons"' in body and 'data-reason="no_scorecard"' in body
    assert "No published scorecard in 2025 has a line of 里程碑准时率" in body


def test_manager_home_links_to_the_dashboard(world, manager, login):
    body = login(manager).get(reverse("tenant-home", kwargs={"tenant_slug": "alpha"})).content.decode()
    assert url("dashboard-unit") in body


def test_whatif_takes_the_matrix_editors_payload(world, other, tenant_a, hr_a, login):
    """What the matrix editor's form posts (header fields, rows) plus the matrix id its button adds."""
    client = login(hr_a)
    assert client.get(url("whatif")).status_code == 200  # the picker
    payload = {
        "csrfmiddlewaretoken": "x",
        "lock_version": world.matrices["dso"].lock_version,
        "note": "finance alone",
        "effective_from": world.period.pk,  # the new-version editor's period field
        "matrix": world.matrices["dso"].pk,
        "rows-0-org_unit": world.units["finance"].pk,
        "rows-0-role": "lead",
        "rows-0-share": "100",
        "rows-0-contribution_dimension": "账款管理",
        "rows-0-evaluation_kpi": "",
        "rows-0-evaluation_method": "",
    }
    body = client.post(url("whatif"), payload, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="whatif-table"' in body and "财务部" in body  # finance has no scorecard: named below the table
    assert client.post(url("whatif"), dict(payload, effective_from=other.period.pk)).status_code == 404
    assert client.post(url("whatif"), dict(payload, period="12abc")).status_code == 404
    nul = client.post(url("whatif"), dict(payload, **{"rows-0-share": "1\x000"}), HTTP_HX_REQUEST="true")
    assert nul.status_code == 200 and 'id="whatif-errors"' in nul.content.decode()


def _form_of(page: str, form_id: str) -> str:
    start = page.index(f'id="{form_id}"')
    return page[start : page.index("</form>", start)]


def test_the_matrix_and_scorecard_editors_offer_whatif_on_their_own_form(world, hr_a, login):
    client = login(hr_a)
    matrix, card = world.matrices["retention"], world.scorecards["sales"]
    form = _form_of(client.get(url("matrix-edit", pk=matrix.pk)).content.decode(), "matrix-form")
    assert 'id="whatif-button"' in form and 'hx-include="closest form"' in form
    assert f'{{"matrix": "{matrix.pk}"}}' in form
    form = _form_of(client.get(url("scorecard-edit", pk=card.pk)).content.decode(), "scorecard-form")
    assert 'id="whatif-button"' in form and f'{{"scorecard": "{card.pk}"}}' in form
    creating = client.get(url("matrix-create")).content.decode()
    assert 'id="whatif-button"' in creating and "hx-vals='{}'" in creating
