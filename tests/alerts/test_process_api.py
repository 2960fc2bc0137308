"""The `processes` API: HR creates, updates (nested stages replace the list, stale 409) and deletes; every
member reads; another tenant's process or unit is a 404; the list keeps a fixed number of queries."""

from __future__ import annotations

import pytest

from alerts.models import Process
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.alerts import make_process
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/processes/"


@pytest.fixture
def world(scope_a, tenant_a):
    sales, finance = OrgUnitFactory(name="Sales"), OrgUnitFactory(name="Finance")
    return {"sales": sales, "finance": finance, "hr": make_member(tenant_a, Role.HR_ADMIN),
            "employee": make_member(tenant_a, Role.EMPLOYEE)}  # fmt: skip


def _body(world, **changes):
    return {
        "name": "Procure to pay", "kind": "procure_to_pay", "owner_unit": world["sales"].pk,
        "stages": [
            {"name": "Requisition", "owner_unit": world["sales"].pk, "time_limit": 1},
            {"name": "Approval", "owner_unit": world["finance"].pk,
             "collaborating_units": [world["sales"].pk], "time_limit": 16,
             "time_unit": "working_hours", "escalation_role": "生产部经理"},
        ],
        **changes,
    }  # fmt: skip


def test_hr_creates_and_updates_a_process_and_every_member_reads_it(world, api_client_for):
    api = api_client_for(world["hr"])
    created = api.post(BASE, _body(world), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [(s["order"], s["name"]) for s in body["stages"]] == [(1, "Requisition"), (2, "Approval")]
    assert body["stages"][1]["collaborating_units"] == [world["sales"].pk]
    assert body["stages"][1]["escalation_role"] == "生产部经理" and body["lock_version"] == 1
    pk = body["id"]
    reader = api_client_for(world["employee"])
    assert reader.get(f"{BASE}{pk}/").json()["name"] == "Procure to pay"
    assert [p["id"] for p in reader.get(BASE).json()["results"]] == [pk]
    assert reader.patch(f"{BASE}{pk}/", {"lock_version": 1, "name": "x"}, format="json").status_code == 403
    moved = api.patch(f"{BASE}{pk}/", {"lock_version": 1, "stages": [body["stages"][1] | {"order": 1}]},
                      format="json")  # fmt: skip
    assert moved.status_code == 400 and "stages-0-order" in moved.json()  # the order is the list's
    stage = {k: v for k, v in body["stages"][1].items() if k not in ("order", "owner_unit_name")}
    saved = api.patch(f"{BASE}{pk}/", {"lock_version": 1, "stages": [stage]}, format="json")
    assert saved.status_code == 200, saved.json()
    assert [s["name"] for s in saved.json()["stages"]] == ["Approval"] and saved.json()["lock_version"] == 2
    stale = api.patch(f"{BASE}{pk}/", {"lock_version": 1, "name": "Other"}, format="json")
    assert stale.status_code == 409
    assert api.delete(f"{BASE}{pk}/?lock_version=1").status_code == 409
    assert api.delete(f"{BASE}{pk}/?lock_version=2").status_code == 204
    assert not Process.objects.exists()


def test_validation_errors_are_keyed_by_stage_row(world, api_client_for):
    api = api_client_for(world["hr"])
    empty = api.post(BASE, _body(world, stages=[]), format="json")
    assert empty.status_code == 400 and "stages" in empty.json()
    rows = [{"name": "A", "owner_unit": world["sales"].pk, "time_limit": 0}]
    bad = api.post(BASE, _body(world, stages=rows), format="json")
    assert bad.status_code == 400 and "stages-0-time_limit" in bad.json()
    unknown = api.post(BASE, _body(world, owner_unit_name="Sales"), format="json")
    assert unknown.status_code == 400 and "owner_unit_name" in unknown.json()


def test_another_tenants_process_and_units_are_not_found(world, api_client_for, tenant_b):
    with tenant_scope(tenant_b):
        foreign_unit = OrgUnitFactory(name="Bravo")
        foreign = make_process(foreign_unit, name="Bravo process")
    api = api_client_for(world["hr"])
    assert api.get(f"{BASE}{foreign.pk}/").status_code == 404
    assert api.patch(f"{BASE}{foreign.pk}/", {"lock_version": 1}, format="json").status_code == 404
    rows = [{"name": "A", "owner_unit": world["sales"].pk, "collaborating_units": [foreign_unit.pk],
             "time_limit": 1}]  # fmt: skip
    assert api.post(BASE, _body(world, stages=rows), format="json").status_code == 404
    assert api.post(BASE, _body(world, owner_unit=foreign_unit.pk), format="json").status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(world, api_client_for, django_assert_max_num_queries):
    api = api_client_for(world["employee"])
    make_process(world["sales"], name="P1", collaborating=[world["finance"]])
    with django_assert_max_num_queries(12) as first:
        api.get(BASE)
    for n in range(2, 6):
        make_process(world["sales"], name=f"P{n}", collaborating=[world["finance"]])
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(api.get(BASE).json()["results"]) == 5
    kinds = api.get(f"{BASE}?kind=bogus")
    assert kinds.status_code == 400 and "kind" in kinds.json()
