"""In the browser: in goal setting the employee proposes a personal goal under their position's goal (the
KPI typed from the library's suggestions, the weight sum shown live), the manager finds it in "Goals to
agree" and returns it with a comment, the employee edits it and proposes it again, the manager accepts, and
the goal appears in the goal tree. Tenant B is in the room. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from appraisal.models import PersonalGoal, ProposalStatus
from collab.tenancy import tenant_scope
from tests.appraisal.goals_checkins_setup import goals_world
from tests.browser.session import log_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def g(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):
        goals_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        return goals_world(tenant_a)


def test_propose_return_propose_again_accept_and_see_it_in_the_tree(
    g, live_server, page, screenshot, tenant_a
):
    errors = watch_errors(page)
    goals_url = f"{live_server.url}/t/alpha/appraisal/{g.world.appraisal.pk}/goals/"
    log_in(page, live_server.url, "ap-employee")
    page.goto(goals_url)
    page.select_option("#id_kind", "new")
    page.select_option("#id_parent_goal", str(g.position_goal.pk))
    page.fill("#id_kpi", f"{g.kpi.code} · {g.kpi.name}")
    page.fill("#id_target", "100")
    page.fill("#id_weight", "60")
    live = page.locator("#weight-live")
    assert live.is_visible() and "60" in live.inner_text()
    assert page.locator("[data-weight-live-warning]").is_visible()  # 60 is not 100: a warning only
    screenshot("appraisal-goal-propose")
    with page.expect_navigation():
        page.click("#propose-button")
    proposal = page.locator("#proposals [data-proposal]")
    assert proposal.count() == 1 and "Proposed" in proposal.inner_text()

    log_in(page, live_server.url, "ap-manager")
    page.goto(f"{live_server.url}/t/alpha/appraisal/goals-to-agree/")
    row = page.locator("#goals-to-agree tr[data-proposal]")
    assert row.count() == 1 and "ap Employee" in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    card = page.locator("#proposals [data-proposal]")
    card.locator(".return-form textarea").fill("Aim for 120: last year's result was 110.")
    with page.expect_navigation():
        card.locator(".return-button").click()
    assert "Returned" in page.locator("#proposals [data-proposal] .proposal-status").inner_text()

    log_in(page, live_server.url, "ap-employee")
    page.goto(goals_url)
    card = page.locator("#proposals [data-proposal]")
    assert "Aim for 120" in card.locator(".proposal-comment").inner_text()
    with page.expect_navigation():
        card.locator(".proposal-edit").click()
    assert page.locator("#id_target").input_value() in ("100", "100.0000")
    page.fill("#id_target", "120")
    with page.expect_navigation():
        page.click("#propose-button")
    assert "Proposed" in page.locator("#proposals [data-proposal] .proposal-status").inner_text()

    log_in(page, live_server.url, "ap-manager")
    page.goto(goals_url)
    card = page.locator("#proposals [data-proposal]")
    card.locator(".accept-form input[name$='-weight']").fill("100")
    with page.expect_navigation():
        card.locator(".accept-button").click()
    agreed = page.locator("#personal-goals tr[data-goal]")
    assert agreed.count() == 1 and g.kpi.name in agreed.inner_text() and "120" in agreed.inner_text()
    assert page.locator("#weight-warning").count() == 0  # 100 %
    screenshot("appraisal-goal-accepted")
    with tenant_scope(tenant_a):
        goal = PersonalGoal.objects.select_related("goal").get()
        assert goal.appraisal.goal_proposals.get().status == ProposalStatus.ACCEPTED

    page.goto(f"{live_server.url}/t/alpha/goals/tree/?period={g.world.period.pk}")
    page.locator("#goal-tree, #tree-empty").first.wait_for()
    page.fill("#goal-search-q", g.kpi.code)
    page.click("#goal-search button[type=submit]")
    hit = page.locator(f"#goal-search-list [data-goal='{goal.goal_id}']")
    hit.wait_for()
    assert g.kpi.name in hit.inner_text()
    screenshot("appraisal-goal-in-tree")
    assert errors == []


def test_a_check_in_both_read_with_private_notes_kept_apart(g, live_server, page, screenshot, tenant_a):
    """The manager finds the person under "Not talked to this period", records a check-in with an action
    for the employee and a private note; the employee reads it without that note, keeps their own and marks
    the action done."""
    errors = watch_errors(page)
    log_in(page, live_server.url, "ap-manager")
    page.goto(f"{live_server.url}/t/alpha/?as=manager")
    person = page.locator(f"#not-talked-to [data-appraisal='{g.world.appraisal.pk}']")
    with page.expect_navigation():
        person.locator("a").click()
    page.fill("#id_progress", "Pipeline doubled since last month.")
    page.fill("#id_obstacles", "Waiting for the CRM licence.")
    page.fill("#actions-0-description", "Finish the CRM training")
    page.select_option("#actions-0-owner", "employee")
    page.fill("#actions-0-due_on", "2030-01-31")
    page.fill("#id_private_note", "Ready for a bigger territory soon.")
    with page.expect_navigation():
        page.click("#check-in-save")
    card = page.locator("#check-ins [data-check-in]")
    assert card.count() == 1 and "Pipeline doubled" in card.inner_text()
    assert "bigger territory" in card.locator(".private-note textarea").input_value()
    assert page.locator(f"#not-talked-to [data-appraisal='{g.world.appraisal.pk}']").count() == 0

    log_in(page, live_server.url, "ap-employee")
    page.goto(f"{live_server.url}/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/")
    card = page.locator("#check-ins [data-check-in]")
    assert "Pipeline doubled" in card.inner_text() and "bigger territory" not in page.content()
    card.locator(".private-note summary").click()
    card.locator(".private-note textarea").fill("Ask about the training budget.")
    with page.expect_navigation():
        card.locator(".private-note button").click()
    with page.expect_navigation():
        page.locator("#check-ins .action-done").click()
    assert page.locator("#check-ins .action-done.btn-success").count() == 1
    screenshot("appraisal-check-in")

    log_in(page, live_server.url, "ap-manager")
    page.goto(f"{live_server.url}/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/")
    assert "training budget" not in page.content() and "bigger territory" in page.content()
    assert page.locator("#check-ins .action-done").count() == 0  # the employee's action: theirs to tick
    assert errors == []
