"""In the browser: a manager calibrates in a session (the distribution chart draws; they change one person's
grade with a reason code and a reason, and close the session recording who attended), HR releases the
cycle's results, the employee confirms their result — and their colleague appeals it with a reason, which
the manager's manager, notified, decides from their queue. Tenant B is in the room. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest

from appraisal.models import Appeal, AppealStatus, Appraisal, CalibrationSession, CalibrationStatus, Stage
from appraisal.services.calibration import calibration_create
from collab.tenancy import tenant_scope
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, watch_errors
from tests.factories.appraisal_calibration import calibration_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):
        calibration_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        world = calibration_world(tenant_a)
        world.session = calibration_create(
            actor=world.users["hr"],
            cycle=world.cycle,
            name="Team review",
            org_unit=world.unit,
            include_managers=True,
        )
        return world


def test_calibrate_release_confirm_and_appeal(world, live_server, page):
    errors = watch_errors(page)
    base = f"{live_server.url}/t/alpha/appraisal"
    ARTIFACTS.mkdir(exist_ok=True)

    log_in(page, live_server.url, "cal-manager")
    page.goto(f"{base}/calibrations/")
    with page.expect_navigation():
        page.click(f"#calibration-table tr[data-session='{world.session.pk}'] a")
    page.locator("#calibration-chart canvas").first.wait_for()  # charts.js drew the distribution
    target = world.others[0]  # an A
    form = page.locator(f"#change-{target.pk}")
    form.locator("select[name=grade]").select_option(str(world.grades["B"].pk))
    form.locator("select[name=reason_code]").select_option("consistency")
    form.locator("input[name=reason]").fill("In line with the other teams")
    with page.expect_navigation():
        form.locator("button").click()
    row = page.locator(f"#calibration-people tr[data-appraisal='{target.pk}']")
    assert "B" in row.locator(".current-grade").inner_text() and "calibrated" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "appraisal_calibration_session.png"), full_page=True)
    page.locator(f"#close-form input[name=attended][value='{world.users['manager'].pk}']").check()
    with page.expect_navigation():
        page.click("#calibration-close")
    assert page.locator("#session-closed").is_visible()
    assert page.locator("#session-status").inner_text() == "Closed"

    log_in(page, live_server.url, "cal-hr")
    page.goto(f"{base}/calibrations/")
    with page.expect_navigation():
        page.click(f"#release-{world.cycle.pk}")
    with page.expect_navigation():
        page.click("#release-submit")
    assert "10 results released." in page.content()

    log_in(page, live_server.url, "cal-employee")
    page.goto(f"{base}/{world.appraisal.pk}/result/")
    assert page.locator("#result-grade").inner_text().count("S") >= 1
    assert "Comments for cal Employee" in page.locator("#result-comments").inner_text()
    with page.expect_navigation():
        page.click("#result-confirm")
    assert "Confirmed" in page.locator("#confirmation-state").inner_text()
    assert page.locator("#result-confirm").count() == 0

    log_in(page, live_server.url, "cal-colleague")
    page.goto(f"{base}/{world.colleague_appraisal.pk}/result/")
    page.fill("#id_reason", "The launch I led is missing from the review.")
    with page.expect_navigation():
        page.click("#appeal-send")
    assert page.locator("#appeal-status").inner_text() == "With the manager's manager"
    page.screenshot(path=str(ARTIFACTS / "appraisal_appeal_sent.png"), full_page=True)

    # The manager's manager is told, opens it from their queue and changes the grade.
    log_in(page, live_server.url, "cal-upper")
    page.goto(f"{live_server.url}/t/alpha/notifications/")
    assert "An appeal to answer: cal Colleague" in page.content()
    page.goto(f"{base}/appeals/")
    with page.expect_navigation():
        page.click("#appeal-table a")
    page.locator("#decide-form input[name=decision][value=change]").check()
    page.locator("#decide-form select[name=grade]").select_option(str(world.grades["S"].pk))
    page.locator("#decide-form select[name=reason_code]").select_option("evidence")
    page.fill("#decide-form textarea[name=note]", "The launch counts: S.")
    with page.expect_navigation():
        page.click("#decide-save")
    assert page.locator("#appeal-status").inner_text() == "Decided"
    page.screenshot(path=str(ARTIFACTS / "appraisal_appeal_decided.png"), full_page=True)

    log_in(page, live_server.url, "cal-colleague")
    page.goto(f"{base}/{world.colleague_appraisal.pk}/result/")
    assert page.locator("#result-grade").inner_text().split("\n")[1:3] == ["S", "Outstanding"]
    assert "Result from: Appeal" in page.locator("#result-grade").inner_text()
    assert "The launch counts: S." in page.locator("#appeal-steps").inner_text()

    with tenant_scope(world.cycle.tenant):
        assert CalibrationSession.objects.get(pk=world.session.pk).status == CalibrationStatus.CLOSED
        assert Appraisal.objects.get(pk=world.appraisal.pk).stage == Stage.FINAL
        assert Appeal.objects.get(appraisal=world.colleague_appraisal).status == AppealStatus.DECIDED
        assert Appraisal.objects.get(pk=world.colleague_appraisal.pk).final_grade == world.grades["S"]
    assert errors == []
