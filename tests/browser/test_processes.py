"""In the browser: HR creates a process from the procure-to-pay template (the stages prefilled; a stage
removed, owner and collaborating units picked with the unit pickers), sees it drawn as a flow, edits a
stage's time limit and name and sees the flow change. No JavaScript error."""

from __future__ import annotations

import pytest

from alerts.models import Process
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.browser.session import log_in, pick, watch_errors
from tests.factories import make_member
from tests.factories.org import OrgUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):
        OrgUnitFactory(code="B-PUR", name="Bravo Purchasing")
    with tenant_scope(tenant_a):
        units = {
            "pur": OrgUnitFactory(code="PUR", name="Purchasing"),
            "fin": OrgUnitFactory(code="FIN", name="Finance"),
            "prod": OrgUnitFactory(code="PROD", name="Production"),
        }
    make_member(tenant_a, Role.HR_ADMIN, username="process_hr")
    return units


def test_hr_creates_a_process_from_a_template_edits_a_stage_and_sees_the_flow(
    company, tenant_a, live_server, page, screenshot
):
    errors = watch_errors(page)
    base = live_server.url
    log_in(page, base, "process_hr")
    page.goto(f"{base}/t/alpha/processes/")
    assert page.locator("#process-empty").is_visible()
    with page.expect_navigation():
        page.click("#process-new")
    with page.expect_navigation():
        page.click('[data-template="procure_to_pay"]')
    assert page.input_value("#id_name") == "Procure to pay"
    assert page.locator("#stage-rows tbody tr[data-row]").count() == 5
    # Keep three stages: remove the fourth twice (the rows renumber: the fifth becomes the fourth).
    for _ in range(2):
        page.locator("#stage-rows tbody tr[data-row]").nth(3).locator("[data-remove-row]").click()
    assert page.locator("#stage-rows tbody tr[data-row]").count() == 3
    assert page.input_value("#stages-2-name") == "Purchase order"
    pick(page, "id_owner_unit", "Purch")
    pick(page, "stages-0-owner_unit", "Produ")
    pick(page, "stages-1-owner_unit", "Purch")
    pick(page, "stages-1-collaborating_units", "Finan")
    pick(page, "stages-2-owner_unit", "Purch")
    page.fill("#stages-1-escalation_role", "Purchasing Manager")
    with page.expect_navigation():
        page.click("#process-save")
    flow = page.locator("#process-flow")
    assert flow.locator("li").count() == 3
    assert "Finance" in flow.locator('li[data-stage="2"]').inner_text()
    assert "Purchasing Manager" in flow.locator('li[data-stage="2"]').inner_text()
    screenshot("process-flow")
    with tenant_scope(tenant_a):  # the stages keep their identity through the edit below (KPIs hang off them)
        stage_ids = list(Process.objects.get().stages.order_by("order").values_list("pk", flat=True))

    with page.expect_navigation():
        page.click("#process-edit")
    page.fill("#stages-1-name", "Budget approval")
    page.fill("#stages-1-time_limit", "3")
    page.select_option("#stages-1-time_unit", "working_days")
    with page.expect_navigation():
        page.click("#process-save")
    second = page.locator('#process-flow li[data-stage="2"]').inner_text()
    assert "Budget approval" in second and "3 working days" in second and "Finance" in second
    with tenant_scope(tenant_a):
        process = Process.objects.get()
        assert process.lock_version == 2 and process.owner_unit == company["pur"]
        assert [s.owner_unit.code for s in process.stages.order_by("order")] == ["PROD", "PUR", "PUR"]
        assert list(process.stages.order_by("order").values_list("pk", flat=True)) == stage_ids
    assert not errors
