"""In the browser, under the Content-Security-Policy: the main pages (home, goal tree and its chart, strategy
map, measurements, matrix and scorecard editors, dashboards) run every script they need and Chromium
reports no violation; the policy is really enforced (an inline script is refused)."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from tests.browser.session import log_in, watch_errors
from tests.factories.goal_tree import seed_tree
from tests.factories.goals import ObjectiveLinkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATION = ("Content Security Policy", "Refused to")


def _watch_violations(tab) -> list[str]:
    found: list[str] = []
    def seen(message) -> None:
        if any(v in message.text for v in VIOLATION):
            found.append(f"{tab.url}: {message.text}")

    tab.on("console", seen)
    return found


def _drawn(tab, selector: str, inner: str) -> None:
    tab.wait_for_function("([s, i]) => !!document.querySelector(s + ' ' + i)", arg=[selector, inner])


def test_main_pages_run_under_the_policy_without_violations(scored_company, tenant_a, live_server, page):
    period = scored_company.period
    with tenant_scope(tenant_a):
        seed_tree(period, prefix="T")
        ObjectiveLinkFactory(cause__period=period)
    matrix = next(iter(scored_company.matrices.values()))
    card = next(iter(scored_company.scorecards.values()))
    violations = _watch_violations(page)
    errors = watch_errors(page)
    base = f"{live_server.url}/t/alpha"
    log_in(page, live_server.url, "scores-hr")

    page.goto(f"{base}/")
    page.goto(f"{base}/goals/tree/?period={period.pk}")
    page.locator("#goal-tree .goal-toggle").first.click()  # goal_tree.js
    page.goto(f"{base}/goals/tree/?period={period.pk}&view=chart")
    _drawn(page, "#goal-chart", "canvas")
    page.goto(f"{base}/goals/strategy-map/?period={period.pk}")
    _drawn(page, "#strategy-map-chart", "svg")
    page.goto(f"{base}/goals/measurements/{period.pk}/")
    row = page.locator("tr[data-enter-trigger]").first  # behaviours.js: Enter in a row saves it (htmx)
    row.locator("input[name$=actual]").press("Enter")
    page.locator("tr[data-enter-trigger] [role=status]").first.wait_for()
    page.goto(f"{base}/responsibility/matrices/{matrix.pk}/edit/")
    if page.locator("[data-add-row]").count():  # row_editor.js, then the live check through htmx
        rows = page.locator("[data-row-editor] tbody > tr[data-row]").count()
        page.locator("[data-add-row]").first.click()
        assert page.locator("[data-row-editor] tbody > tr[data-row]").count() == rows + 1
    page.goto(f"{base}/interlock/scorecards/{card.pk}/")
    page.goto(f"{base}/dashboards/unit/?unit={scored_company.units['sales'].pk}")
    _drawn(page, "#trend-chart", "canvas")
    page.goto(f"{base}/dashboards/collaboration/")
    _drawn(page, "#collab-heatmap", "canvas")
    page.click("button[data-bs-target='#graph-pane']")
    _drawn(page, "#collab-graph", "canvas")
    page.goto(f"{base}/interlock/scorecards/")
    with page.expect_navigation():  # behaviours.js: data-autosubmit
        page.select_option("#id_kind", index=1)
    page.wait_for_timeout(300)  # a late htmx request (the inbox badge) has its say too

    assert violations == [], "\n".join(violations)
    assert errors == [], "\n".join(errors)
    # The policy is enforced and the watcher sees a violation: an inline script added to the page is refused.
    ran = page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
        " document.head.appendChild(s); return window.inlineRan === true; }"
    )
    page.wait_for_timeout(200)
    assert ran is False
    assert any("inline script" in v for v in violations), violations
