"""In the browser: a manager opens the department dashboard (ECharts trend drawn, table view), the committee
opens the collaboration view (heatmap and graph drawn, the table loaded on demand, a heatmap cell drills
into a unit's dashboard), and
an HR admin runs a what-if through htmx. No JavaScript error on any page. Screenshots: test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chart_drawn(tab, selector: str) -> None:
    """The chart is drawn and its entry animation over (charts.js marks it on ECharts' "finished")."""
    tab.locator(f"{selector}[data-chart-finished]").wait_for()


def test_dashboards_draw_and_drill(scored_company, live_server, page, screenshot):
    errors = watch_errors(page)
    base = live_server.url
    log_in(page, base, "scores-manager")
    page.goto(f"{base}/t/alpha/dashboards/unit/")
    assert page.locator("#dashboard-total").inner_text().strip() == "98.00"
    _chart_drawn(page, "#trend-chart")
    screenshot("dashboard-unit")
    page.click("#trend-table-tab")
    page.wait_for_selector("#trend-table", state="visible")
    assert "98.00" in page.locator("#trend-table").inner_text()

    log_in(page, base, "scores-committee")
    page.goto(f"{base}/t/alpha/dashboards/collaboration/")
    _chart_drawn(page, "#collab-heatmap")
    screenshot("dashboard-collaboration")
    page.click("button[data-bs-target='#graph-pane']")
    _chart_drawn(page, "#collab-graph")
    screenshot("dashboard-collaboration-graph")
    # The table view loads when its tab first shows (htmx), and pages in place.
    page.click("#collab-table-tab")
    page.wait_for_selector("#collab-table", state="visible")
    assert "KA-RENEW" in page.locator("#collab-table").inner_text()
    assert "/dashboards/collaboration/" in page.url and "table" not in page.url
    page.click("button[data-bs-target='#heat-pane']")
    # Drill: a click on the first heatmap cell row (the most connected unit, sales) opens its dashboard.
    box = page.locator("#collab-heatmap").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + 160 + 20, box["y"] + 10 + 20)
    assert "/dashboards/unit/" in page.url

    log_in(page, base, "scores-hr")
    kpi, period = scored_company.kpis["retention"].pk, scored_company.period.pk
    page.goto(f"{base}/t/alpha/dashboards/what-if/?kpi={kpi}&period={period}")
    page.select_option("select[name=rows-0-evaluation_kpi]", str(scored_company.kpis["complaint_rate"].pk))
    page.click("#whatif-run")
    page.wait_for_selector("#whatif-table")
    table = page.locator("#whatif-table").inner_text()
    # Sales, the lead, judged by 投诉率 (80) instead of retention (90) on its 40-weight line: 98 → 94.
    assert "销售部" in table and "94.00" in table and "-4.00" in table and "客服部" in table
    screenshot("dashboard-whatif")
    assert errors == [], "\n".join(errors)


# Every text ECharts painted (axis labels, the mark line's "100", node names) inside the chart's own box;
# 3 px for the paint rectangle's anti-aliasing margin.
_CLIPPED_TEXTS = """el => {
  const chart = echarts.getInstanceByDom(el);
  const width = chart.getWidth(), height = chart.getHeight(), slack = 3;
  return chart.getZr().storage.getDisplayList(true)
    .filter(d => d.style && d.style.text && !d.ignore && !d.invisible)
    .map(d => [d.style.text, d.getPaintRect()])
    .filter(([, r]) => r.width > 0 && (r.x < -slack || r.y < -slack || r.x + r.width > width + slack
                                       || r.y + r.height > height + slack))
    .map(([text, r]) => `${text} at ${Math.round(r.x)},${Math.round(r.y)}, ${Math.round(r.width)} wide`);
}"""


def test_chart_labels_stay_inside_their_charts(scored_company, live_server, page):
    """Issue 8 item 12: the trend axis cut "100.5" on the left and the mark line's "100" on the right."""
    base = live_server.url
    log_in(page, base, "scores-manager")
    page.goto(f"{base}/t/alpha/dashboards/unit/")
    _chart_drawn(page, "#trend-chart")
    assert page.locator("#trend-chart").evaluate(_CLIPPED_TEXTS) == []

    log_in(page, base, "scores-committee")
    page.goto(f"{base}/t/alpha/dashboards/collaboration/")
    _chart_drawn(page, "#collab-heatmap")
    assert page.locator("#collab-heatmap").evaluate(_CLIPPED_TEXTS) == []
    page.click("button[data-bs-target='#graph-pane']")
    _chart_drawn(page, "#collab-graph")
    assert page.locator("#collab-graph").evaluate(_CLIPPED_TEXTS) == []
