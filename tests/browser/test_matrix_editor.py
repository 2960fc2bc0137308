"""In the browser: an HR admin enters the seed's 大客户续约率 matrix row by row while the share sum and the
one-lead rule are checked live (htmx, the service's own rules), removes a row, fixes a bad share, saves, and
then opens a new version from a later period and compares it. Screenshots go to test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.models import Period, Role
from collab.tenancy import tenant_scope
from responsibility.models import ResponsibilityMatrix
from tests.browser.session import log_in
from tests.factories import make_member
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def company(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):  # the other tenant is in the room with units and KPIs of its own
        OrgUnitFactory(code="B-SALES", name="Bravo sales")
        KPIFactory(code="B-RENEW", name="Bravo renewal")
    return tenant_a


def _row(page, index: int):
    return page.locator("#matrix-rows tbody tr[data-row]").nth(index)


def _fill_row(page, index: int, unit, role: str, share: str, eval_kpi, dimension: str) -> None:
    page.fill(f"input[name=rows-{index}-org_unit]", f"{unit.code} · {unit.name}")
    page.select_option(f"select[name=rows-{index}-role]", role)
    page.fill(f"input[name=rows-{index}-share]", share)
    page.fill(f"input[name=rows-{index}-evaluation_kpi]", f"{eval_kpi.code} · {eval_kpi.name}")
    # A plain field last: focus leaves the datalist input, whose open suggestions would take the next click.
    page.fill(f"input[name=rows-{index}-contribution_dimension]", dimension)


def _expect_sum(page, text: str) -> None:
    page.wait_for_function(
        "t => { const el = document.querySelector('#share-sum'); return el && el.textContent.trim() === t; }",
        arg=text,
    )


def test_hr_admin_edits_a_matrix_with_live_validation(company, live_server, page, screenshot):
    make_member(company, Role.HR_ADMIN, username="matrix-hr")
    with tenant_scope(company):
        p2025 = PeriodFactory(year=2025, status=Period.Status.ACTIVE)
        p2026 = PeriodFactory(year=2026, status=Period.Status.PLANNING)
        sales = OrgUnitFactory(code="SALES", name="Sales")
        service = OrgUnitFactory(code="SERVICE", name="Customer service")
        delivery = OrgUnitFactory(code="DELIVERY", name="Delivery")
        rnd = OrgUnitFactory(code="RND", name="R&D")
        renewal = KPIFactory(code="KA-RENEW", name="Key account renewal", is_collaborative=True)
        ratio = KPIFactory(code="KA-RATIO", name="Renewal ratio")
        complaints = KPIFactory(code="CS-COMPLAINT", name="Complaint rate")
        milestones = KPIFactory(code="DLV-MILESTONE", name="Milestones on time")
        incidents = KPIFactory(code="RD-INCIDENTS", name="Major incidents")

    log_in(page, live_server.url, "matrix-hr")
    page.goto(f"{live_server.url}/t/{company.slug}/responsibility/matrices/")
    page.locator("#matrix-table").wait_for()
    with page.expect_navigation():
        page.click("tr[data-kpi='KA-RENEW'] a:has-text('Set up')")
    page.select_option("#id_effective_from", str(p2025.pk))

    # Row 1: sales leads with 40 %: the live check says 40 % and asks for 100.
    _fill_row(page, 0, sales, "lead", "40", ratio, "Relationship")
    _expect_sum(page, "40 %")
    assert "they add up to 40 %" in page.locator("#matrix-problems").inner_text()

    # Rows 2–4 through "Add row"; a second lead is flagged while typing.
    for index, (unit, role, share, kpi, dimension) in enumerate(
        [
            (service, "lead", "25", complaints, "Service quality"),
            (delivery, "collaborating", "25", milestones, "On-time delivery"),
            (rnd, "support", "10", incidents, "Product stability"),
        ],
        start=1,
    ):
        page.click("#add-row")
        _row(page, index).wait_for()
        _fill_row(page, index, unit, role, share, kpi, dimension)
    _expect_sum(page, "100 %")
    page.locator("#matrix-problems:has-text('exactly one lead; it has 2')").wait_for()
    assert page.locator("#lead-count").inner_text().strip() == "2"
    page.select_option("select[name=rows-1-role]", "collaborating")
    page.locator("#matrix-ok").wait_for()
    screenshot("matrix-editor-live-ok")

    # A share with three decimals is reported next to its row, then fixed.
    page.fill("input[name=rows-3-share]", "10.005")
    page.locator("#rows-3-live:has-text('Use at most two decimals.')").wait_for()
    page.fill("input[name=rows-3-share]", "10")
    page.locator("#matrix-ok").wait_for()
    assert page.locator("#rows-3-live").inner_text().strip() == ""

    # Remove R&D: the sum drops to 90 at once; add it back (the new row is renumbered to index 3).
    _row(page, 3).locator("[data-remove-row]").click()
    _expect_sum(page, "90 %")
    page.click("#add-row")
    _fill_row(page, 3, rnd, "support", "10", incidents, "Product stability")
    page.locator("#matrix-ok").wait_for()
    screenshot("matrix-editor-before-save")
    with page.expect_navigation():
        page.click("#matrix-save")
    page.locator("#matrix-rows-table").wait_for()
    with tenant_scope(company):
        matrix = ResponsibilityMatrix.objects.get(kpi=renewal)
        stored = list(
            matrix.rows.order_by("order").values_list("org_unit_id", "role", "share", "evaluation_kpi_id")
        )
    assert stored == [
        (sales.pk, "lead", Decimal("40"), ratio.pk),
        (service.pk, "collaborating", Decimal("25"), complaints.pk),
        (delivery.pk, "collaborating", Decimal("25"), milestones.pk),
        (rnd.pk, "support", Decimal("10"), incidents.pk),
    ]

    # A new version from 2026: shift five points from delivery to R&D; 2025 keeps version 1.
    with page.expect_navigation():
        page.click("#matrix-new-version")
    page.select_option("#id_effective_from", str(p2026.pk))
    page.fill("input[name=rows-2-share]", "20")
    _expect_sum(page, "95 %")
    page.fill("input[name=rows-3-share]", "15")
    page.locator("#matrix-ok").wait_for()
    with page.expect_navigation():
        page.click("#matrix-save")
    with page.expect_navigation():
        page.click("#matrix-compare")
    page.locator("#compare-table").wait_for()
    assert page.locator("#compare-table tr[data-state='changed']").count() == 2
    screenshot("matrix-compare")
    with tenant_scope(company):
        assert list(matrix.rows.order_by("order").values_list("share", flat=True)) == [
            Decimal(40),
            Decimal(25),
            Decimal(25),
            Decimal(10),
        ]
        assert ResponsibilityMatrix.objects.filter(kpi=renewal).count() == 2


def test_hr_admin_edits_a_scorecard_with_live_weights(company, live_server, page, screenshot):
    """The same live check on a scorecard: the weight sum and the collaborative share follow the typing, a
    reference line without a threshold is flagged on its row, an answer landing while Save is held down
    does not take Save from under the pointer, and the saved lines are what was shown."""
    from interlock.models import ScorecardLine
    from tests.factories.interlock import build_seed_tables

    make_member(company, Role.HR_ADMIN, username="card-hr")
    with tenant_scope(company):
        world = build_seed_tables()
        card = world.scorecards["service"]  # 客户留存率 shared 30, 投诉率 own 70
    log_in(page, live_server.url, "card-hr")
    page.goto(f"{live_server.url}/t/{company.slug}/interlock/scorecards/{card.pk}/")
    page.locator("#scorecard-form").wait_for()
    page.fill("input[name=lines-1-weight]", "60")
    page.locator("#scorecard-summary[data-total='90.00']").wait_for()
    assert "under the minimum" not in page.locator("#scorecard-summary").inner_text()
    page.click("#add-line")
    renewal = world.kpis["renewal"]
    page.fill("input[name=lines-2-kpi]", f"{renewal.code} · {renewal.name}")
    page.select_option("select[name=lines-2-role]", "shared")
    page.fill("input[name=lines-2-weight]", "10")
    page.locator("#scorecard-summary[data-total='100.00'][data-shared='40.00']").wait_for()
    page.click("#add-line")
    stability = world.kpis["stability"]
    page.fill("input[name=lines-3-kpi]", f"{stability.code} · {stability.name}")
    page.select_option("select[name=lines-3-role]", "reference")
    page.locator("#lines-3-live:has-text('Set the score under which a special review starts.')").wait_for()
    # A reference line has no weight: the sum is ready while the row still asks for its threshold.
    assert "ready to publish" in page.locator("#scorecard-summary").inner_text()
    screenshot("scorecard-editor-live")

    # The threshold's check answers while Save is held down (held back here, as on a slow line): the answer
    # takes the row's message away, which moves Save up a line. It waits for the release, so the release
    # still lands on Save and saves (before, the click was lost and nothing was saved).
    held = []  # the next check (the typing's, or leaving the field's); htmx queues any later one behind it
    page.route("**/scorecards/validate/", lambda route: held.append(route), times=1)
    page.fill("input[name=lines-3-threshold]", "90")
    save = page.locator("#scorecard-save").bounding_box()
    page.mouse.move(save["x"] + save["width"] / 2, save["y"] + save["height"] / 2)
    page.mouse.down()
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()
    page.wait_for_function("() => !document.querySelector('#scorecard-live.htmx-request')")
    with page.expect_navigation():
        page.mouse.up()
    page.locator(".alert-success:has-text('Scorecard saved.')").wait_for()
    with tenant_scope(company):
        lines = list(
            ScorecardLine.objects.filter(scorecard=card)
            .order_by("order")
            .values_list("kpi_id", "role", "weight", "threshold")
        )
    assert lines == [
        (world.kpis["retention"].pk, "shared", Decimal("30"), None),
        (world.kpis["complaint_rate"].pk, "own", Decimal("60"), None),
        (renewal.pk, "shared", Decimal("10"), None),
        (stability.pk, "reference", Decimal("0"), Decimal("90")),
    ]


def test_the_effective_period_offers_what_the_save_accepts(company, live_server, page, screenshot):
    """Issue 8, item 9: a quarter whose first month is closed is offered to a first version (open periods
    only, said beside it and in the live panel); for a later version it is disabled with the reason."""
    make_member(company, Role.HR_ADMIN, username="period-hr")
    with tenant_scope(company):
        oct_ = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=10)
        nov = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=11, status=Period.Status.ACTIVE)
        q4 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=4, status=Period.Status.ACTIVE)
        Period.objects.filter(pk=oct_.pk).update(status=Period.Status.CLOSED)
        sales = OrgUnitFactory(code="SALES", name="Sales")
        retention = KPIFactory(code="RET", name="Retention", is_collaborative=True)

    log_in(page, live_server.url, "period-hr")
    page.goto(f"{live_server.url}/t/{company.slug}/responsibility/matrices/new/?kpi={retention.pk}")
    assert page.locator(f"#id_effective_from option[value='{q4.pk}']").inner_text() == (
        "2026 Q4 (open periods only)"
    )
    assert "closed periods (2026-10) keep the scores" in page.locator("#period-notes").inner_text()
    page.select_option("#id_effective_from", str(q4.pk))
    page.fill("input[name=rows-0-org_unit]", "SALES · Sales")
    page.select_option("select[name=rows-0-role]", "lead")
    page.fill("input[name=rows-0-share]", "100")
    page.fill("input[name=rows-0-contribution_dimension]", "All of it")
    page.locator("#matrix-ok").wait_for()
    assert "2026-10" in page.locator("#matrix-period-note").inner_text()
    screenshot("matrix-effective-period-first-version")
    with page.expect_navigation():
        page.click("#matrix-save")
    with tenant_scope(company):
        matrix = ResponsibilityMatrix.objects.get(kpi=retention)
        assert matrix.effective_from_id == q4.pk and matrix.kept_closed == [oct_.pk]
        Period.objects.filter(pk=nov.pk).update(status=Period.Status.CLOSED)  # scored with v1 now

    page.goto(f"{live_server.url}/t/{company.slug}/responsibility/matrices/{matrix.pk}/new-version/")
    option = page.locator(f"#id_effective_from option[value='{q4.pk}']")
    assert option.is_disabled() and "not available" in option.inner_text()
    assert "2026-11 would be scored with this version" in page.locator("#period-notes").inner_text()
    screenshot("matrix-effective-period-new-version")
    del sales
