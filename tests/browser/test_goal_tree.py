"""In the browser: an HR admin builds a three-level goal tree (add, reweight with the live sum, position
goal, publish), and a committee member reads the trace of the group KPI. Screenshots go to
test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.models import OrgUnit, Period, Role
from collab.tenancy import tenant_scope
from goals.models import KPI, Goal, Measurement, Perspective
from tests.browser.session import log_in, pick
from tests.factories import make_member
from tests.factories.goal_tree import seed_tree
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def company(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_b):  # a second tenant with a tree of its own is always in the room
        seed_tree(PeriodFactory(year=2030), prefix="B")
    return tenant_a


def _open_form(page, button) -> None:
    button.click()
    page.locator("#goal-panel form").wait_for()


def _save(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    page.locator("#goal-tree, #tree-empty").first.wait_for()


def test_hr_admin_builds_a_three_level_tree(company, live_server, page, screenshot):
    make_member(company, Role.HR_ADMIN, username="builder")
    with tenant_scope(company):
        group = OrgUnitFactory(code="G", name="Group", kind=OrgUnit.Kind.GROUP)
        sales = OrgUnitFactory(code="S", name="Sales", parent=group)
        service = OrgUnitFactory(code="C", name="Customer service", parent=group)
        PositionFactory(code="REP", title="Sales rep", org_unit=sales)
        period = PeriodFactory(year=2030, status=Period.Status.ACTIVE)
        ret = KPI.objects.create(code="RET", name="Customer retention", perspective=Perspective.CUSTOMER,
                                 owner_unit=sales, is_collaborative=True, unit="%")
        win = KPI.objects.create(code="WIN", name="Deals won", perspective=Perspective.FINANCIAL,
                                 owner_unit=sales)
        Measurement.objects.create(kpi=ret, period=period, target=Decimal(90), actual=Decimal(81))
        Measurement.objects.create(kpi=win, period=period, target=Decimal(100), actual=Decimal(110))

    log_in(page, live_server.url, "builder")
    page.goto(f"{live_server.url}/t/{company.slug}/goals/tree/?period={period.pk}")
    page.locator("#tree-empty").wait_for()

    # Level 1: the group's retention goal.
    _open_form(page, page.locator("#add-root"))
    pick(page, "id_org_unit", "Group")
    page.select_option("#goal-form select[name=kpi]", str(ret.pk))
    page.fill("#goal-form input[name=weight]", "100")
    _save(page, "#goal-save")
    with tenant_scope(company):
        root = Goal.objects.get(period=period, parent=None)

    # Level 2: sales and customer service share it (60 / 30 at first).
    for unit, weight in ((sales, "60"), (service, "30")):
        _open_form(page, page.locator(f"[data-goal='{root.pk}'] [data-action='add-child']"))
        pick(page, "id_org_unit", unit.name)
        page.select_option("#goal-form select[name=kpi]", str(ret.pk))
        page.fill("#goal-form input[name=weight]", weight)
        _save(page, "#goal-save")
    assert page.locator("#weights-off").is_visible()  # 60 + 30 is not 100 yet
    with tenant_scope(company):
        sales_goal = Goal.objects.get(period=period, parent=root, org_unit=sales)
        service_goal = Goal.objects.get(period=period, parent=root, org_unit=service)

    # Reweight the siblings: the sum follows the typing, and 100 is what publishing needs.
    _open_form(page, page.locator(f"[data-goal='{root.pk}'] [data-action='reweight']"))
    total = page.locator("#weight-sum")
    assert total.inner_text() == "90.00"
    page.fill(f"#weight-{service_goal.pk}", "35")
    assert total.inner_text() == "95.00" and "text-bg-danger" in total.get_attribute("class")
    assert page.locator("[data-weight-hint]").is_visible()
    page.fill(f"#weight-{service_goal.pk}", "40")
    assert total.inner_text() == "100.00" and "text-bg-success" in total.get_attribute("class")
    assert not page.locator("[data-weight-hint]").is_visible()
    _save(page, "#goal-reweight-save")
    assert page.locator("#weights-off").count() == 0

    # Level 3: a position goal under sales; choosing the unit loads its positions.
    _open_form(page, page.locator(f"[data-goal='{sales_goal.pk}'] [data-action='add-child']"))
    # The form opens with the parent's unit (sales) and its positions; wait for each reload to land
    # before choosing, or a late swap resets the choice.
    rep_option = page.locator("#id_position option:has-text('Sales rep')")
    pick(page, "id_org_unit", service.name)
    rep_option.wait_for(state="detached")
    pick(page, "id_org_unit", sales.name)
    rep_option.wait_for(state="attached")
    page.select_option("#id_position", label="Sales rep")
    page.select_option("#goal-form select[name=kpi]", str(win.pk))
    page.fill("#goal-form input[name=weight]", "150")
    page.click("#goal-save")
    page.locator("#goal-form .invalid-feedback").wait_for()  # a field error, nothing saved
    page.fill("#goal-form input[name=weight]", "100")
    _save(page, "#goal-save")

    with tenant_scope(company):
        leaf = Goal.objects.get(period=period, parent=sales_goal)
        assert leaf.depth == 2 and leaf.position.title == "Sales rep"
    tree = page.locator("#goal-tree")
    # The page opens on the top levels: the third level loads when its branch is opened.
    assert tree.locator(f"[data-goal='{leaf.pk}']").count() == 0
    assert "1 sub-goal" in tree.locator(f"[data-goal='{sales_goal.pk}'] .goal-count").inner_text()
    tree.locator(f"[data-goal='{sales_goal.pk}'] .goal-toggle").click()
    tree.locator(f"[data-goal='{leaf.pk}'][data-depth='2']").wait_for()
    # Progress rolls up: 0.6 · 110 + 0.4 · 90 = 102 on the group goal, beside its measured 90.
    assert "102.0" in tree.locator(f"[data-goal='{root.pk}'] .goal-progress").inner_text()
    assert "90.0" in tree.locator(f"[data-goal='{root.pk}'] .goal-measured").inner_text()
    assert tree.locator(f"[data-goal='{root.pk}'] [data-collaborative='1']").is_visible()

    # Collapse and expand a branch.
    toggle = tree.locator(f"[data-goal='{sales_goal.pk}'] .goal-toggle")
    toggle.click()
    assert not tree.locator(f"[data-goal='{leaf.pk}']").is_visible()
    toggle.click()
    assert tree.locator(f"[data-goal='{leaf.pk}']").is_visible()
    screenshot("goal-tree-built")

    with page.expect_navigation():
        page.click("#publish-tree")
    # A confirmation page says what publishing does before anything happens (issue 8, item 13).
    assert "4 goals" in page.locator("#publish-count").inner_text()
    assert page.locator("#publish-final").is_visible() and page.locator("#publish-notified").is_visible()
    screenshot("goal-tree-publish-confirm")
    with page.expect_navigation():
        page.click("#publish-confirm")
    assert page.locator("#publication-ok").is_visible()
    assert "published (4 goals)" in page.locator("main").inner_text()

    # The chart and table views of the same tree.
    # Each tab is a link: wait for its page before reading it.
    with page.expect_navigation():
        page.click("#tree-views >> text=Chart")
    page.locator("#goal-chart canvas").wait_for()
    with page.expect_navigation():
        page.click("#tree-views >> text=Table")
    assert page.locator(f"#goal-table tr[data-goal='{leaf.pk}']").is_visible()
    screenshot("goal-tree-table")


def test_committee_member_reads_the_trace(company, live_server, page, screenshot):
    make_member(company, Role.COMMITTEE, username="reader")
    with tenant_scope(company):
        tree = seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE))
        other = KPI.objects.create(code="OTHER", name="Other KPI", perspective=Perspective.FINANCIAL,
                                   owner_unit=tree["group"])
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/t/{company.slug}/")
    page.click("nav >> text=Goals")
    with page.expect_navigation():
        page.click("nav >> text=Goal trace")
    # The group-level KPI is traced by default; pick it explicitly as a reader would.
    assert page.locator("#trace-kpi").input_value() == str(tree["ret"].pk)
    with page.expect_navigation():
        page.select_option("#trace-kpi", str(tree["win"].pk))
    assert page.locator("#trace-responsible").inner_text().count("%") == 1
    with page.expect_navigation():
        page.select_option("#trace-kpi", str(tree["ret"].pk))

    responsible = page.locator("#trace-responsible")
    sales = responsible.locator("tr", has_text="Sales rep")
    assert "60.0%" in sales.inner_text()
    service = responsible.locator("tr", has_text="Service")
    assert "40.0%" in service.inner_text() and "cross-department" in service.inner_text()
    paths = page.locator("#trace-paths")
    leaf = paths.locator(f"tr[data-goal='{tree['leaf'].pk}']")
    assert "Group" in leaf.inner_text() and "60.00%" in leaf.inner_text()
    assert paths.locator(f"tr[data-goal='{tree['b'].pk}'][data-cross='1']").is_visible()
    assert page.locator("#trace-cross").inner_text() == "40.0%"
    screenshot("goal-trace")

    # Drill down from the matrix to the goals behind a cell.
    with page.expect_navigation():
        page.click("main a.btn:has-text('Matrix')")
    cell = page.locator("#goal-matrix tr[data-unit='S'] .matrix-cell[data-perspective='customer']")
    assert cell.inner_text().strip() == "110.0"
    cell.click()
    page.locator("#matrix-cell").wait_for()
    assert page.locator(f"#matrix-cell tr[data-goal='{tree['a'].pk}']").is_visible()
    assert other.code not in page.locator("#goal-matrix").inner_text()
    screenshot("goal-matrix")


def test_the_tree_opens_lazily_and_search_opens_a_goals_path(company, live_server, page, screenshot):
    """A manager opens on their unit's part; the top levels open one level deep, a branch loads when
    opened, and a search result opens on the goal with the chain above it."""
    manager = make_member(company, Role.MANAGER, username="lazy")
    with tenant_scope(company):
        tree = seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE))
        from tests.factories.org import EmployeeFactory

        EmployeeFactory(org_unit=tree["service"], user=manager)
    base = f"{live_server.url}/t/{company.slug}/goals/tree/?period={tree['period'].pk}"
    log_in(page, live_server.url, "lazy")
    page.goto(base)
    goals = page.locator("#goal-tree")
    goals.wait_for()
    assert goals.locator(f"[data-goal='{tree['b'].pk}']").is_visible()  # their unit's goal
    assert goals.locator(f"[data-goal='{tree['root'].pk}']").count() == 0
    assert page.locator("#tree-above").inner_text().count("RET") == 1  # the group goal above it
    with page.expect_navigation():
        page.click("#tree-scope >> text=Top levels")
    sales = goals.locator(f"[data-goal='{tree['a'].pk}']")
    sales.wait_for()
    assert goals.locator(f"[data-goal='{tree['leaf'].pk}']").count() == 0
    sales.locator(".goal-toggle").click()  # htmx loads the branch
    leaf = goals.locator(f"[data-goal='{tree['leaf'].pk}']")
    leaf.wait_for()
    assert "110.0" in leaf.locator(".goal-progress").inner_text()
    sales.locator(".goal-toggle").click()
    assert not leaf.is_visible()
    screenshot("goal-tree-lazy")

    page.fill("#goal-search-q", "rep")
    page.click("#goal-search button[type=submit]")
    hit = page.locator(f"#goal-search-list [data-goal='{tree['leaf'].pk}']")
    hit.wait_for()
    assert "Group · RET" in hit.locator(".goal-search-path").inner_text()
    screenshot("goal-tree-search")
    with page.expect_navigation():
        hit.locator(".goal-search-open").click()
    focus = page.locator("#tree-focus")
    assert "Sales rep" in focus.inner_text()
    above = page.locator("#tree-above")
    assert above.locator(f"[data-goal='{tree['root'].pk}']").is_visible()
    assert above.locator(f"[data-goal='{tree['a'].pk}']").is_visible()
    assert goals.locator(f"[data-goal='{tree['leaf'].pk}']").is_visible()
