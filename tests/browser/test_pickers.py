"""In the browser: the unit pickers search the server as the user types (same-named units told apart by
their parent, another tenant's never offered), a choice is posted and saved, a filter's picker submits its
form on choosing, and a typed reference's datalist fills with the matches. No JavaScript error.
Screenshots: test-artifacts/."""

from __future__ import annotations

import pytest

from collab.models import Position, Role
from collab.tenancy import tenant_scope
from tests.browser.session import log_in, pick, watch_errors
from tests.factories import make_member
from tests.factories.org import OrgUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        OrgUnitFactory(code="B-FIN", name="Finance")
    make_member(tenant_b, Role.HR_ADMIN, username="bravo_hr")
    with tenant_scope(tenant_a):
        north = OrgUnitFactory(code="N", name="North")
        south = OrgUnitFactory(code="S", name="South")
        units = {
            "north": north,
            "n_fin": OrgUnitFactory(code="N-FIN", name="Finance", parent=north),
            "s_fin": OrgUnitFactory(code="S-FIN", name="Finance", parent=south),
        }
    make_member(tenant_a, Role.HR_ADMIN, username="picker_hr")
    return units


def test_a_unit_is_searched_chosen_and_saved(company, tenant_a, live_server, page, screenshot):
    errors = watch_errors(page)
    base = live_server.url
    log_in(page, base, "picker_hr")
    page.goto(f"{base}/t/alpha/org/positions/new/")
    assert page.locator("#id_org_unit option").count() <= 1  # the page lists no unit

    wrapper = page.locator("#id_org_unit + .ts-wrapper")
    wrapper.locator(".ts-control").click()
    page.locator("#id_org_unit-ts-control").press_sequentially("fin", delay=20)
    options = wrapper.locator(".ts-dropdown .option")
    options.filter(has_text="Finance").first.wait_for()
    labels = sorted(options.all_inner_texts())
    assert labels == ["North › Finance (N-FIN)", "South › Finance (S-FIN)"]  # not bravo's Finance
    screenshot("picker-unit-search")
    options.filter(has_text="South").click()

    page.fill("input[name=code]", "AUD")
    page.fill("input[name=title]", "Auditor")
    with page.expect_navigation():
        page.locator("main form .btn-primary[type=submit]").click()
    with tenant_scope(tenant_a):
        assert Position.objects.get(code="AUD").org_unit_id == company["s_fin"].pk

    # A filter's picker submits its form when a unit is chosen (data-autosubmit).
    page.goto(f"{base}/t/alpha/dashboards/unit/")
    with page.expect_navigation():
        pick(page, "id_unit", "nor", "North", submits=True)
    assert f"unit={company['north'].pk}" in page.url
    assert "North (N)" in page.locator("#id_unit + .ts-wrapper").inner_text()

    # A typed reference (the scorecard's unit, "CODE · name"): its datalist holds the search's matches.
    page.goto(f"{base}/t/alpha/interlock/scorecards/new/")
    assert page.locator("#id_org_unit-picker option").count() == 0
    page.locator("#id_org_unit").press_sequentially("fin", delay=20)
    page.wait_for_function("() => document.querySelectorAll('#id_org_unit-picker option').length === 2")
    values = page.eval_on_selector_all("#id_org_unit-picker option", "os => os.map(o => [o.value, o.text])")
    assert sorted(values) == [["N-FIN · Finance", "North"], ["S-FIN · Finance", "South"]]
    assert errors == [], "\n".join(errors)
