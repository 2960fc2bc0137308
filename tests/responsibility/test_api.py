"""Matrices API: CRUD through the services, new versions, 409 on stale saves, field errors for bad input,
other tenants' ids and foreign keys read as missing, constant list query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.models import Role
from collab.tenancy import tenant_scope
from responsibility.models import MatrixRow, ResponsibilityMatrix
from tests.factories import make_member
from tests.factories.goals import KPIFactory
from tests.interlock import seed_tables
from tests.responsibility.test_pages import World, create_matrix

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/matrices/"


@pytest.fixture
def world(tenant_a, tenant_b):
    other = World(tenant_b)
    mine = World(tenant_a)
    mine.other = other
    return mine


@pytest.fixture
def api(hr_a, api_client_for):
    return api_client_for(hr_a)


def seed_rows(world, kpi_name):
    return [
        {
            "org_unit": world.units[u].pk, "role": r, "share": s,
            "evaluation_kpi": world.kpis[e].pk if e else None,
            "contribution_dimension": d, "evaluation_method": m,
        }
        for u, r, s, e, d, m in seed_tables.MATRICES[kpi_name][1]
    ]  # fmt: skip


@pytest.mark.parametrize("kpi_name", ["retention", "dso", "renewal"])
def test_create_the_seed_tables(world, api, tenant_a, kpi_name):
    body = {
        "kpi": world.kpis[kpi_name].pk,
        "effective_from": world.p2025.pk,
        "rows": seed_rows(world, kpi_name),
    }
    response = api.post(BASE, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["version"] == 1 and data["lock_version"] == 1
    assert [(r["org_unit"], r["role"], Decimal(r["share"])) for r in data["rows"]] == [
        (row["org_unit"], row["role"], Decimal(row["share"])) for row in body["rows"]
    ]
    with tenant_scope(tenant_a):
        assert MatrixRow.objects.filter(matrix_id=data["id"]).count() == len(body["rows"])


def test_read_list_filters_and_detail(world, tenant_a, api_client_for):
    with tenant_scope(tenant_a):
        v1 = create_matrix(world, "retention")
        create_matrix(world, "dso")
    manager = api_client_for(make_member(tenant_a, Role.MANAGER, username="m"))
    listing = manager.get(BASE).json()
    assert len(listing["results"]) == 2 if isinstance(listing, dict) else len(listing) == 2
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert {r["kpi_code"] for r in rows} == {"CUST-RET", "AR-DSO"}
    only = manager.get(BASE, {"kpi": world.kpis["retention"].pk}).json()
    only = only["results"] if isinstance(only, dict) else only
    assert [m["id"] for m in only] == [v1.pk]
    detail = manager.get(f"{BASE}{v1.pk}/").json()
    assert [r["share"] for r in detail["rows"]] == ["50.00", "30.00", "20.00"]
    assert manager.get(BASE, {"kpi": "x"}).status_code == 400
    assert manager.post(BASE, {}, format="json").status_code == 403
    employee = api_client_for(make_member(tenant_a, Role.EMPLOYEE, username="e"))
    assert employee.get(BASE).status_code == 403


def test_list_query_count_is_constant(world, tenant_a, api, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        create_matrix(world, "retention")
    with django_assert_max_num_queries(8):
        assert api.get(BASE).status_code == 200
    with tenant_scope(tenant_a):
        for _ in range(10):
            from responsibility.services.matrices import matrix_create

            matrix_create(actor=None, kpi=KPIFactory(), effective_from=world.p2025, rows=[
                {"org_unit": world.units["sales"], "role": "lead", "share": "100"}])  # fmt: skip
    with django_assert_max_num_queries(8):
        assert api.get(BASE).status_code == 200


def test_update_in_place_and_stale_update_is_409(world, tenant_a, api, api_client_for):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    rows = seed_rows(world, "retention")
    rows[0]["share"], rows[1]["share"] = "45", "35"
    response = api.put(f"{BASE}{matrix.pk}/", {"lock_version": 1, "rows": rows, "note": "n"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["lock_version"] == 2
    other = api_client_for(
        make_member(tenant_a, Role.HR_ADMIN, username="li", first_name="Li", last_name="Na")
    )
    assert (
        other.patch(f"{BASE}{matrix.pk}/", {"lock_version": 2, "note": "theirs"}, format="json").status_code
        == 200
    )
    stale = api.patch(f"{BASE}{matrix.pk}/", {"lock_version": 2, "note": "mine"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["changed_by"] == "Li Na" and body["lock_version"] == 3 and body["changed_at"]
    assert "Li Na changed this responsibility matrix" in body["detail"]
    with tenant_scope(tenant_a):
        matrix.refresh_from_db()
        assert matrix.note == "theirs"
    missing = api.patch(f"{BASE}{matrix.pk}/", {"note": "x"}, format="json")
    assert missing.status_code == 400 and "lock_version" in missing.json()


def test_new_version(world, tenant_a, api):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    body = {
        "lock_version": 1,
        "effective_from": world.p2026.pk,
        "rows": [{"org_unit": world.units["sales"].pk, "role": "lead", "share": "100"}],
    }
    response = api.post(f"{BASE}{matrix.pk}/new-version/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    again = api.post(f"{BASE}{matrix.pk}/new-version/", body, format="json")
    assert again.status_code == 409  # v1 is no longer the latest version
    with tenant_scope(tenant_a):
        assert ResponsibilityMatrix.objects.filter(kpi=world.kpis["retention"]).count() == 2
        assert matrix.rows.count() == 3


def test_bad_input_is_field_errors_and_writes_nothing(world, tenant_a, api):
    kpi = world.kpis["retention"].pk
    cases = [
        ({"kpi": "abc", "effective_from": world.p2025.pk, "rows": []}, "kpi"),
        ({"kpi": "12", "effective_from": world.p2025.pk, "rows": []}, "kpi"),  # ids are JSON integers
        ({"kpi": kpi, "effective_from": world.p2025.pk, "rows": "x"}, "rows"),
        ({"kpi": kpi, "effective_from": world.p2025.pk}, "rows"),
        ({"kpi": kpi, "effective_from": world.p2025.pk, "rows": [{"org_unit": "1\x00", "role": "lead",
                                                                  "share": "100"}]}, "rows-0-org_unit"),
        ({"kpi": kpi, "effective_from": world.p2025.pk,
          "rows": [{"org_unit": world.units["sales"].pk, "role": "boss", "share": "x"}]}, "rows-0-role"),
        ({"kpi": kpi, "effective_from": world.p2025.pk, "rows": [
            {"org_unit": world.units["sales"].pk, "role": "lead", "share": "60"},
            {"org_unit": world.units["rnd"].pk, "role": "lead", "share": "30"}]}, "rows"),
        ({"kpi": kpi, "effective_from": world.p2025.pk, "rows": [
            {"org_unit": world.units["sales"].pk, "role": "lead", "share": "100",
             "contribution_dimension": "a\x00b"}]}, "rows-0-contribution_dimension"),
    ]  # fmt: skip
    for body, key in cases:
        response = api.post(BASE, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert key in response.json(), (key, response.json())
    assert api.post(BASE, [1, 2], format="json").status_code == 400
    messages = api.post(BASE, cases[6][0], format="json").json()["rows"]
    assert "A matrix needs exactly one lead; it has 2." in messages
    assert "Shares must add up to exactly 100 %; they add up to 90 %." in messages
    with tenant_scope(tenant_a):
        assert not ResponsibilityMatrix.objects.exists()


def test_other_tenants_ids_and_foreign_keys_read_as_missing(world, tenant_a, tenant_b, api):
    other = world.other
    with tenant_scope(tenant_b):
        theirs = create_matrix(other, "retention")
    assert api.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert (
        api.patch(f"{BASE}{theirs.pk}/", {"lock_version": 1, "note": "x"}, format="json").status_code == 404
    )
    assert api.post(f"{BASE}{theirs.pk}/new-version/", {}, format="json").status_code == 404
    assert api.delete(f"{BASE}{theirs.pk}/").status_code in (404, 405)
    foreign = api.post(
        BASE,
        {"kpi": other.kpis["dso"].pk, "effective_from": world.p2025.pk, "rows": seed_rows(world, "dso")},
        format="json",
    )
    assert foreign.status_code == 404 and "kpi" in foreign.json()  # like a missing one (DESIGN.md §4)
    missing = api.post(
        BASE,
        {"kpi": 987654321, "effective_from": world.p2025.pk, "rows": seed_rows(world, "dso")},
        format="json",
    )
    assert missing.status_code == 404 and missing.json() == foreign.json()
    rows = seed_rows(world, "dso")
    rows[1]["org_unit"] = other.units["sales"].pk
    rows[0]["evaluation_kpi"] = other.kpis["revenue"].pk
    response = api.post(
        BASE, {"kpi": world.kpis["dso"].pk, "effective_from": world.p2025.pk, "rows": rows}, format="json"
    )
    assert response.status_code == 404 and "rows-0-evaluation_kpi" in response.json()
    rows[0]["evaluation_kpi"] = None
    response = api.post(
        BASE, {"kpi": world.kpis["dso"].pk, "effective_from": world.p2025.pk, "rows": rows}, format="json"
    )
    assert response.status_code == 404 and set(response.json()) == {"detail", "rows-1-org_unit"}
    with tenant_scope(tenant_b):
        assert ResponsibilityMatrix.objects.count() == 1 and theirs.rows.count() == 3
    with tenant_scope(tenant_a):
        assert not ResponsibilityMatrix.objects.exists()


def test_effective_period_rule_in_the_api(world, tenant_a, tenant_b, api, api_client_for):
    """Issue 8, item 9: a first version may take 2026 Q4 with October closed (open periods only); the API
    lists the choices with the save's own verdicts, and a later version may not rescore a closed month."""
    from collab.models import Period
    from tests.factories.org import PeriodFactory

    with tenant_scope(tenant_a):
        oct_ = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=10)
        nov = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=11, status=Period.Status.ACTIVE)
        q4 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=4, status=Period.Status.ACTIVE)
        Period.objects.filter(pk=oct_.pk).update(status=Period.Status.CLOSED)
    options = api.get(f"{BASE}effective-periods/").json()
    by_label = {o["label"]: o for o in options}
    assert "2026-10" not in by_label
    assert by_label["2026 Q4"]["allowed"] and by_label["2026 Q4"]["kept"] == [oct_.pk]
    body = {"kpi": world.kpis["retention"].pk, "effective_from": q4.pk, "rows": seed_rows(world, "retention")}
    created = api.post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kept_closed"] == [oct_.pk]
    with tenant_scope(tenant_a):
        Period.objects.filter(pk=nov.pk).update(status=Period.Status.CLOSED)
    kpi_options = {
        o["label"]: o for o in api.get(f"{BASE}effective-periods/?kpi={world.kpis['retention'].pk}").json()
    }
    assert not kpi_options["2026 Q4"]["allowed"] and "2026-11" in kpi_options["2026 Q4"]["reason"]
    refused = api.post(
        f"{BASE}{created.json()['id']}/new-version/",
        {"lock_version": 1, "effective_from": q4.pk, "rows": seed_rows(world, "retention")},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["effective_from"] == [kpi_options["2026 Q4"]["reason"]]
    # another tenant's KPI reads as missing; a malformed id is a field error
    assert api.get(f"{BASE}effective-periods/?kpi={world.other.kpis['retention'].pk}").status_code == 404
    assert api.get(f"{BASE}effective-periods/?kpi=abc").status_code == 400
