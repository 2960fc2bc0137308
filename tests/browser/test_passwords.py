"""Passwords in Chromium: the forced change after an HR admin's temporary password (created on the member
page), and a forgotten password reset from the login page through the e-mailed link."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from collab.models import Role
from tests.browser.session import log_in
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEMPORARY = "Tall-Granite-Orchard-42"
CHOSEN = "Quiet-Harbour-Lantern-77"


@pytest.fixture
def company(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    make_member(tenant_b, Role.HR_ADMIN, username="bravo_hr")  # a second tenant is always in the room
    make_member(tenant_a, Role.HR_ADMIN, username="alpha_hr")
    return tenant_a


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#login-button")


def test_a_temporary_password_must_be_changed_at_the_first_log_in(company, live_server, page, screenshot):
    base = live_server.url
    log_in(page, base, "alpha_hr")
    page.goto(f"{base}/t/{company.slug}/members/new/")
    page.fill("#id_username", "newbie")
    page.fill("#id_email", "newbie@alpha.example")
    page.fill("#id_password1", TEMPORARY)
    page.fill("#id_password2", TEMPORARY)
    page.check("input[name=roles][value=employee]")
    with page.expect_navigation():
        page.locator("main form button.btn-primary").click()

    _sign_in(page, base, "newbie", TEMPORARY)
    assert page.url.endswith("/accounts/password/"), page.url
    page.locator("#password-change-required").wait_for()
    screenshot("password-forced-change")
    page.goto(f"{base}/t/{company.slug}/")
    assert page.url.endswith("/accounts/password/"), "every page leads back to the change"
    page.fill("#id_old_password", TEMPORARY)
    page.fill("#id_new_password1", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    with page.expect_navigation():
        page.locator("main form button.btn-primary").click()
    page.locator("[data-home='employee']").wait_for()
    assert "Your new password is set" in page.content()


def test_a_forgotten_password_is_reset_from_the_login_page(company, live_server, page, screenshot):
    base = live_server.url
    make_member(company, Role.EMPLOYEE, username="ada", email="ada@alpha.example")
    page.goto(f"{base}/accounts/login/")
    page.click("#forgot-password")
    page.fill("#id_email", "ada@alpha.example")
    with page.expect_navigation():
        page.click("#reset-button")
    page.locator("#reset-sent").wait_for()
    screenshot("password-reset-sent")
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    page.goto(base + path)
    page.fill("#id_new_password1", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    with page.expect_navigation():
        page.click("#reset-confirm-button")
    page.locator("#reset-complete").wait_for()
    _sign_in(page, base, "ada", CHOSEN)
    page.locator("[data-home='employee']").wait_for()
