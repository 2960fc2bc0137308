"""Each role logs in through the real login page, lands on its own home in English and in Simplified
Chinese (switched with the header's language selector, which saves the user's preference), and is
refused (403) a page of another role. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from collab.models import Role
from tests.browser.session import log_in
from tests.factories import make_member
from tests.isolation.framework import page_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE, Role.COMMITTEE, Role.AUDITOR]
# The tenant's own language is the other one, so the selector really has to switch it.
START_FROM = {"en": "zh-hans", "zh-hans": "en"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Text a person reads on the page: the main area and the navigation, without the language picker
# (its options always show both language names).
READABLE_TEXT = """() => Array.from(document.querySelectorAll('main, nav a, nav button, title'))
    .map(element => element.innerText || element.textContent).join('\\n')"""
MAIN_TEXT = "() => document.querySelector('main').innerText"
# Once the project's own Chinese catalogue is compiled, the home's own content must be Chinese too,
# not only strings Django's catalogues already translate (e.g. the nav's "Home").
PROJECT_CATALOGUE = any(
    Path(path, "zh_Hans", "LC_MESSAGES", "django.mo").is_file() for path in settings.LOCALE_PATHS
)



def _language(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


@pytest.fixture
def company(tenant_a, tenant_b):
    make_member(tenant_b, Role.HR_ADMIN, username="bravo_hr")  # a second tenant is always in the room
    return tenant_a


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_home_in_each_language(company, live_server, page, screenshot, role, language):
    company.locale = START_FROM[language]
    company.save()
    make_member(company, role, username=f"{role}_user")

    log_in(page, live_server.url, f"{role}_user")
    home = page.locator(f"[data-home='{role}']")
    home.wait_for()
    assert page.url.rstrip("/").endswith(f"/t/{company.slug}"), page.url
    assert _language(page) == START_FROM[language], "the tenant's language applies before a choice is made"

    with page.expect_navigation():
        page.select_option("select[name=language]", language)
    home.wait_for()
    assert _language(page) == language

    text = page.evaluate(READABLE_TEXT)
    if language == "zh-hans":
        assert CJK.search(text), f"no Simplified Chinese text on the {role} home:\n{text}"
        if PROJECT_CATALOGUE:
            main = page.evaluate(MAIN_TEXT)
            assert CJK.search(main), f"the {role} home's content is not translated:\n{main}"
    else:
        assert not CJK.search(text), f"untranslated Chinese on the English {role} home:\n{text}"
    assert page.locator("select[name=language]").input_value() == language
    screenshot(f"home-{role}-{language}")

    # The choice is the user's preference: it holds on the next visit.
    page.goto(f"{live_server.url}/t/{company.slug}/")
    home.wait_for()
    assert _language(page) == language


def _page_refused_to(role: str):
    """A page (no ids in its URL) whose readers exclude the role; the member list when it qualifies."""
    candidates = [
        route
        for route in page_routes()
        if route.name and not route.params and route.read_roles is not None and role not in route.read_roles
    ]
    candidates.sort(key=lambda route: (route.name != "member-list", route.route))
    return candidates[0] if candidates else None


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_another_roles_page(company, live_server, page, screenshot, role):
    route = _page_refused_to(role)
    if route is None:
        pytest.skip(f"no page is closed to {role}: every page admits it")
    make_member(company, role, username=f"{role}_user")
    log_in(page, live_server.url, f"{role}_user")
    page.locator(f"[data-home='{role}']").wait_for()

    url = live_server.url + route.url(company.slug, {})
    response = page.goto(url)
    status = response.status if response is not None else None
    assert status == 403, f"{role} opened {url} [{route.name}]: {status}"
    screenshot(f"refused-{role}")
    # Still logged in and still welcome at home afterwards.
    page.goto(f"{live_server.url}/t/{company.slug}/")
    page.locator(f"[data-home='{role}']").wait_for()
