"""Playwright for Python driving Debian's Chromium (never a downloaded browser) against live_server.

Chromium is found with `shutil.which("chromium")`. Without it these tests skip, unless COLLAB_REQUIRE
lists "browser" (CI sets it), where a missing browser is a failure. Playwright's sync API runs an
event loop in this thread, so Django's async-safety guard is relaxed for these modules only, and the
browser is stopped at the end of each module so nothing of it outlives them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


def _unavailable(reason: str) -> None:
    if "browser" in os.environ.get("COLLAB_REQUIRE", "").split(","):
        pytest.fail(f"COLLAB_REQUIRE lists browser but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - it is a pinned test dependency
        _unavailable("playwright (Python) is not installed")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves the page into test-artifacts/ (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def scored_company(tenant_a, tenant_b):
    """The seed tables in tenant A, published and scored, with logins scores-hr, scores-manager (of sales)
    and scores-committee; the other tenant is in the room with a unit of its own."""
    from collab.models import Job, Role
    from collab.tenancy import tenant_scope
    from interlock.services.scores import scores_recompute
    from tests.factories import make_member
    from tests.factories.interlock import build_seed_tables
    from tests.factories.org import EmployeeFactory, OrgUnitFactory

    tenant_a.locale = "en"
    tenant_a.save()
    hr = make_member(tenant_a, Role.HR_ADMIN, username="scores-hr")
    manager = make_member(tenant_a, Role.MANAGER, username="scores-manager")
    make_member(tenant_a, Role.COMMITTEE, username="scores-committee")
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr)
        Job.objects.all().delete()  # publishing queued one (never sent: no commit hook ran it here)
        scores_recompute(period=world.period, actor=hr)
        EmployeeFactory(org_unit=world.units["sales"], user=manager)
    with tenant_scope(tenant_b):
        OrgUnitFactory(code="B-SALES", name="Bravo sales")
    return world
