"""In the browser: an employee records a deliverable to the unit above (the form opens with them as the
sender), the receiving side's manager marks it done in time on the event's page, and the measures pages —
the manager's by unit, the employee's "Recorded about me" — show the on-time rate with the trend chart drawn
(an ECharts canvas). Tenant B is in the room. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from collab.models import Period
from collab.tenancy import tenant_scope
from feedback.models import CollaborationEvent
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, pick, watch_errors
from tests.factories import make_member
from tests.factories.feedback_events import EventFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.timezone = "Asia/Shanghai"
    tenant_a.save()
    with tenant_scope(tenant_b):
        EventFactory(title="Bravo secret delivery")
    users = {
        "manager": make_member(tenant_a, "manager", username="manager"),
        "staff": make_member(tenant_a, "employee", username="staff"),
    }
    with tenant_scope(tenant_a):
        production = OrgUnitFactory(name="Production", code="PROD")
        team = OrgUnitFactory(name="Shift team one", code="PROD-T1", parent=production)
        manager = EmployeeFactory(name="Manager Ma", org_unit=production, user=users["manager"])
        EmployeeFactory(name="Staff Su", org_unit=team, manager=manager, user=users["staff"])
        PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=2)
        march = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=3)
    return {"march": march, "team": team}


def test_employee_records_the_receiver_completes_and_the_measures_show_it(org, live_server, page, tenant_a):
    errors = watch_errors(page)
    base = f"{live_server.url}/t/alpha/feedback/events"
    log_in(page, live_server.url, "staff")
    page.click("#nav-my-events")  # the menu leads to what is recorded about me
    page.wait_for_url("**/feedback/events/about/")
    page.goto(f"{base}/new/")
    assert "Staff Su" in page.locator("#id_from_employee").inner_text()  # the sender is the employee
    page.select_option("#id_kind", "deliverable")
    page.fill("#id_title", "Shift report for March")
    pick(page, "id_to_unit", "Production")
    pick(page, "id_to_employee", "Manager")
    page.fill("#id_occurred_at", "2026-03-02T09:00")
    page.fill("#id_due_at", "2026-03-05T17:00")
    with page.expect_navigation():
        page.click("#event-save")
    assert "Shift report for March" in page.locator("h1").inner_text()
    assert page.locator("#event-complete-form").count() == 1  # it names the employee: theirs to complete too
    with tenant_scope(tenant_a):
        event = CollaborationEvent.objects.get()
    assert (event.kind, event.from_unit_id, event.due_at.isoformat()) == (
        "deliverable", org["team"].pk, "2026-03-05T09:00:00+00:00"
    )

    log_in(page, live_server.url, "manager")
    page.goto(f"{base}/{event.pk}/")
    page.fill("#event-complete-form input[name=done_at]", "2026-03-04T16:30")
    with page.expect_navigation():
        page.click("#event-complete-form [type=submit]")
    assert page.locator("#event-complete-form").count() == 0
    page.goto(f"{base}/measures/?period={org['march'].pk}&unit={org['team'].pk}")
    row = page.locator(f"#measures-table tr[data-unit='{org['team'].pk}'] [data-measure=on_time_rate]")
    assert row.inner_text().strip() == "100 %"
    page.locator("#event-trend-chart canvas").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "events_measures_manager.png"), full_page=True)
    page.click("#event-trend-table-tab")
    assert page.locator("#event-trend-table tbody tr").count() == 2  # February and March

    log_in(page, live_server.url, "staff")
    page.goto(f"{base}/about/?period={org['march'].pk}")
    assert page.locator("#about-measures [data-measure=on_time_rate]").inner_text().strip() == "100 %"
    assert page.locator("#about-event-table tr[data-event]").count() == 1
    page.locator("#event-trend-chart canvas").wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "events_about_me.png"), full_page=True)
    assert "Bravo secret" not in page.content()
    assert errors == []
