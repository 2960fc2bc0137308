"""In the browser: HR creates an appraisal cycle with dated stages, adds a participant rule with the unit
picker, launches it, opens the progress board and sends one person a reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from appraisal.models import Appraisal, AppraisalCycle, CycleStatus, Stage
from collab.models import Notification
from collab.selectors.audit.events import tenant_zone
from collab.tenancy import tenant_scope
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, pick, watch_errors
from tests.factories.appraisal import appraisal_world
from tests.factories.org import PeriodFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, prefix="br", current=Stage.GOAL_SETTING)
        period = PeriodFactory(year=2031)
    with tenant_scope(tenant_b):
        appraisal_world(tenant_b, prefix="zz")
    return world, period


def test_hr_sets_up_launches_and_reminds_from_the_board(company, live_server, page, tenant_a):
    world, period = company
    errors = watch_errors(page)
    log_in(page, live_server.url, "br-hr")
    page.goto(f"{live_server.url}/t/alpha/appraisal/cycles/")
    with page.expect_navigation():
        page.click("#cycle-new")
    zone = tenant_zone(tenant_a.timezone)
    start = timezone.localtime(timezone.now(), zone).replace(minute=0) - dt.timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M"
    page.fill("#id_name", "Browser cycle")
    page.select_option("#id_period", str(period.pk))
    page.fill("#id_goal_setting_opens", start.strftime(fmt))
    page.fill("#id_goal_setting_deadline", (start + dt.timedelta(days=5)).strftime(fmt))
    page.fill("#id_self_assessment_opens", (start + dt.timedelta(days=6)).strftime(fmt))
    page.fill("#id_self_assessment_deadline", (start + dt.timedelta(days=12)).strftime(fmt))
    with page.expect_navigation():
        page.click("#cycle-save")
    assert "Result = scorecard score × 50%" in page.inner_text("#cycle-formula")
    assert "Goal setting" in page.inner_text("#cycle-stage-table")
    pick(page, "id_org_unit", "br team")
    with page.expect_navigation():
        page.click("#rule-add")
    assert "br team" in page.inner_text("#cycle-rules")
    with page.expect_navigation():
        page.click("#cycle-launch")
    assert "Cycle launched: 3 appraisals." in page.inner_text("body")
    with page.expect_navigation():
        page.click("#cycle-board")
    with tenant_scope(tenant_a):
        cycle = AppraisalCycle.objects.get(name="Browser cycle")
        assert cycle.status == CycleStatus.ACTIVE
        mine = Appraisal.objects.get(cycle=cycle, employee=world.employee)
    assert page.locator("#board-table tbody tr").count() == 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "appraisal_board.png"), full_page=True)
    with page.expect_navigation():
        page.click(f'[data-remind="{mine.pk}"]')
    assert "Reminder sent about br Employee." in page.inner_text("body")
    with tenant_scope(tenant_a):
        notice = Notification.objects.get(recipient=world.users["employee"])
        assert notice.title == "Agree your goals: Browser cycle"
    assert not errors
