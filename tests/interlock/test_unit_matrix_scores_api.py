"""The department dashboard's matrix numbers (points, shortfalls, composite) are readable through the API,
from the page's own selector and under the page's access rule."""

from __future__ import annotations

import pytest

from collab.selectors.periods import periods_ordered
from collab.tenancy import tenant_scope
from interlock.selectors.dashboards import unit_dashboard
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables
from tests.factories.org import EmployeeFactory


def api(unit_pk: int, period_pk, slug: str = "alpha") -> str:
    return f"/api/v1/t/{slug}/unit-matrix-scores/{unit_pk}/?period={period_pk}"


@pytest.fixture
def world(tenant_a, hr_a):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
        scores_recompute(period=world.period, actor=hr_a)
    return world


def test_the_api_returns_the_numbers_the_dashboard_shows(world, tenant_a, hr_a, api_client_for):
    sales = world.units["sales"]
    body = api_client_for(hr_a).get(api(sales.pk, world.period.pk)).json()
    with tenant_scope(tenant_a):
        page = unit_dashboard(sales, world.period, periods_ordered())
    assert page["shared"], "the seed gives sales a row in some matrix"
    assert body["unit"] == sales.pk and body["period"] == world.period.pk
    assert body["shortfall_total"] == pytest.approx(page["shortfall_total"])
    by_matrix = {m["matrix"]: m for m in body["matrices"]}
    assert set(by_matrix) == {item["matrix"] for item in page["shared"]}
    for item in page["shared"]:
        got = by_matrix[item["matrix"]]
        assert got["composite"] == item["composite"] and got["kpi_score"] == item["kpi_score"]
        assert [
            (r["unit"], r["responsibility_points"], r["shortfall"], r["contribution"]) for r in got["rows"]
        ] == [
            (r["unit"]["pk"], r["responsibility_points"], r["shortfall"], r["contribution"])
            for r in item["rows"]
        ]
        assert sum(r["is_self"] for r in got["rows"]) == 1
    dso = by_matrix[world.matrices["dso"].pk]
    assert any(r["responsibility_points"] is not None for r in dso["rows"])
    # the two kinds of points have different names: a matrix row never answers a bare `points`
    assert all("points" not in r for m in body["matrices"] for r in m["rows"])


def test_the_pages_access_rule(world, tenant_a, api_client_for):
    manager = make_member(tenant_a, "manager", username="mgr_sales")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=world.units["sales"], user=manager)
    client = api_client_for(manager)
    assert client.get(api(world.units["sales"].pk, world.period.pk)).status_code == 200
    assert client.get(api(world.units["service"].pk, world.period.pk)).status_code == 403
    employee = api_client_for(make_member(tenant_a, "employee", username="just_staff"))
    assert employee.get(api(world.units["sales"].pk, world.period.pk)).status_code == 403


def test_bad_ids_are_field_errors_or_404(world, tenant_b, hr_a, hr_b, api_client_for):
    client = api_client_for(hr_a)
    sales = world.units["sales"].pk
    assert set(client.get(api(sales, "x")).json()) == {"period"}
    assert set(client.get(f"/api/v1/t/alpha/unit-matrix-scores/{sales}/").json()) == {"period"}
    assert client.get(api(999999, world.period.pk)).status_code == 404
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
    assert client.get(api(theirs.units["sales"].pk, world.period.pk)).status_code == 404  # another tenant's
    assert client.get(api(sales, theirs.period.pk)).status_code == 400
