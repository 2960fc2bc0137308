"""The `appraisal-cycles` API: drafts with nested stages and rules (HR writes, everyone reads), launch and
close, the progress board (HR admins and auditors). Another tenant's cycle is a 404; lists keep a constant
number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from appraisal.models import Appraisal, AppraisalCycle, CycleStatus, Stage
from collab.tenancy import tenant_scope
from tests.factories.appraisal import CycleFactory, appraisal_world

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/appraisal-cycles/"


@pytest.fixture
def world(scope_a, tenant_a):
    return appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT)


@pytest.fixture
def bravo(tenant_b):
    with tenant_scope(tenant_b):
        return appraisal_world(tenant_b, prefix="zz", current=Stage.SELF_ASSESSMENT)


def _body(world, **changes):
    start = dt.datetime(2030, 1, 5, 1, 0, tzinfo=dt.UTC)
    return {
        "name": "API cycle", "period": world.period.pk, "weight_scorecard": "50", "weight_review": "25",
        "weight_manager": "25",
        "stages": [{"stage": "goal_setting", "opens_at": start.isoformat(),
                    "deadline": (start + dt.timedelta(days=7)).isoformat()}],
        "rules": [{"org_unit": world.unit.pk}],
        **changes,
    }  # fmt: skip


def test_hr_creates_updates_launches_and_everyone_reads(world, api_client_for, bravo):
    api = api_client_for(world.users["hr"])
    created = api.post(BASE, _body(world), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["stages"][0]["stage"] == "goal_setting"
    assert body["rules"] == [{"org_unit": world.unit.pk, "include_sub_units": True, "position": None,
                              "job_family": "", "level": ""}]  # fmt: skip
    pk = body["id"]
    employee = api_client_for(world.users["employee"])
    assert employee.get(f"{BASE}{pk}/").status_code == 404  # a draft is HR's
    assert [c["id"] for c in employee.get(BASE).json()["results"]] == [world.cycle.pk]
    bad = api.patch(f"{BASE}{pk}/", {"lock_version": 1, "weight_manager": "40"}, format="json")
    assert bad.status_code == 400 and "weight_scorecard" in bad.json()
    stale = api.patch(f"{BASE}{pk}/", {"lock_version": 0, "name": "x"}, format="json")
    assert stale.status_code == 409
    rules = {"lock_version": 1, "rules": [{"org_unit": bravo.unit.pk}]}
    foreign = api.patch(f"{BASE}{pk}/", rules, format="json")
    assert foreign.status_code == 404
    launched = api.post(f"{BASE}{pk}/launch/", {"lock_version": 1}, format="json")
    assert launched.status_code == 200 and launched.json()["status"] == "active"
    assert launched.json()["appraisal_count"] == Appraisal.objects.filter(cycle_id=pk).count() == 3
    again = api.post(f"{BASE}{pk}/launch/", {"lock_version": 2}, format="json")
    assert again.status_code == 200
    closing = api.post(f"{BASE}{pk}/close/", {"lock_version": 2}, format="json")
    assert closing.status_code == 400 and "status" in closing.json()
    reader = api_client_for(world.users["employee"])
    assert reader.get(f"{BASE}{pk}/").status_code == 200
    assert reader.patch(f"{BASE}{pk}/", {"lock_version": 2, "name": "x"}, format="json").status_code == 403
    assert reader.get(f"{BASE}{pk}/board/").status_code == 403


def test_a_draft_is_deleted_with_its_version_and_a_launched_one_is_kept(world, api_client_for):
    api = api_client_for(world.users["hr"])
    draft = CycleFactory(period=world.period, name="Draft", status=CycleStatus.DRAFT)
    assert api.delete(f"{BASE}{draft.pk}/").status_code == 400
    assert api.delete(f"{BASE}{draft.pk}/?lock_version=1").status_code == 204
    kept = api.delete(f"{BASE}{world.cycle.pk}/?lock_version={world.cycle.lock_version}")
    assert kept.status_code == 400
    assert AppraisalCycle.objects.filter(pk=world.cycle.pk).exists()


def test_hr_moves_a_launched_cycles_deadline_through_the_api(world, api_client_for):
    api = api_client_for(world.users["hr"])
    cycle = world.cycle
    stages = api.get(f"{BASE}{cycle.pk}/").json()["stages"]
    later = dt.datetime.fromisoformat(stages[-1]["deadline"]) + dt.timedelta(days=3)
    stages[-1]["deadline"] = later.isoformat()
    body = {"lock_version": cycle.lock_version, "stages": stages}
    moved = api.patch(f"{BASE}{cycle.pk}/", body, format="json")
    assert moved.status_code == 200, moved.json()
    assert dt.datetime.fromisoformat(moved.json()["stages"][-1]["deadline"]) == later
    renamed = api.patch(f"{BASE}{cycle.pk}/", {"lock_version": moved.json()["lock_version"], "name": "x"},
                        format="json")  # fmt: skip
    assert renamed.status_code == 400 and "name" in renamed.json()
    dropped = api.patch(f"{BASE}{cycle.pk}/", {"lock_version": moved.json()["lock_version"],
                                              "stages": stages[:-1]}, format="json")  # fmt: skip
    assert dropped.status_code == 400 and "stages" in dropped.json()


def test_another_tenants_cycle_is_404(world, api_client_for, bravo):
    api = api_client_for(world.users["hr"])
    pk = bravo.cycle.pk
    assert api.get(f"{BASE}{pk}/").status_code == 404
    assert api.get(f"{BASE}{pk}/board/").status_code == 404
    assert api.post(f"{BASE}{pk}/launch/", {"lock_version": 1}, format="json").status_code == 404
    assert api.get(BASE).json()["results"][0]["id"] == world.cycle.pk
    assert len(api.get(BASE).json()["results"]) == 1


def test_the_board_lists_stage_and_overdue_with_filters(world, api_client_for, bravo):
    api = api_client_for(world.users["auditor"])
    board = api.get(f"{BASE}{world.cycle.pk}/board/")
    assert board.status_code == 200
    rows = board.json()["results"]
    assert [r["employee_name"] for r in rows] == ["ap Employee", "ap Colleague"]
    # Goal setting is over and nobody agreed goals.
    assert rows[0]["stage"] == "self_assessment" and rows[0]["overdue"] == ["goal_setting"]
    assert rows[0]["deadline"] is not None
    elsewhere = api.get(f"{BASE}{world.cycle.pk}/board/", {"unit": world.outsider.org_unit_id})
    assert elsewhere.json()["results"] == []
    assert len(api.get(f"{BASE}{world.cycle.pk}/board/", {"overdue": "true"}).json()["results"]) == 2
    assert api.get(f"{BASE}{world.cycle.pk}/board/", {"stage": "calibration"}).json()["results"] == []
    for params in ({"unit": bravo.unit.pk}, {"unit": "x"}, {"stage": "nope"}, {"overdue": "maybe"}):
        answer = api.get(f"{BASE}{world.cycle.pk}/board/", params)
        assert answer.status_code == 400 and set(params) <= set(answer.json())


def test_lists_keep_a_constant_number_of_queries(world, api_client_for, django_assert_max_num_queries):
    from tests.factories.appraisal import AppraisalFactory
    from tests.factories.org import EmployeeFactory

    api = api_client_for(world.users["hr"])
    for n in range(4):
        CycleFactory(period=world.period, name=f"More {n}")
    for _n in range(5):
        AppraisalFactory(cycle=world.cycle, employee=EmployeeFactory(org_unit=world.unit))
    with django_assert_max_num_queries(6):
        assert api.get(BASE).status_code == 200
    with django_assert_max_num_queries(7):
        assert api.get(f"{BASE}{world.cycle.pk}/board/").status_code == 200
