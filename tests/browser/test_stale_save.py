"""In the browser: two tabs edit the same object; the second save is stale and the user sees the 409 answer
(who saved and when, the input kept) — on a plain form (a KPI) and in an htmx side panel (an org unit in
the tree, which htmx swaps in although it is a 409). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from collab.models import OrgUnit, Role
from collab.tenancy import tenant_scope
from goals.models import KPI
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, watch_errors
from tests.factories import make_member
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    make_member(tenant_a, Role.HR_ADMIN, username="stale-hr", first_name="Hana", last_name="Ren")
    with tenant_scope(tenant_a):
        kpi = KPIFactory(code="RET", name="Retention rate")
        unit = OrgUnitFactory(code="OPS", name="Operations")
    with tenant_scope(tenant_b):  # the other tenant is in the room with a KPI of the same code
        KPIFactory(code="RET", name="Bravo retention")
    return {"kpi": kpi, "unit": unit}


def test_second_tab_saving_a_kpi_sees_the_409_message(company, live_server, page):
    errors = watch_errors(page)
    log_in(page, live_server.url, "stale-hr")
    edit = f"{live_server.url}/t/alpha/goals/kpis/{company['kpi'].pk}/edit/"
    first = page
    second = page.context.new_page()  # the same session, a second tab
    first.goto(edit)
    second.goto(edit)
    first.fill("input[name=name]", "Retention rate (first tab)")
    with first.expect_navigation():
        first.locator("form:has(input[name=name]) [type=submit]").first.click()
    second.fill("input[name=name]", "Retention rate (second tab)")
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.locator("form:has(input[name=name]) [type=submit]").first.click()
    assert answer.value.status == 409
    second.wait_for_load_state()
    alert = second.locator(".alert-danger, .alert-warning").filter(has_text="changed this KPI")
    assert alert.count() == 1 and "Hana Ren changed this KPI at" in alert.inner_text()
    assert second.input_value("input[name=name]") == "Retention rate (second tab)"  # input kept
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=str(ARTIFACTS / "stale_kpi_second_tab.png"), full_page=True)
    with tenant_scope(company["kpi"].tenant):
        assert KPI.objects.get(pk=company["kpi"].pk).name == "Retention rate (first tab)"
    assert not errors


def test_second_tab_in_the_htmx_panel_sees_the_409_message(company, live_server, page):
    errors = watch_errors(page)
    log_in(page, live_server.url, "stale-hr")
    tree = f"{live_server.url}/t/alpha/org/"
    unit = company["unit"]
    tabs = [page, page.context.new_page()]
    for tab in tabs:
        tab.goto(tree)
        tab.locator(f'a[hx-get$="/org/units/{unit.pk}/edit/"]').click()
        tab.wait_for_selector("#unit-panel input[name=name]")
    tabs[0].fill("#unit-panel input[name=name]", "Operations (first tab)")
    with tabs[0].expect_navigation():
        tabs[0].locator("#unit-panel form [type=submit]").click()
    tabs[1].fill("#unit-panel input[name=name]", "Operations (second tab)")
    with tabs[1].expect_response(lambda r: r.request.method == "POST") as answer:
        tabs[1].locator("#unit-panel form [type=submit]").click()
    assert answer.value.status == 409
    message = tabs[1].locator("#unit-panel").get_by_text("Hana Ren changed this org unit at")
    message.wait_for()  # htmx swapped the 409 answer into the panel
    assert tabs[1].input_value("#unit-panel input[name=name]") == "Operations (second tab)"
    ARTIFACTS.mkdir(exist_ok=True)
    tabs[1].screenshot(path=str(ARTIFACTS / "stale_org_unit_panel.png"), full_page=True)
    with tenant_scope(unit.tenant):
        assert OrgUnit.objects.get(pk=unit.pk).name == "Operations (first tab)"
    assert not errors
