"""The process KPI pages: the process page's KPI section per stage, a KPI's page (chart data, the table with
its band, the verdict in words, the point form with its errors), HR's editor (stage among the process's
stages, field errors, a stale save), delete, and who may write; another tenant's KPI is a 404."""

from __future__ import annotations

import json

import pytest

from alerts.models import ProcessKpi, ProcessKpiPoint, ProcessStage
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.alerts import make_kpi, make_process, monthly_points
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
CALM = [12.0, 12.4, 11.8, 12.1, 12.6, 11.9, 12.3, 12.0, 12.2, 11.7, 12.5, 12.1]


@pytest.fixture
def process(scope_a):
    return make_process(OrgUnitFactory(name="Sales"))


@pytest.fixture
def stage(process):
    return ProcessStage.objects.get(process=process, order=1)


def test_the_process_page_lists_kpis_per_stage_with_health(process, stage, tenant_a, login):
    make_kpi(stage, points=monthly_points([10, 25]))
    client = login(make_member(tenant_a, Role.EMPLOYEE))
    html = client.get(f"/t/alpha/processes/{process.pk}/").content.decode()
    section = html[html.index('data-stage-kpis="1"') : html.index('data-stage-kpis="2"')]
    assert 'data-kpi="APPROVAL-H"' in section and "25 h" in section and 'data-health="amber"' in section
    assert "No KPI measures this stage yet." in html[html.index('data-stage-kpis="2"') :]
    assert 'id="process-kpi-new"' not in html


def test_the_kpi_page_draws_the_series_and_says_the_verdict(stage, tenant_a, login):
    kpi = make_kpi(stage, points=monthly_points([*CALM, *CALM, 19.0]), amber=None, red=None)
    client = login(make_member(tenant_a, Role.MANAGER))
    answer = client.get(f"/t/alpha/process-kpis/{kpi.pk}/")
    html = answer.content.decode()
    assert answer.status_code == 200 and 'data-verdict="flagged"' in html
    assert "robust σ above the expected" in html
    start = html.index('id="kpi-series-data"')
    chart = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert chart["values"][-1] == 19.0 and chart["upper"][-1] < 19.0 and chart["flagged"][-1] is True
    assert 'class="table-danger"' in html and 'id="kpi-point-form"' not in html
    short = make_kpi(stage, code="SHORT", points=monthly_points([1, 2, 3]))
    html = client.get(f"/t/alpha/process-kpis/{short.pk}/").content.decode()
    assert "Needs 6 more points before a verdict." in html  # 2 of 8 earlier points
    assert client.post(f"/t/alpha/process-kpis/{short.pk}/points/", {"at": "2026-01-01"}).status_code == 403


def test_hr_adds_and_corrects_a_point_by_hand(stage, hr_a, login):
    kpi = make_kpi(stage, points=monthly_points([5]))
    client = login(hr_a)
    bad = client.post(f"/t/alpha/process-kpis/{kpi.pk}/points/", {"at": "2026-09-15", "value": "7"})
    assert bad.status_code == 400 and "use 2026-09-01" in bad.content.decode()
    saved = client.post(f"/t/alpha/process-kpis/{kpi.pk}/points/", {"at": "2026-10-01", "value": "6.5"})
    assert saved.status_code == 302
    point = ProcessKpiPoint.objects.get(kpi=kpi)
    assert (str(point.value), point.source) == ("6.500000", "manual")


def test_hr_creates_edits_and_deletes_a_kpi(process, stage, hr_a, login, tenant_b):
    client = login(hr_a)
    with tenant_scope(tenant_b):
        foreign_stage = ProcessStage.objects.filter(process=make_process(OrgUnitFactory(name="B"))).first()
    form = client.get(f"/t/alpha/processes/{process.pk}/kpis/new/?stage={stage.pk}").content.decode()
    assert "1. Quotation approval" in form and "2. Contract signing" in form
    data = {"stage": str(stage.pk), "code": "CONV", "name": "Conversion", "unit_label": "%",
            "granularity": "monthly", "direction": "higher_better", "amber": "30", "red": "40",
            "is_active": "on"}  # fmt: skip
    new = f"/t/alpha/processes/{process.pk}/kpis/new/"
    refused = client.post(new, data)
    assert refused.status_code == 400
    assert "the red line is at or below the amber line" in refused.content.decode()
    foreign = client.post(new, {**data, "stage": str(foreign_stage.pk)})
    assert foreign.status_code == 400 and not ProcessKpi.objects.exists()
    created = client.post(f"/t/alpha/processes/{process.pk}/kpis/new/", {**data, "red": "20"})
    kpi = ProcessKpi.objects.get()
    assert created.status_code == 302 and created.url == f"/t/alpha/process-kpis/{kpi.pk}/"
    edit = client.get(f"/t/alpha/process-kpis/{kpi.pk}/edit/").content.decode()
    assert 'value="30"' in edit and 'value="20"' in edit
    saved = client.post(f"/t/alpha/process-kpis/{kpi.pk}/edit/", {**data, "red": "20", "name": "Win rate",
                                                                  "lock_version": "1"})  # fmt: skip
    assert saved.status_code == 302
    stale = client.post(f"/t/alpha/process-kpis/{kpi.pk}/edit/", {**data, "red": "20", "lock_version": "1"})
    assert stale.status_code == 409
    assert client.post(f"/t/alpha/process-kpis/{kpi.pk}/delete/", {"lock_version": "1"}).status_code == 409
    assert client.post(f"/t/alpha/process-kpis/{kpi.pk}/delete/", {"lock_version": "2"}).status_code == 302
    assert not ProcessKpi.objects.exists()


