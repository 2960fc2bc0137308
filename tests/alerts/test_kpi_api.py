"""The `process-kpis` API: HR creates, updates (stale 409) and deletes KPIs, every member reads them with
their latest point; points in bulk (counts, all or nothing with "points-<i>-<field>" errors), paged points
with from/to, the series verdict; another tenant's KPI, stage or process answers 404 on every route; the
list keeps a fixed number of queries."""

from __future__ import annotations

import pytest

from alerts.models import ProcessKpi, ProcessKpiPoint, ProcessStage
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.alerts import make_kpi, make_process, monthly_points
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/process-kpis/"


@pytest.fixture
def world(scope_a, tenant_a):
    process = make_process(OrgUnitFactory(name="Sales"))
    stages = list(ProcessStage.objects.filter(process=process).order_by("order"))
    return {"process": process, "stage": stages[0], "other_stage": stages[1],
            "hr": make_member(tenant_a, Role.HR_ADMIN),
            "employee": make_member(tenant_a, Role.EMPLOYEE)}  # fmt: skip


@pytest.fixture
def foreign(tenant_b):
    with tenant_scope(tenant_b):
        process = make_process(OrgUnitFactory(name="Bravo"), name="Bravo process")
        stage = ProcessStage.objects.filter(process=process).first()
        return {"process": process, "stage": stage, "kpi": make_kpi(stage, code="B-KPI")}


def test_hr_creates_updates_and_deletes_a_kpi_every_member_reads_it(world, api_client_for):
    api = api_client_for(world["hr"])
    body = {"stage": world["stage"].pk, "code": "APPROVAL-H", "name": "Approval time", "unit_label": "h",
            "direction": "lower_better", "amber": 20, "red": "30.5"}  # fmt: skip
    created = api.post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    kpi = created.json()
    assert kpi["process"] == world["process"].pk and kpi["granularity"] == "monthly" and kpi["latest"] is None
    assert kpi["red"] == "30.500000" and kpi["lock_version"] == 1
    reader = api_client_for(world["employee"])
    assert reader.get(f"{BASE}{kpi['id']}/").json()["code"] == "APPROVAL-H"
    assert reader.post(BASE, {**body, "code": "X"}, format="json").status_code == 403
    clash = api.post(BASE, {**body, "code": "approval-h"}, format="json")
    assert clash.status_code == 400 and "code" in clash.json()
    lines = api.post(BASE, {**body, "code": "Y", "direction": "both"}, format="json")
    assert lines.status_code == 400 and {"amber", "red"} <= set(lines.json())
    moved = api.patch(f"{BASE}{kpi['id']}/", {"lock_version": 1, "stage": world["other_stage"].pk},
                      format="json")  # fmt: skip
    assert moved.status_code == 200 and moved.json()["stage_name"] == "Contract signing"
    stale = api.patch(f"{BASE}{kpi['id']}/", {"lock_version": 1, "name": "x"}, format="json")
    assert stale.status_code == 409
    assert api.delete(f"{BASE}{kpi['id']}/?lock_version=1").status_code == 409
    assert api.delete(f"{BASE}{kpi['id']}/?lock_version=2").status_code == 204
    assert not ProcessKpi.objects.exists()


def test_points_in_bulk_all_or_nothing_then_paged_and_judged(world, api_client_for):
    api = api_client_for(world["hr"])
    kpi = make_kpi(world["stage"])
    values = [12, 12.4, 11.8, 12.1, 12.6, 11.9, 12.3, 12.0, 12.2, 40]
    points = [{"kpi": kpi.pk, "at": at.isoformat(), "value": v} for at, v in monthly_points(values)]
    bad = api.post(f"{BASE}points/", {"points": [*points[:2], {**points[2], "at": "2026-03-15"},
                                                 {**points[3], "value": "abc"}]}, format="json")  # fmt: skip
    assert bad.status_code == 400
    assert {"points-2-at", "points-3-value"} <= set(bad.json()) and not ProcessKpiPoint.objects.exists()
    written = api.post(f"{BASE}points/", {"points": points}, format="json")
    assert written.status_code == 200 and written.json() == {"created": 10, "updated": 0, "unchanged": 0}
    again = api.post(f"{BASE}points/", {"points": [{**points[-1], "value": 41}]}, format="json")
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert ProcessKpiPoint.objects.get(kpi=kpi, at=points[-1]["at"]).source == "api"
    reader = api_client_for(world["employee"])
    assert reader.post(f"{BASE}points/", {"points": points}, format="json").status_code == 403
    detail = reader.get(f"{BASE}{kpi.pk}/").json()
    assert detail["latest"] == {"at": "2026-10-01", "value": "41.000000", "health": "red"}
    page = reader.get(f"{BASE}{kpi.pk}/points/?from=2026-03-01&to=2026-06-01").json()
    assert [p["at"] for p in page["results"]] == ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"]
    wrong = reader.get(f"{BASE}{kpi.pk}/points/?from=soon")
    assert wrong.status_code == 400 and "from" in wrong.json()
    series = reader.get(f"{BASE}{kpi.pk}/series/").json()
    assert len(series["buckets"]) == 10 and series["health"] == "red"
    assert series["latest"]["status"] == "verdict" and series["latest"]["flagged"] is True
    assert series["buckets"][0]["status"] == "too_short" and series["buckets"][0]["expected"] is None


