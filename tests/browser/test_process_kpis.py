"""In the browser: HR opens a process, follows a stage's KPI to its page, where the series is drawn with its
expected band (under the Content-Security-Policy, no JavaScript error), the latest point is flagged in
words, the table tab shows the same numbers, and a point corrected by hand changes the verdict."""

from __future__ import annotations

import pytest

from alerts.models import ProcessKpiPoint, ProcessStage
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.browser.session import log_in, watch_errors
from tests.factories import make_member
from tests.factories.alerts import make_kpi, make_process, monthly_points
from tests.factories.org import OrgUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CALM = [12.0, 12.4, 11.8, 12.1, 12.6, 11.9, 12.3, 12.0, 12.2, 11.7, 12.5, 12.1]


def test_hr_reads_a_kpi_series_with_its_band_and_corrects_a_point(tenant_a, live_server, page, screenshot):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_a):
        process = make_process(OrgUnitFactory(name="Sales"))
        stage = ProcessStage.objects.get(process=process, order=1)
        kpi = make_kpi(stage, points=monthly_points([*CALM, *CALM, 19.0]), amber=None, red=None)
    make_member(tenant_a, Role.HR_ADMIN, username="kpi_hr")
    errors = watch_errors(page)
    base = live_server.url
    log_in(page, base, "kpi_hr")
    page.goto(f"{base}/t/alpha/processes/{process.pk}/")
    with page.expect_navigation():
        page.click('[data-kpi="APPROVAL-H"] a')
    page.wait_for_selector("#kpi-chart[data-chart-finished]")
    assert "robust σ above the expected" in page.inner_text("#kpi-verdict")
    screenshot("process-kpi")
    page.click("#table-tab")
    first = page.locator("#kpi-points tbody tr").first
    assert first.get_attribute("data-at") == "2026-10-01" and "flagged" in first.inner_text()
    page.fill("#id_at", "2026-10-01")
    page.fill("#id_value", "12.3")
    with page.expect_navigation():
        page.click("#kpi-point-save")
    assert "Within the expected range" in page.inner_text("#kpi-verdict")
    with tenant_scope(tenant_a):
        assert ProcessKpiPoint.objects.get(kpi=kpi, at="2026-10-01").source == "manual"
    assert not errors
