"""In the browser: a manager proposes bonus points for someone in their team (the person chosen in the
searchable picker), citing one of the person's collaboration events as evidence (the list loads for the
chosen person and period), and their own manager approves the proposal in the page, where the cited event
is listed with a link to it; the approved point reaches the ledger once and the employee's "My points".
Tenant B is in the room. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest

from collab.tenancy import tenant_scope
from feedback.models import PointLedgerEntry, PointProposal, ProposalStatus
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, pick, watch_errors
from tests.factories.feedback_events import EventFactory
from tests.factories.feedback_points import build_line
from tests.factories.org import OrgUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def line(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):
        build_line(tenant_b, prefix="b-")
    with tenant_scope(tenant_a):
        line = build_line(tenant_a)
        line.event = EventFactory(
            title="Staff unblocked the sales demo", kind="deliverable", from_unit=line.team,
            to_unit=OrgUnitFactory(name="Sales"), from_employee=line.staff,
            occurred_at=dt.datetime(line.period.year, 3, 2, 9, tzinfo=dt.UTC),
            due_at=dt.datetime(line.period.year, 3, 6, 18, tzinfo=dt.UTC),
            done_at=dt.datetime(line.period.year, 3, 5, 18, tzinfo=dt.UTC),
        )  # fmt: skip
        return line


def test_a_manager_proposes_and_their_manager_approves_in_the_page(line, live_server, page, tenant_a):
    errors = watch_errors(page)
    base = f"{live_server.url}/t/alpha/feedback/points"
    log_in(page, live_server.url, "manager")
    page.goto(f"{base}/proposals/new/")
    pick(page, "id_subject_employee", "Staff")
    page.select_option("#id_item", str(line.item.pk))
    page.select_option("#id_period", str(line.period.pk))
    page.fill("#id_reason", "Unblocked the sales demo over the weekend.")
    cite = page.locator(f"#evidence-event-{line.event.pk}")
    cite.wait_for()  # the person's events in the period, loaded for the choices above
    page.fill("#id_evidence_q", "sales demo")
    page.press("#id_evidence_q", "Enter")  # searches; does not send the proposal
    page.wait_for_timeout(600)
    assert "/proposals/new/" in page.url
    page.locator(f"#evidence-event-{line.event.pk}").check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "points_propose_with_events.png"), full_page=True)
    with page.expect_navigation():
        page.click("#proposal-save")
    assert page.locator("#proposal-facts").is_visible()
    assert page.locator(f"#proposal-events-table tr[data-event='{line.event.pk}']").count() == 1
    assert page.locator("#approve-form").count() == 0  # the proposer decides nothing

    log_in(page, live_server.url, "director")
    page.goto(f"{base}/proposals/?box=to_decide")
    row = page.locator("#proposal-table tr[data-proposal]")
    assert row.count() == 1 and "Staff" in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    cited = page.locator(f"#proposal-events-table tr[data-event='{line.event.pk}']")
    assert "Staff unblocked the sales demo" in cited.inner_text()
    assert cited.locator("[data-timeliness=on_time]").count() == 1
    assert cited.locator("a").get_attribute("href").endswith(f"/feedback/events/{line.event.pk}/")
    twin = page.context.new_page()  # the same page open twice: its second approval is a repeated click
    twin.goto(page.url)
    page.fill("#approve-form textarea", "Well deserved.")
    with page.expect_navigation():
        page.click("#approve-button")
    assert page.locator("#proposal-decided").is_visible()
    assert page.locator("[data-status=approved]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "points_approved.png"), full_page=True)
    with twin.expect_response(lambda r: r.request.method == "POST") as answer:
        twin.click("#approve-button")
    assert answer.value.status == 302  # the same final state, not a second point
    twin.wait_for_load_state()
    assert twin.locator("[data-status=approved]").count() == 1
    with tenant_scope(tenant_a):
        assert PointProposal.objects.get().status == ProposalStatus.APPROVED
        assert list(PointProposal.objects.get().evidence_events.all()) == [line.event]
        assert PointLedgerEntry.objects.count() == 1

    log_in(page, live_server.url, "staff")
    page.goto(f"{base}/mine/?year={line.period.year}")
    assert "+2" in page.locator("#my-points-total").inner_text()
    assert not errors