def test_bulk_body_shape_errors(world, api_client_for):
    api = api_client_for(world["hr"])
    kpi = make_kpi(world["stage"])
    assert api.post(f"{BASE}points/", {"points": []}, format="json").status_code == 400
    assert api.post(f"{BASE}points/", [], format="json").status_code == 400
    extra = api.post(f"{BASE}points/", {"points": [{"kpi": kpi.pk, "at": "2026-01-01", "value": 1,
                                                    "source": "x"}]}, format="json")  # fmt: skip
    assert extra.status_code == 400 and "points-0-source" in extra.json()
    text_id = api.post(f"{BASE}points/", {"points": [{"kpi": str(kpi.pk), "at": "2026-01-01", "value": 1}]},
                       format="json")  # fmt: skip
    assert text_id.status_code == 400 and "points-0-kpi" in text_id.json()
    rows = [{"kpi": {"id": 1}, "at": ["2026"], "value": {}}]
    odd = api.post(f"{BASE}points/", {"points": rows}, format="json")
    assert odd.status_code == 400 and {"points-0-kpi", "points-0-at", "points-0-value"} <= set(odd.json())


def test_another_tenants_objects_are_not_found_on_every_route(world, foreign, api_client_for):
    api = api_client_for(world["hr"])
    pk = foreign["kpi"].pk
    assert api.get(f"{BASE}{pk}/").status_code == 404
    assert api.patch(f"{BASE}{pk}/", {"lock_version": 1, "name": "x"}, format="json").status_code == 404
    assert api.put(f"{BASE}{pk}/", {"lock_version": 1}, format="json").status_code == 404
    assert api.delete(f"{BASE}{pk}/?lock_version=1").status_code == 404
    assert api.get(f"{BASE}{pk}/points/").status_code == 404
    assert api.get(f"{BASE}{pk}/series/").status_code == 404
    mine = make_kpi(world["stage"])
    rows = [{"kpi": mine.pk, "at": "2026-01-01", "value": 1}, {"kpi": pk, "at": "2026-01-01", "value": 1}]
    answer = api.post(f"{BASE}points/", {"points": rows}, format="json")
    assert answer.status_code == 404 and "points-1-kpi" in answer.json()
    body = {"stage": foreign["stage"].pk, "code": "Z", "name": "Z", "direction": "both"}
    assert api.post(BASE, body, format="json").status_code == 404
    assert api.get(f"{BASE}?process={foreign['process'].pk}").json()["results"] == []
    assert not ProcessKpiPoint.objects.filter(kpi=mine).exists()
    with tenant_scope(foreign["kpi"].tenant):
        assert ProcessKpi.objects.get(pk=pk).name == "Contract approval time"


def test_the_list_filters_and_reads_a_fixed_number_of_queries(world, api_client_for,
                                                              django_assert_max_num_queries):  # fmt: skip
    api = api_client_for(world["employee"])
    make_kpi(world["stage"], code="K0", points=monthly_points([1, 2]))
    with django_assert_max_num_queries(12) as first:
        api.get(BASE)
    for n in range(1, 6):
        make_kpi(world["other_stage"], code=f"K{n}", points=monthly_points([n, n + 1]))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(api.get(BASE).json()["results"]) == 6
    assert [k["code"] for k in api.get(f"{BASE}?stage={world['stage'].pk}").json()["results"]] == ["K0"]
    assert len(api.get(f"{BASE}?process={world['process'].pk}").json()["results"]) == 6
    assert api.get(f"{BASE}?stage=abc").status_code == 400
