"""In the browser: the employee opens "My appraisals" from the Performance menu, self-assesses their goals and
submits; the manager opens "My team", sees the self-assessment beside the score breakdown and the suggested
grade, picks a grade beyond the allowed departure (refused with a field error), then one within it with an
explanation, and submits. The employee sees nothing of it. A second tenant is in the room, untouched.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from appraisal.models import Appraisal, Stage
from collab.tenancy import tenant_scope
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, watch_errors
from tests.factories.appraisal_assessment import assessment_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):
        assessment_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        return assessment_world(tenant_a, prefix="br")


def _open_from_menu(page, item: str) -> None:
    page.click("#nav-appraisal > a")
    with page.expect_navigation():
        page.click(item)


def test_self_assessment_then_manager_assessment(world, live_server, page, tenant_a, tenant_b):
    made, (first, second) = world
    errors = watch_errors(page)
    ARTIFACTS.mkdir(exist_ok=True)

    log_in(page, live_server.url, "br-employee")
    page.goto(f"{live_server.url}/t/alpha/")
    _open_from_menu(page, "#nav-appraisals-mine")
    with page.expect_navigation():
        page.locator("#appraisal-table").get_by_role("link", name=made.employee.name).click()
    assert "Self-assessment" in page.locator("#appraisal-stage").inner_text()
    assert "50 %" in page.locator("#appraisal-formula").inner_text()
    page.fill(f"textarea[name=goal_{first.pk}_comment]", "Shipped the new billing flow.")
    page.select_option(f"select[name=goal_{first.pk}_rating]", "4")
    page.fill(f"textarea[name=goal_{second.pk}_comment]", "Half done; the vendor was late.")
    page.fill("textarea[name=summary]", "A good half year.")
    with page.expect_navigation():
        page.click("#self-save")
    assert "Draft saved" in page.inner_text("body")
    assert page.input_value(f"textarea[name=goal_{first.pk}_comment]") == "Shipped the new billing flow."
    with page.expect_navigation():
        page.click("#self-submit")
    assert "Self-assessment submitted" in page.inner_text("body")
    assert "Manager assessment" in page.locator("#appraisal-stage").inner_text()
    assert page.locator("#manager-hidden").count() == 1
    page.screenshot(path=str(ARTIFACTS / "appraisal_self_submitted.png"), full_page=True)

    log_in(page, live_server.url, "br-manager")
    page.goto(f"{live_server.url}/t/alpha/")
    _open_from_menu(page, "#nav-appraisals-team")
    with page.expect_navigation():
        page.locator("#appraisal-table").get_by_role("link", name=made.employee.name).click()
    assert "Shipped the new billing flow." in page.locator("#self-view").inner_text()
    assert page.locator("#evidence-total").inner_text().strip() == "92.00"
    breakdown = page.locator("#evidence-breakdown").inner_text()
    assert "90.00" in breakdown and "70.00" in breakdown and "3.00" in breakdown
    assert page.locator("#evidence-suggested [data-grade=B]").count() == 1
    page.select_option("select[name=grade]", label="S · Outstanding")
    page.fill("textarea[name=reason]", "Carried the team.")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#manager-submit")
    assert answer.value.status == 400
    refusal = page.locator("#id_grade ~ .invalid-feedback").inner_text()
    assert "2 grades away from the suggested grade B" in refusal
    page.screenshot(path=str(ARTIFACTS / "appraisal_grade_refused.png"), full_page=True)
    page.select_option("select[name=grade]", label="A · Exceeds")
    page.fill("textarea[name=departure_reason]", "Led the billing migration beyond the scorecard.")
    page.fill("textarea[name=comment]", "Thank you for this half.")
    with page.expect_navigation():
        page.click("#manager-submit")
    assert "Assessment submitted" in page.inner_text("body")
    assert "Calibration" in page.locator("#appraisal-stage").inner_text()
    assert page.locator("#manager-grade").inner_text().startswith("A")
    page.screenshot(path=str(ARTIFACTS / "appraisal_manager_submitted.png"), full_page=True)

    log_in(page, live_server.url, "br-employee")
    page.goto(f"{live_server.url}/t/alpha/appraisal/{made.appraisal.pk}/")
    assert "Thank you for this half." not in page.inner_text("body")
    with tenant_scope(tenant_a):
        saved = Appraisal.objects.get(pk=made.appraisal.pk)
        assert saved.stage == Stage.CALIBRATION and saved.manager_grade.code == "A"
        assert saved.result_score is not None and saved.suggested_grade.code == "B"
    with tenant_scope(tenant_b):
        assert not Appraisal.objects.filter(manager_submitted_at__isnull=False).exists()
    assert not errors
