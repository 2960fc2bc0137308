"""In the browser, in Chinese and English: the score list is as wide as the page (its breakdown column only
takes room once a total is opened), and no column header of the score list, the unit dashboard's tables or
the collaboration view's drag table breaks into one character per line ("KPI 部\\n分", "角\\n色").
Screenshots: test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONE_LINE = """s => [...document.querySelectorAll(s + ' thead th')].filter(th => th.innerText.trim())
    .map(th => [th.innerText.trim(), th.getBoundingClientRect().height,
                parseFloat(getComputedStyle(th).lineHeight) + parseFloat(getComputedStyle(th).paddingTop)
                + parseFloat(getComputedStyle(th).paddingBottom)])"""


def _wrapped_headers(page, selector: str) -> list[str]:
    page.locator(selector).first.wait_for()
    return [text for text, height, line in page.evaluate(ONE_LINE, selector) if height > line * 1.4]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_score_tables_use_the_width_and_headers_stay_on_one_line(
    scored_company, live_server, page, screenshot, language
):
    tenant = scored_company.period.tenant
    type(tenant).objects.filter(pk=tenant.pk).update(locale=language)
    errors = watch_errors(page)
    base = live_server.url
    log_in(page, base, "scores-hr")
    page.goto(f"{base}/t/alpha/interlock/scores/")
    table = page.locator("#score-table")
    table.wait_for()
    layout = page.locator(".score-layout").bounding_box()["width"]
    assert table.bounding_box()["width"] >= 0.95 * layout, "the list is as wide as the page"
    assert _wrapped_headers(page, "#score-table") == []
    screenshot(f"layout-score-list-{language}")
    page.locator("a.score-total").first.click()
    page.locator("#score-breakdown table").first.wait_for()
    assert page.locator(".score-results-col").bounding_box()["width"] < 0.7 * layout, "room for the breakdown"
    assert _wrapped_headers(page, "#score-table") == []
    screenshot(f"layout-score-list-breakdown-{language}")

    log_in(page, base, "scores-manager")
    page.goto(f"{base}/t/alpha/dashboards/unit/")
    assert _wrapped_headers(page, "#shortfall-table") == []
    assert _wrapped_headers(page, "[data-shared-kpi] table") == []
    screenshot(f"layout-unit-dashboard-{language}")

    log_in(page, base, "scores-committee")
    page.goto(f"{base}/t/alpha/dashboards/collaboration/")
    if page.locator("#drag-table").count():
        assert _wrapped_headers(page, "#drag-table") == []
    screenshot(f"layout-collaboration-{language}")
    assert errors == [], "\n".join(errors)
