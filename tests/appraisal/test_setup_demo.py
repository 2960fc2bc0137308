"""The demo tenants get the default appraisal policy and one launched cycle for the current year, in
which the demo manager and employee logins have appraisals (goal setting open today)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from appraisal.demo import appraisal_cycle_build
from appraisal.models import Appraisal, AppraisalCycle, CycleStatus, Grade, Stage
from collab.demo import running as demo_running
from collab.models import Tenant
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db


def test_the_demo_launches_a_cycle_with_the_demo_logins_in_it(monkeypatch):
    monkeypatch.setattr(demo_running, "app_demo_steps", lambda *args: [appraisal_cycle_build])
    call_command("seed_demo", stdout=StringIO())
    with tenant_scope(Tenant.objects.get(slug="mining")):
        cycle = AppraisalCycle.objects.get()
        assert cycle.status == CycleStatus.ACTIVE and cycle.name.endswith("绩效考核")
        assert cycle.period.kind == "year"
        assert Grade.objects.get(code="S").name == "卓越"
        employee = Appraisal.objects.select_related("manager__user").get(
            employee__user__username="mining-employee"
        )
        assert employee.stage == Stage.GOAL_SETTING
        assert employee.manager.user.username == "mining-manager"
    with tenant_scope(Tenant.objects.get(slug="tech")):
        people = set(Appraisal.objects.values_list("employee__user__username", flat=True))
        assert {"tech-manager", "tech-employee"} <= people
        assert Grade.objects.get(code="S").name == "Outstanding"
