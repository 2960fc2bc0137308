"""The trace view (who carries what part of a result) and the units × perspectives matrix."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from goals.selectors.tree import load as tree_load
from goals.selectors.tree import matrix as tree_matrix
from goals.selectors.tree import trace as tree_trace
from goals.services.tree.nodes import goal_create, siblings_reweight
from tests.factories import make_member
from tests.factories.goal_tree import seed_tree
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tree_a(tenant_a):
    with tenant_scope(tenant_a):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE))


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


class TestTraceSelector:
    def test_effective_weights_paths_and_cross_department(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            tree = tree_load.load_tree(tree_a["period"])
        roots = tree_trace.trace_roots(tree, kpi_id=tree_a["ret"].pk)
        assert [r.id for r in roots] == [tree_a["root"].pk]  # the top-most holder only
        result = tree_trace.trace(tree, roots)
        by_goal = {c.node.id: c for c in result.contributions}
        assert by_goal[tree_a["root"].pk].effective == pytest.approx(100)
        assert by_goal[tree_a["a"].pk].effective == pytest.approx(60)
        assert by_goal[tree_a["leaf"].pk].effective == pytest.approx(60)
        assert by_goal[tree_a["b"].pk].effective == pytest.approx(40)
        assert [n.id for n in by_goal[tree_a["leaf"].pk].chain] == [tree_a["root"].pk, tree_a["a"].pk]
        # RET is collaborative; service answers for a KPI owned by sales (another department).
        assert by_goal[tree_a["b"].pk].reasons == ["collaborative", "other_department"]
        assert by_goal[tree_a["a"].pk].reasons == ["collaborative"]
        assert by_goal[tree_a["leaf"].pk].reasons == []  # the rep's own KPI, owned by its own unit
        assert by_goal[tree_a["root"].pk].reasons == ["collaborative"]  # the group is above the owner
        responsible = {(r.unit_name, r.position_title): r.effective for r in result.responsible}
        assert responsible == {
            ("Sales", "Sales rep"): pytest.approx(60), ("Service", None): pytest.approx(40),
        }
        assert sum(c.effective for c in result.leaves) == pytest.approx(100)
        assert result.cross_share == pytest.approx(40)
        assert result.units == 3 and result.positions == 1

    def test_another_departments_kpi_without_the_collaborative_flag(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            goal_create(actor=None, period=tree_a["period"], org_unit=tree_a["service"],
                                 kpi=tree_a["win"], parent=tree_a["b"], weight=100)
            tree = tree_load.load_tree(tree_a["period"])
        result = tree_trace.trace(tree, tree_trace.trace_roots(tree, kpi_id=tree_a["win"].pk))
        reasons = {c.node.unit_name: c.reasons for c in result.contributions}
        assert reasons == {"Sales": [], "Service": ["other_department"]}
        assert result.cross_share == pytest.approx(50)  # two separate starting goals, one of them cross

    def test_shares_are_normalised_within_siblings(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            siblings_reweight(actor=None, weights={tree_a["a"].pk: 30, tree_a["b"].pk: 30})
            tree = tree_load.load_tree(tree_a["period"])
        result = tree_trace.trace(tree, tree_trace.trace_roots(tree, goal_id=tree_a["root"].pk))
        by_goal = {c.node.id: c for c in result.contributions}
        assert by_goal[tree_a["a"].pk].effective == pytest.approx(50)
        assert by_goal[tree_a["b"].pk].share == pytest.approx(50)


class TestTracePage:
    def test_reads_the_trace_of_a_group_kpi(self, tenant_a, tree_a, login):
        user = make_member(tenant_a, "committee", username="committee_a")
        response = login(user).get(f"{url('goal-trace')}?period={tree_a['period'].pk}")
        assert response.status_code == 200
        html = response.content.decode()
        # The group-level KPI is picked by default; the star that marks such KPIs is explained.
        assert re.search(rf'<option value="{tree_a["ret"].pk}" selected>★ ', html)
        assert 'id="trace-kpi-help">★ a KPI held at the top level of the tree' in html
        assert 'id="trace-responsible"' in html and 'id="trace-paths"' in html
        row = html[html.index(f'<tr data-goal="{tree_a["b"].pk}"'):]
        row = row[: row.index("</tr>")]
        assert 'data-cross="1"' in row and "40.00%" in row and "other department" in row
        leaf = html[html.index(f'<tr data-goal="{tree_a["leaf"].pk}"'):]
        leaf = leaf[: leaf.index("</tr>")]
        assert "60.00%" in leaf and "Group" in leaf and "Sales" in leaf and "data-cross" not in leaf
        assert 'id="trace-cross">40.0%' in html

    def test_trace_from_a_goal_and_roles(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        response = client.get(f"{url('goal-trace')}?period={tree_a['period'].pk}&goal={tree_a['a'].pk}")
        html = response.content.decode()
        assert 'id="trace-from-goal"' in html
        assert f'<tr data-goal="{tree_a["b"].pk}"' not in html
        for role in ("manager", "auditor"):
            user = make_member(tenant_a, role, username=f"{role}_t")
            assert login(user).get(url("goal-trace")).status_code == 200

    def test_empty_period_and_unknown_kpi(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        with tenant_scope(tenant_a):
            empty = PeriodFactory(year=2031)
            unused = KPIFactory()
        response = client.get(f"{url('goal-trace')}?period={empty.pk}")
        assert b'id="trace-empty"' in response.content
        response = client.get(f"{url('goal-trace')}?period={tree_a['period'].pk}&kpi={unused.pk}")
        assert response.status_code == 200 and b"No goal of this period holds this KPI" in response.content
        assert client.get(f"{url('goal-trace')}?period={tree_a['period'].pk}&kpi=99999999").status_code == 404


@pytest.fixture
def twin_finance(tenant_a):
    """Two subsidiaries, each with a "Finance" department carrying the group's cost KPI; one subsidiary
    name repeats under two business groups too ("North"), so only the code tells those apart."""
    with tenant_scope(tenant_a):
        period = PeriodFactory(year=2033, status=Period.Status.ACTIVE)
        group = OrgUnitFactory(code="GRP", name="Group", kind="group")
        east = OrgUnitFactory(code="SUB-E", name="East Co", parent=group, kind="subsidiary")
        west = OrgUnitFactory(code="SUB-W", name="West Co", parent=group, kind="subsidiary")
        bg1 = OrgUnitFactory(code="BG1", name="Coal", parent=group, kind="business_group")
        bg2 = OrgUnitFactory(code="BG2", name="Metal", parent=group, kind="business_group")
        north1 = OrgUnitFactory(code="N-1", name="North", parent=bg1, kind="subsidiary")
        north2 = OrgUnitFactory(code="N-2", name="North", parent=bg2, kind="subsidiary")
        finances = [
            OrgUnitFactory(code=f"{parent.code}-FIN", name="Finance", parent=parent, kind="department")
            for parent in (east, west, north1, north2)
        ]
        cost = KPIFactory(code="COST", owner_unit=group)
        root = goal_create(actor=None, period=period, org_unit=group, kpi=cost, weight=100)
        goals = [
            goal_create(actor=None, period=period, org_unit=unit, kpi=cost, parent=root, weight=w)
            for unit, w in zip(finances, (40, 30, 20, 10), strict=True)
        ]
    return {"period": period, "cost": cost, "finances": finances, "goals": goals}


class TestSameNamedUnits:
    def test_the_trace_tells_apart_units_of_the_same_name(self, tenant_a, twin_finance):
        with tenant_scope(tenant_a):
            tree = tree_load.load_tree(twin_finance["period"])
        result = tree_trace.trace(tree, tree_trace.trace_roots(tree, kpi_id=twin_finance["cost"].pk))
        labels = [r.unit_label for r in result.responsible]
        assert labels == [
            "East Co › Finance", "West Co › Finance",
            "North › Finance (N-1-FIN)", "North › Finance (N-2-FIN)",
        ]
        root = next(c for c in result.contributions if not c.chain)
        assert root.unit_label == "Group", "a unique name stays as it is"

    def test_a_path_through_the_parent_unit_needs_no_prefix(self, tenant_a, twin_finance):
        east_finance = twin_finance["finances"][0]
        with tenant_scope(tenant_a):
            common = {"actor": None, "period": twin_finance["period"], "kpi": twin_finance["cost"]}
            root = twin_finance["goals"][0].parent
            east = goal_create(**common, org_unit=east_finance.parent, parent=root, weight=0)
            below = goal_create(**common, org_unit=east_finance, parent=east, weight=100)
            tree = tree_load.load_tree(twin_finance["period"])
        result = tree_trace.trace(tree, tree_trace.trace_roots(tree, kpi_id=twin_finance["cost"].pk))
        via_parent = next(c for c in result.contributions if c.node.id == below.pk)
        assert via_parent.chain_labels == ["Group", "East Co"] and via_parent.unit_label == "Finance"
        direct = next(c for c in result.contributions if c.node.id == twin_finance["goals"][0].pk)
        assert direct.unit_label == "East Co › Finance"
        assert "East Co › Finance" in {r.unit_label for r in result.responsible}

    def test_the_page_and_the_api_show_the_distinguishing_labels(
        self, tenant_a, twin_finance, hr_a, login, api_client_for
    ):
        params = {"period": twin_finance["period"].pk, "kpi": twin_finance["cost"].pk}
        html = login(hr_a).get(url("goal-trace"), params).content.decode()
        table = html[html.index('id="trace-responsible"'):]
        table = table[: table.index("</table>")]
        for label in ("East Co › Finance", "West Co › Finance", "North › Finance (N-1-FIN)"):
            assert label in table
        first = twin_finance["goals"][0]
        row = html[html.index(f'<tr data-goal="{first.pk}"'):]
        assert "East Co › Finance" in row[: row.index("</tr>")]
        data = api_client_for(hr_a).get("/api/v1/t/alpha/goals/trace/", params).json()
        labels = [r["org_unit_label"] for r in data["responsible"]]
        assert labels[:2] == ["East Co › Finance", "West Co › Finance"]
        assert {r["org_unit_code"] for r in data["responsible"]} == {u.code for u in twin_finance["finances"]}
        by_goal = {c["id"]: c for c in data["contributions"]}
        assert by_goal[first.pk]["org_unit"]["parent_name"] == "East Co"

    def test_a_trace_from_a_same_named_units_goal_says_whose_unit(self, tenant_a, twin_finance, hr_a, login):
        west = twin_finance["goals"][1]
        html = login(hr_a).get(url("goal-trace"), {"period": twin_finance["period"].pk, "goal": west.pk})
        html = html.content.decode()
        start = html[html.index('id="trace-from-goal"'):]
        assert "West Co › Finance · COST" in start[: start.index("</p>")]
        result = html[html.index("Result"):]
        assert "West Co › Finance · COST" in result[: result.index("</p>")]


class TestMatrix:
    def test_cells_are_weighted_progress_per_unit_and_perspective(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            extra = KPIFactory(owner_unit=tree_a["sales"], perspective="customer")
            goal_create(actor=None, period=tree_a["period"], org_unit=tree_a["sales"], kpi=extra,
                                 parent=tree_a["a"], weight=0)
            tree = tree_load.load_tree(tree_a["period"])
        rows = {r.unit_name: r for r in tree_matrix.matrix_rows(tree)}
        assert list(rows) == ["Group", "Sales", "Service"]
        cells = {c.perspective: c for c in rows["Sales"].cells}
        # Sales customer: its RET goal (progress 110, rolled up from the rep) — the extra goal has no data.
        assert cells["customer"].progress == pytest.approx(110) and cells["customer"].goals == 2
        assert cells["financial"].progress == pytest.approx(110)  # the rep's WIN goal
        assert cells["internal_process"].goals == 0 and cells["internal_process"].progress is None
        assert rows["Group"].overall.progress == pytest.approx(102) and rows["Group"].overall.band == "green"
        assert {c.perspective: c.band for c in rows["Service"].cells}["customer"] == "amber"
        assert tree_matrix.matrix_rows(tree, query="serv")[0].unit_name == "Service"
        assert [r.unit_name for r in tree_matrix.matrix_rows(tree, kind="group")] == ["Group"]

    def test_page_and_drill_down(self, tenant_a, tree_a, login):
        user = make_member(tenant_a, "manager", username="manager_m")
        client = login(user)
        response = client.get(f"{url('goal-matrix')}?period={tree_a['period'].pk}")
        html = response.content.decode()
        assert response.status_code == 200 and 'id="goal-matrix"' in html
        cell_url = url("goal-matrix-cell", period_pk=tree_a["period"].pk, unit_pk=tree_a["sales"].pk,
                       perspective="customer")
        assert cell_url in html
        drill = client.get(cell_url, **HTMX)
        assert drill.status_code == 200 and b"<html" not in drill.content
        assert f'data-goal="{tree_a["a"].pk}"'.encode() in drill.content
        assert b"<html" in client.get(cell_url).content
        bad = cell_url.replace("/customer/", "/x/")
        assert client.get(bad).status_code == 404
        query = f"?period={tree_a['period'].pk}&q=serv&part=results"
        filtered = client.get(f"{url('goal-matrix')}{query}", **HTMX)
        assert b'data-unit="S"' not in filtered.content and b'data-unit="C"' in filtered.content
        assert b"<html" not in filtered.content

    def test_units_without_goals_do_not_appear(self, tenant_a, tree_a, hr_a, login):
        with tenant_scope(tenant_a):
            OrgUnitFactory(code="IDLE", name="Idle unit")
        html = login(hr_a).get(f"{url('goal-matrix')}?period={tree_a['period'].pk}").content
        assert b"Idle unit" not in html


def test_weights_are_decimals_and_sums_exact(tenant_a, tree_a):
    with tenant_scope(tenant_a):
        tree = tree_load.load_tree(tree_a["period"])
    assert tree.nodes[tree_a["root"].pk].children_sum == Decimal("100")
    assert tree.off_groups() == []
