"""API of KPIs, objectives and objective links: CRUD, filters, field errors, roles, cross-tenant ids, FKs."""

from __future__ import annotations

import pytest

from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import KPI, Objective, ObjectiveLink
from tests.factories import make_member
from tests.factories.goals import (
    GoalFactory,
    KPIFactory,
    ObjectiveFactory,
    ObjectiveLinkFactory,
    OrgUnitFactory,
    PeriodFactory,
)
from tests.versions import versioned

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/{slug}/{resource}/"


def api_url(resource, pk=None, slug="alpha"):
    return BASE.format(slug=slug, resource=resource) + (f"{pk}/" if pk is not None else "")


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        fin = OrgUnitFactory(code="FIN")
        sales = OrgUnitFactory(code="SALES")
        period = PeriodFactory(year=2025, status=Period.Status.ACTIVE)
        closed = PeriodFactory(year=2023, status=Period.Status.CLOSED)
        objective = ObjectiveFactory(period=period, name="Margin")
        rev = KPIFactory(code="REV", owner_unit=fin, objective=objective)
        dso = KPIFactory(code="DSO", owner_unit=fin, is_collaborative=True, direction="lower_better")
        old = ObjectiveFactory(period=closed, name="Old")
    with tenant_scope(tenant_b):
        b_unit = OrgUnitFactory(code="B-UNIT")
        b_period = PeriodFactory(year=2025)
        b_objective = ObjectiveFactory(period=b_period, name="Bravo objective")
        b_kpi = KPIFactory(code="B-KPI", owner_unit=b_unit)
        b_link = ObjectiveLinkFactory(cause=b_objective, effect=ObjectiveFactory(period=b_period))
    return locals()


@pytest.fixture
def hr(hr_a, api_client_for):
    return api_client_for(hr_a)


def kpi_body(world, **extra):
    body = {"code": "NPS", "name": "Net promoter score", "perspective": "customer"}
    body["owner_unit"] = world["sales"].pk
    body.update(extra)
    return body


