"""The collaboration view's numbers are readable through the API, from the page's selectors and under the
page's access rule; bad or foreign ids are field errors; a second tenant is in the room."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.tenancy import tenant_scope
from goals.models import Measurement
from interlock.selectors.dashboards import collaboration, collaboration_rows
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables
from tests.factories.org import EmployeeFactory
from tests.interlock.test_dashboards_selectors import _grow


def api(period_pk, *, slug: str = "alpha", summary: bool = False, **params) -> str:
    query = "&".join([f"period={period_pk}", *(f"{k}={v}" for k, v in params.items())])
    return f"/api/v1/t/{slug}/collaboration/{'summary/' if summary else ''}?{query}"


@pytest.fixture
def world(tenant_a, hr_a):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
        Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("63"))  # drags
        scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def theirs(tenant_b, hr_b, world):
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        scores_recompute(period=theirs.period, actor=hr_b)
    return theirs


def test_the_api_returns_the_numbers_the_page_shows(world, theirs, tenant_a, hr_a, api_client_for):
    client = api_client_for(hr_a)
    body = client.get(api(world.period.pk, summary=True)).json()
    listed = client.get(api(world.period.pk)).json()
    with tenant_scope(tenant_a):
        page = collaboration(world.period)
        rows = collaboration_rows(world.period, page["kpi_order"])
    assert (body["shared_count"], body["unit_count"], body["drag_count"]) == (
        page["shared_count"], page["unit_count"], page["drag_count"],
    )  # fmt: skip
    assert [(d["kpi"], d["affected"], d["mean"], d["units"]) for d in body["drag"]] == [
        (d["kpi"]["pk"], d["affected"], d["mean"], d["units"]) for d in page["drag"]
    ]
    heat = page["chart"]["heatmap"]
    assert [c["score"] for c in body["heatmap"]["cells"]] == [c[2] for c in heat["cells"]]
    assert [(n["unit"], n["degree"], n["total"]) for n in body["graph"]["nodes"]] == [
        (n["unit"], n["degree"], n["total"]) for n in page["chart"]["graph"]["nodes"]
    ]
    assert listed["count"] == page["shared_count"]
    assert [r["kpi"] for r in listed["results"]] == [r["kpi"]["pk"] for r in rows]
    for got, row in zip(listed["results"], rows, strict=True):
        assert got["kpi_score"] == row["kpi_score"] and got["matrix"] == row["matrix"]
        assert [(u["unit"], u["role"], u["share"], u["score"], u["source"]) for u in got["units"]] == [
            (c["unit"], c["role"], c["share"], c["score"], c["source"]) for c in row["cells"]
        ]
    sales = world.units["sales"].pk
    narrowed = client.get(api(world.period.pk, summary=True, unit=sales)).json()
    assert narrowed["unit"] == sales and narrowed["shared_count"] == 0
    # B reads its own numbers under its slug: retention does not drag there.
    their_body = api_client_for(make_member(theirs.period.tenant, "auditor", username="aud_b")).get(
        api(theirs.period.pk, slug="bravo", summary=True)
    )
    assert their_body.status_code == 200 and their_body.json()["drag_count"] == 0


def test_the_pages_access_rule(world, tenant_a, api_client_for):
    manager = make_member(tenant_a, "manager", username="mgr_sales")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=world.units["sales"], user=manager)
    assert api_client_for(manager).get(api(world.period.pk)).status_code == 200
    employee = api_client_for(make_member(tenant_a, "employee", username="just_staff"))
    assert employee.get(api(world.period.pk)).status_code == 403
    assert employee.get(api(world.period.pk, summary=True)).status_code == 403


def test_bad_and_foreign_ids_are_field_errors(world, theirs, hr_a, api_client_for):
    client = api_client_for(hr_a)
    for path in ("/api/v1/t/alpha/collaboration/", "/api/v1/t/alpha/collaboration/summary/"):
        assert set(client.get(path).json()) == {"period"}
        assert client.get(path + "?period=x").status_code == 400
        assert client.get(path + f"?period={theirs.period.pk}").status_code == 400  # another tenant's
        bad_unit = client.get(path + f"?period={world.period.pk}&unit={theirs.units['sales'].pk}")
        assert bad_unit.status_code == 400 and set(bad_unit.json()) == {"unit"}
        assert client.get(path + f"?period={world.period.pk}&unit=%00").status_code == 400


def test_the_api_runs_a_constant_number_of_queries(world, tenant_a, hr_a, api_client_for):
    client = api_client_for(hr_a)

    def count(path) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    paths = [api(world.period.pk), api(world.period.pk, summary=True)]
    small = [count(p) for p in paths]
    with tenant_scope(tenant_a):
        _grow(world, 8)
    assert [count(p) for p in paths] == small
    assert max(small) <= 20
