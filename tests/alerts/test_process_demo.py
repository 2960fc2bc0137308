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