class TestKPIs:
    def test_list_is_tenant_scoped_and_marks_collaborative(self, world, hr):
        response = hr.get(api_url("kpis"))
        assert response.status_code == 200
        rows = {row["code"]: row for row in response.json()["results"]}
        assert set(rows) == {"REV", "DSO"}
        assert rows["DSO"]["is_collaborative"] is True and rows["REV"]["owner_unit_code"] == "FIN"

    @pytest.mark.parametrize(
        ("params", "codes"),
        [
            ({"collaborative": "yes"}, {"DSO"}),
            ({"direction": "lower_better"}, {"DSO"}),
            ({"q": "rev"}, {"REV"}),
            ({"perspective": "customer"}, set()),
        ],
    )
    def test_filters(self, world, hr, params, codes):
        response = hr.get(api_url("kpis"), params)
        assert {row["code"] for row in response.json()["results"]} == codes

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"perspective": "money"}, "perspective"),
            ({"owner_unit": "x"}, "owner_unit"),
            ({"active": "2"}, "active"),
        ],
    )
    def test_bad_filters_are_field_errors(self, world, hr, params, field):
        response = hr.get(api_url("kpis"), params)
        assert response.status_code == 400 and field in response.json()

    def test_foreign_owner_unit_filter_is_an_error_like_a_missing_one(self, world, hr):
        foreign = hr.get(api_url("kpis"), {"owner_unit": world["b_unit"].pk})
        missing = hr.get(api_url("kpis"), {"owner_unit": 987654321})
        assert foreign.status_code == missing.status_code == 400
        assert foreign.json().keys() == missing.json().keys() == {"owner_unit"}

    def test_list_queries_do_not_grow(self, world, hr, tenant_a, django_assert_max_num_queries):
        hr.get(api_url("kpis"))
        with django_assert_max_num_queries(12) as counted:
            hr.get(api_url("kpis"))
        with tenant_scope(tenant_a):
            for _ in range(20):
                KPIFactory(objective=ObjectiveFactory())
        with django_assert_max_num_queries(len(counted.captured_queries)):
            response = hr.get(api_url("kpis"))
        assert len(response.json()["results"]) == 22

    def test_create_retrieve_update_delete(self, world, hr, tenant_a):
        created = hr.post(api_url("kpis"), kpi_body(world, is_collaborative=True, cap="1.5"), format="json")
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["cap"] == "1.50" and body["is_collaborative"] is True and body["lock_version"] == 1
        pk = body["id"]
        assert hr.get(api_url("kpis", pk)).json()["code"] == "NPS"
        patched = hr.patch(api_url("kpis", pk), {"name": "NPS", "lock_version": 1}, format="json")
        assert patched.status_code == 200 and patched.json()["lock_version"] == 2
        stale = hr.patch(api_url("kpis", pk), {"name": "Stale", "lock_version": 1}, format="json")
        assert stale.status_code == 409
        assert set(stale.json()) == {"detail", "changed_by", "changed_at", "lock_version"}
        assert stale.json()["changed_by"] == "hr_a" and stale.json()["lock_version"] == 2
        missing = hr.patch(api_url("kpis", pk), {"name": "Missing"}, format="json")
        assert missing.status_code == 400 and missing.json() == {"lock_version": ["This field is required."]}
        same = hr.patch(api_url("kpis", pk), {"name": "NPS", "lock_version": 2}, format="json")
        assert same.status_code == 200 and same.json()["lock_version"] == 2  # no change, no new version
        body = {**kpi_body(world, name="Put name"), "lock_version": 2}
        put = hr.put(api_url("kpis", pk), body, format="json")
        assert put.status_code == 200 and put.json()["name"] == "Put name"
        assert hr.delete(versioned(api_url("kpis", pk), 3)).status_code == 204
        with tenant_scope(tenant_a):
            assert not KPI.objects.filter(pk=pk).exists()
            actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"kpi.create", "kpi.update", "kpi.delete"} <= actions

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"code": "REV"}, "code"),
            ({"code": ""}, "code"),
            ({"code": "x" * 51}, "code"),
            ({"cap": "0"}, "cap"),
            ({"cap": "abc"}, "cap"),
            ({"cap": 1e300}, "cap"),
            ({"direction": "up"}, "direction"),
            ({"perspective": None}, "perspective"),
            ({"owner_unit": "abc"}, "owner_unit"),
            ({"owner_unit": True}, "owner_unit"),
            ({"owner_unit": [1]}, "owner_unit"),
            ({"owner_unit": "12"}, "owner_unit"),  # ids are JSON integers
            ({"name": "nul\x00"}, "name"),
            ({"is_collaborative": "perhaps"}, "is_collaborative"),
            ({"process_tag": "cash"}, "process_tag"),
        ],
    )
    def test_bad_input_is_a_field_error_and_writes_nothing(self, world, hr, tenant_a, change, field):
        response = hr.post(api_url("kpis"), kpi_body(world, **change), format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        with tenant_scope(tenant_a):
            assert set(KPI.objects.values_list("code", flat=True)) == {"REV", "DSO"}

    def test_other_tenants_foreign_keys_read_as_missing(self, world, hr, tenant_a):
        foreign = hr.post(api_url("kpis"), kpi_body(world, owner_unit=world["b_unit"].pk), format="json")
        missing = hr.post(api_url("kpis"), kpi_body(world, owner_unit=987654321), format="json")
        assert foreign.status_code == missing.status_code == 404  # the same answer (DESIGN.md §4)
        assert foreign.json() == missing.json() and "owner_unit" in foreign.json()
        body = kpi_body(world, objective=world["b_objective"].pk)
        objective = hr.post(api_url("kpis"), body, format="json")
        assert objective.status_code == 404 and "objective" in objective.json()
        body = {"owner_unit": world["b_unit"].pk, "lock_version": world["rev"].lock_version}
        patch = hr.patch(api_url("kpis", world["rev"].pk), body, format="json")
        assert patch.status_code == 404
        with tenant_scope(tenant_a):
            assert KPI.objects.get(pk=world["rev"].pk).owner_unit == world["fin"]
            assert not KPI.objects.filter(code="NPS").exists()

    def test_other_tenants_kpi_is_404(self, world, hr, tenant_b):
        pk = world["b_kpi"].pk
        for method in ("get", "put", "patch", "delete"):
            assert getattr(hr, method)(api_url("kpis", pk), {"name": "x"}, format="json").status_code == 404
        assert hr.get(api_url("kpis", "9" * 19)).status_code == 404
        assert hr.get(api_url("kpis", slug="bravo")).status_code == 404
        with tenant_scope(tenant_b):
            assert KPI.objects.get(pk=pk).name == world["b_kpi"].name

    def test_delete_of_a_used_kpi_is_refused(self, world, hr, tenant_a):
        with tenant_scope(tenant_a):
            goal = GoalFactory(kpi=world["rev"])
        response = hr.delete(versioned(api_url("kpis", goal.kpi_id), world["rev"].lock_version))
        assert response.status_code == 400 and "non_field_errors" in response.json()

    @pytest.mark.parametrize("role", ["manager", "employee", "committee", "auditor"])
    def test_members_read_only_hr_writes(self, world, tenant_a, api_client_for, role):
        client = api_client_for(make_member(tenant_a, role, username=f"api-{role}"))
        assert client.get(api_url("kpis")).status_code == 200
        assert client.post(api_url("kpis"), kpi_body(world), format="json").status_code == 403
        assert client.patch(api_url("kpis", world["rev"].pk), {"name": "x"}, format="json").status_code == 403
        assert client.delete(api_url("kpis", world["rev"].pk)).status_code == 403
        with tenant_scope(tenant_a):
            assert KPI.objects.count() == 2


class TestObjectives:
    def body(self, world, **extra):
        body = {"period": world["period"].pk, "perspective": "customer", "name": "Loyalty"}
        body.update(extra)
        return body

    def test_crud_and_links_in_the_representation(self, world, hr, tenant_a):
        body = self.body(world, owner_unit=world["sales"].pk)
        created = hr.post(api_url("objectives"), body, format="json")
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        body = {"cause": pk, "effect": world["objective"].pk}
        link = hr.post(api_url("objective-links"), body, format="json")
        assert link.status_code == 201 and link.json()["period"] == world["period"].pk
        margin = hr.get(api_url("objectives", world["objective"].pk)).json()
        assert margin["causes"] == [pk] and margin["kpis"] == [world["rev"].pk]
        assert hr.get(api_url("objectives", pk)).json()["effects"] == [world["objective"].pk]
        body = {"description": "Keep them", "lock_version": 1}
        patched = hr.patch(api_url("objectives", pk), body, format="json")
        assert patched.status_code == 200 and patched.json()["lock_version"] == 2
        assert hr.delete(api_url("objective-links", link.json()["id"])).status_code == 204
        assert hr.delete(versioned(api_url("objectives", pk), 2)).status_code == 204
        with tenant_scope(tenant_a):
            assert not Objective.objects.filter(pk=pk).exists()

    def test_filters_and_bad_filters(self, world, hr):
        rows = hr.get(api_url("objectives"), {"period": world["period"].pk}).json()["results"]
        assert [row["name"] for row in rows] == ["Margin"]
        assert len(hr.get(api_url("objectives"), {"perspective": "financial"}).json()["results"]) == 2
        for params in ({"period": "x"}, {"period": "9" * 30}, {"perspective": "money"}):
            assert hr.get(api_url("objectives"), params).status_code == 400

    def test_list_queries_do_not_grow(self, world, hr, tenant_a, django_assert_max_num_queries):
        hr.get(api_url("objectives"))
        with django_assert_max_num_queries(14) as counted:
            hr.get(api_url("objectives"))
        with tenant_scope(tenant_a):
            for _ in range(10):
                objective = ObjectiveFactory(period=world["period"])
                KPIFactory(objective=objective)
                ObjectiveLinkFactory(cause=objective, effect=world["objective"])
        with django_assert_max_num_queries(len(counted.captured_queries)):
            assert len(hr.get(api_url("objectives")).json()["results"]) == 12

    def test_closed_period_is_read_only(self, world, hr, tenant_a):
        created = hr.post(api_url("objectives"), self.body(world, period=world["closed"].pk), format="json")
        assert created.status_code == 400 and "period" in created.json()
        old = world["old"].pk
        body = {"name": "New", "lock_version": 1}
        assert hr.patch(api_url("objectives", old), body, format="json").status_code == 400
        version = world["old"].lock_version
        assert hr.delete(versioned(api_url("objectives", old), version)).status_code == 400
        with tenant_scope(tenant_a):
            assert Objective.objects.get(pk=old).name == "Old"

    def test_other_tenants_ids_and_foreign_keys(self, world, hr, tenant_a, tenant_b):
        pk = world["b_objective"].pk
        for method in ("get", "put", "patch", "delete"):
            response = getattr(hr, method)(api_url("objectives", pk), {"name": "x"}, format="json")
            assert response.status_code == 404
        body = self.body(world, period=world["b_period"].pk)
        response = hr.post(api_url("objectives"), body, format="json")
        assert response.status_code == 404 and "period" in response.json()
        body = self.body(world, owner_unit=world["b_unit"].pk)
        response = hr.post(api_url("objectives"), body, format="json")
        assert response.status_code == 404 and "owner_unit" in response.json()
        with tenant_scope(tenant_a):
            assert not Objective.objects.filter(name="Loyalty").exists()
        with tenant_scope(tenant_b):
            assert Objective.objects.get(pk=pk).name == "Bravo objective"

    def test_duplicate_name_and_bad_types(self, world, hr):
        duplicate = hr.post(api_url("objectives"), self.body(world, name="Margin"), format="json")
        assert duplicate.status_code == 400 and "name" in duplicate.json()
        for change in ({"order": -1}, {"order": "x"}, {"period": None}, {"name": ""}, {"perspective": 5}):
            response = hr.post(api_url("objectives"), self.body(world, **change), format="json")
            assert response.status_code == 400


class TestObjectiveLinks:
    def test_cycle_self_and_duplicate_refused(self, world, hr, tenant_a):
        with tenant_scope(tenant_a):
            loyalty = ObjectiveFactory(period=world["period"], name="Loyalty")
        margin = world["objective"].pk
        assert hr.post(api_url("objective-links"), {"cause": loyalty.pk, "effect": margin}).status_code == 201
        cycle = hr.post(api_url("objective-links"), {"cause": margin, "effect": loyalty.pk})
        assert cycle.status_code == 400 and "cycle" in cycle.json()["effect"][0]
        assert hr.post(api_url("objective-links"), {"cause": margin, "effect": margin}).status_code == 400
        assert hr.post(api_url("objective-links"), {"cause": loyalty.pk, "effect": margin}).status_code == 400
        with tenant_scope(tenant_a):
            assert ObjectiveLink.objects.count() == 1

    def test_other_period_tenant_and_missing(self, world, hr, tenant_a, tenant_b):
        margin = world["objective"].pk
        for effect in (world["old"].pk, "x", None, str(margin)):
            response = hr.post(api_url("objective-links"), {"cause": margin, "effect": effect}, format="json")
            assert response.status_code == 400 and "effect" in response.json()
        for effect in (world["b_objective"].pk, 987654321):  # another tenant's reads as missing: 404
            response = hr.post(api_url("objective-links"), {"cause": margin, "effect": effect}, format="json")
            assert response.status_code == 404 and "effect" in response.json()
        for method in ("get", "delete"):
            assert getattr(hr, method)(api_url("objective-links", world["b_link"].pk)).status_code == 404
        assert hr.get(api_url("objective-links"), {"period": "zz"}).status_code == 400
        with tenant_scope(tenant_a):
            assert not ObjectiveLink.objects.exists()
        with tenant_scope(tenant_b):
            assert ObjectiveLink.objects.filter(pk=world["b_link"].pk).exists()

    def test_employee_reads_cannot_write(self, world, tenant_a, api_client_for):
        client = api_client_for(make_member(tenant_a, "employee", username="api-emp"))
        assert client.get(api_url("objective-links")).status_code == 200
        response = client.post(api_url("objective-links"), {"cause": world["objective"].pk, "effect": 1})
        assert response.status_code == 403


def test_api_default_aggregation_follows_the_unit(world, hr, tenant_a):
    """Issue 8, item 13: absent or blank, a KPI's aggregation follows its unit of measure."""
    rate = hr.post(api_url("kpis"), kpi_body(world, code="RATE", unit="%"), format="json")
    assert rate.status_code == 201, rate.json()
    assert rate.json()["aggregation"] == "average"
    count = hr.post(api_url("kpis"), kpi_body(world, code="CNT", unit="次", aggregation=""), format="json")
    assert count.json()["aggregation"] == "sum"
    told = hr.post(api_url("kpis"), kpi_body(world, code="LAST", unit="%", aggregation="last"), format="json")
    assert told.json()["aggregation"] == "last"
    bad = hr.post(api_url("kpis"), kpi_body(world, code="BAD", aggregation="median"), format="json")
    assert bad.status_code == 400 and "aggregation" in bad.json()
