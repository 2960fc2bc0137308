"""The demo tenants get one process each from its template: the technology tenant's lead to cash (English)
and the mining tenant's procure to pay (Chinese), their stages owned by units of the demo org chart."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from alerts.demo import processes_build
from alerts.models import Process
from collab.demo import running as demo_running
from collab.models import Tenant
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_process_per_tenant_from_its_template(monkeypatch):
    monkeypatch.setattr(demo_running, "app_demo_steps", lambda *args: [processes_build])
    call_command("seed_demo", stdout=StringIO())
    with tenant_scope(Tenant.objects.get(slug="mining")):
        process = Process.objects.select_related("owner_unit").get()
        stages = list(process.stages.select_related("owner_unit").order_by("order"))
        assert (process.kind, process.name) == ("procure_to_pay", "采购到付款")
        assert [s.name for s in stages] == ["请购", "审批", "采购下单", "收货检验", "付款"]
        assert [s.owner_unit.code for s in stages][-1] == "MIN-JB-FIN"
        assert [u.code for u in stages[1].collaborating_units.all()] == ["MIN-JB-FIN"]
        assert stages[0].escalation_role == "生产部经理" and process.owner is not None
    with tenant_scope(Tenant.objects.get(slug="tech")):
        process = Process.objects.get()
        assert process.kind == "lead_to_cash" and process.stages.count() == 5
        assert process.stages.get(order=1).name == "Lead capture"


def test_the_demo_gives_the_processes_kpis_with_a_spike_and_a_short_series(monkeypatch):
    from alerts.demo import process_kpis_build
    from alerts.models import ProcessKpi
    from alerts.selectors.kpis import series_verdict

    monkeypatch.setattr(demo_running, "app_demo_steps", lambda *args: [processes_build, process_kpis_build])
    call_command("seed_demo", stdout=StringIO())
    with tenant_scope(Tenant.objects.get(slug="tech")):
        kpis = {kpi.code: kpi for kpi in ProcessKpi.objects.select_related("stage")}
        assert set(kpis) == {"L2C-CONV", "L2C-APPROVAL", "L2C-DELAY", "L2C-OVERDUE"}
        spike = series_verdict(kpis["L2C-APPROVAL"]).latest
        assert spike["flagged"] and spike["value"] == 66.0
        assert series_verdict(kpis["L2C-OVERDUE"]).latest["status"] == "too_short"
        assert kpis["L2C-APPROVAL"].points.count() == 30
    with tenant_scope(Tenant.objects.get(slug="mining")):
        assert ProcessKpi.objects.get(code="P2P-APPROVAL").stage.name == "审批"
