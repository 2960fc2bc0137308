"""What-if API (issue 8, item 11): the reasons when no score changes, HR admins and managers of their own
units only, other tenants' ids missing, bad input a JSON error, nothing written."""

from __future__ import annotations

import pytest

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/what-if/"


@pytest.fixture
def world(tenant_a, hr_a):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
        scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def other(tenant_b, hr_b):
    with tenant_scope(tenant_b):
        return build_seed_tables(actor=hr_b)


@pytest.fixture
def manager(tenant_a, world):
    user = make_member(tenant_a, "manager", username="mgr_sales_api")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=world.units["sales"], user=user)
    return user


def _state(tenant):
    with tenant_scope(tenant):
        return sorted(ScoreSnapshot.objects.values_list("pk", "version", "total")), AuditEvent.objects.count()


def test_matrix_whatif_returns_the_reason_no_score_changes(world, other, tenant_a, hr_a, api_client_for):
    api = api_client_for(hr_a)
    before = _state(tenant_a)
    body = {
        "kpi": world.kpis["milestone_on_time"].pk,
        "period": world.period.pk,
        "rows": [{"org_unit": world.units["rnd"].pk, "role": "lead", "share": "100"}],
    }
    response = api.post(f"{BASE}matrix/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["changed"] == 0 and data["changes"] == []
    assert [r["code"] for r in data["reasons"]] == ["no_scorecard"]
    assert "里程碑准时率" in data["reasons"][0]["message"]
    moved = dict(body, kpi=world.kpis["retention"].pk, rows=[
        {"org_unit": world.units["sales"].pk, "role": "lead", "share": "50"},
        {"org_unit": world.units["service"].pk, "role": "collaborating", "share": "30"},
        {"org_unit": world.units["rnd"].pk, "role": "support", "share": "10"},
        {"org_unit": world.units["finance"].pk, "role": "support", "share": "10"},
    ])  # fmt: skip
    data = api.post(f"{BASE}matrix/", moved, format="json").json()
    assert [r["code"] for r in data["reasons"]] == ["no_weight"] and data["scoped"] is False
    # bad rows: field errors keyed as in the editor; another tenant's KPI reads as missing
    bad = dict(body, rows=[{"org_unit": "x", "role": "lead", "share": "90"}])
    response = api.post(f"{BASE}matrix/", bad, format="json")
    assert response.status_code == 400 and "rows-0-org_unit" in response.json()
    assert api.post(f"{BASE}matrix/", dict(body, kpi=other.kpis["dso"].pk), format="json").status_code == 404
    assert api.post(f"{BASE}matrix/", [1], format="json").status_code == 400
    assert _state(tenant_a) == before


def test_managers_compare_their_own_units_only(world, other, tenant_a, manager, api_client_for):
    api = api_client_for(manager)
    before = _state(tenant_a)
    lines = [{"kpi": world.kpis["revenue"].pk, "role": "own", "weight": "100"}]
    own = api.post(f"{BASE}scorecard/", {"scorecard": world.scorecards["sales"].pk, "review_weight": "0",
                                          "lines": lines}, format="json")  # fmt: skip
    assert own.status_code == 200, own.json()
    assert own.json()["changes"][0]["after"] == "110.00"
    service = {"scorecard": world.scorecards["service"].pk, "lines": lines}
    assert api.post(f"{BASE}scorecard/", service, format="json").status_code == 403
    theirs = {"scorecard": other.scorecards["sales"].pk, "lines": lines}
    assert api.post(f"{BASE}scorecard/", theirs, format="json").status_code == 404
    matrix = {
        "kpi": world.kpis["retention"].pk, "period": world.period.pk,
        "rows": [{"org_unit": world.units["service"].pk, "role": "lead", "share": "60",
                  "evaluation_kpi": world.kpis["complaint_rate"].pk},
                 {"org_unit": world.units["sales"].pk, "role": "collaborating", "share": "40"}],
    }  # fmt: skip
    data = api.post(f"{BASE}matrix/", matrix, format="json").json()
    assert data["scoped"] and {c["label"] for c in data["changes"]} == {"销售部"}
    assert _state(tenant_a) == before


@pytest.mark.parametrize("role", ["committee", "auditor", "employee", "manager"])
def test_other_roles_and_managers_without_a_unit_are_refused(world, tenant_a, role, api_client_for):
    api = api_client_for(make_member(tenant_a, role))
    body = {"kpi": world.kpis["dso"].pk, "period": world.period.pk, "rows": []}
    assert api.post(f"{BASE}matrix/", body, format="json").status_code == 403