def test_readers_may_not_write_and_another_tenants_kpi_is_not_found(process, tenant_a, tenant_b, login):
    with tenant_scope(tenant_b):
        other = make_kpi(ProcessStage.objects.filter(process=make_process(OrgUnitFactory(name="B"))).first())
    reader = login(make_member(tenant_a, Role.MANAGER))
    assert reader.get(f"/t/alpha/processes/{process.pk}/kpis/new/").status_code == 403
    assert reader.get("/t/alpha/process-kpis/import/").status_code == 403
    hr = login(make_member(tenant_a, Role.HR_ADMIN, username="hr2"))
    for suffix in ("", "edit/", "delete/"):
        assert hr.get(f"/t/alpha/process-kpis/{other.pk}/{suffix}").status_code == 404
    point = {"at": "2026-01-01", "value": "1"}
    assert hr.post(f"/t/alpha/process-kpis/{other.pk}/points/", point).status_code == 404
    with tenant_scope(tenant_b):
        assert not ProcessKpiPoint.objects.filter(kpi=other).exists()


def test_the_kpi_table_pages_in_fixed_queries(stage, tenant_a, login, django_assert_max_num_queries):
    kpi = make_kpi(stage, points=monthly_points([float(i % 4) for i in range(40)]))
    client = login(make_member(tenant_a, Role.EMPLOYEE))
    with django_assert_max_num_queries(30):
        html = client.get(f"/t/alpha/process-kpis/{kpi.pk}/").content.decode()
    assert html.count("<tr data-at=") == 25 and "more follow" in html


def test_the_process_page_reads_its_kpis_in_fixed_queries(process, stage, tenant_a, login,
                                                          django_assert_max_num_queries):  # fmt: skip
    make_kpi(stage, code="K0", points=monthly_points([1, 2]))
    client = login(make_member(tenant_a, Role.EMPLOYEE))
    with django_assert_max_num_queries(40) as first:
        client.get(f"/t/alpha/processes/{process.pk}/")
    for n in range(1, 8):
        make_kpi(stage, code=f"K{n}", points=monthly_points([n, n + 1]))
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(f"/t/alpha/processes/{process.pk}/").content.decode()
    assert html.count("data-kpi=") == 8


def test_the_process_editor_keeps_each_stages_id_and_its_kpis(process, stage, hr_a, login):
    kpi = make_kpi(stage)
    client = login(hr_a)
    form = client.get(f"/t/alpha/processes/{process.pk}/edit/").content.decode()
    assert f'name="stages-0-id" value="{stage.pk}"' in form
    second = ProcessStage.objects.get(process=process, order=2)
    data = {"name": process.name, "kind": process.kind, "owner_unit": str(process.owner_unit_id),
            "is_active": "on", "lock_version": "1"}  # fmt: skip
    for index, (pk, name) in enumerate([(second.pk, "Signing"), ("", "Credit check"), (stage.pk, "Quote")]):
        row = {"id": str(pk), "name": name, "owner_unit": str(process.owner_unit_id), "time_limit": "2",
               "time_unit": "working_days"}  # fmt: skip
        data.update({f"stages-{index}-{field}": value for field, value in row.items()})
    assert client.post(f"/t/alpha/processes/{process.pk}/edit/", data).status_code == 302
    kpi.refresh_from_db()
    assert (kpi.stage_id, kpi.stage.order, kpi.stage.name) == (stage.pk, 3, "Quote")
    dropped = {k: v for k, v in data.items() if not k.startswith("stages-2-")} | {"lock_version": "2"}
    refused = client.post(f"/t/alpha/processes/{process.pk}/edit/", dropped)
    assert refused.status_code == 400 and "move or delete its KPIs first" in refused.content.decode()
