"""Review results pages: the list, the analysis, the Excel export and response rates show the same
decisions as the API — k − 1 raters show nothing anywhere, for any role."""

from __future__ import annotations

import io

import openpyxl
import pytest

from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.feedback_results import add_ratings, assign, campaign_with_dimensions, subject_of
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/t/alpha/feedback/review-results/"


@pytest.fixture
def world(tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_b):
        foreign = subject_of(campaign_with_dimensions(2), unit=OrgUnitFactory(name="Bravo unit"))
        add_ratings(foreign, 6, value=1)
    with tenant_scope(tenant_a):
        hr_unit = OrgUnitFactory(name="People team")
        sales, rnd = OrgUnitFactory(name="Sales line"), OrgUnitFactory(name="Research line")
        campaign = campaign_with_dimensions(2, name="Rate the people team")
        shown = subject_of(campaign, unit=hr_unit)
        add_ratings(shown, 5, value=4, business_line=sales, comment="answers fast")
        add_ratings(shown, 5, value=2, business_line=rnd, comment="needs follow-up")
        hidden = subject_of(campaign, unit=sales)
        add_ratings(hidden, 4, value=3, comment="secret words")
        assign(shown, unit=sales, submitted=True)
    return {"shown": shown, "hidden": hidden, "foreign": foreign, "hr_unit": hr_unit}


def test_the_list_shows_released_results_and_hides_small_ones(world, hr_a, login):
    page = login(hr_a).get(BASE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "People team" in html and "3.00" in html
    assert "fewer than 5 raters" in html
    assert "Bravo unit" not in html


def test_the_analysis_compares_business_lines_with_charts_and_tables(world, hr_a, login):
    html = login(hr_a).get(f"{BASE}{world['shown'].pk}/").content.decode()
    assert 'data-chart="review-bars"' in html and 'id="review-dimension-table"' in html
    assert "Sales line" in html and "Research line" in html and "4.00" in html and "2.00" in html
    assert html.index("answers fast") < html.index("needs follow-up")  # ordered by text
    assert "<script>" not in html and " onclick=" not in html


def test_below_k_the_analysis_and_export_show_nothing(world, hr_a, login):
    client = login(hr_a)
    html = client.get(f"{BASE}{world['hidden'].pk}/").content.decode()
    assert "Hidden to protect raters" in html
    assert "secret words" not in html and "3.00" not in html and 'data-chart="review-stack"' not in html
    response = client.get(f"{BASE}{world['hidden'].pk}/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "secret words" not in cells and 3 not in cells and 3.0 not in cells
    assert "hidden to protect raters' anonymity" in cells


def test_the_export_has_the_pages_numbers(world, hr_a, login):
    response = login(hr_a).get(f"{BASE}{world['shown'].pk}/export/")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Section", "Group", "Dimension")
    assert ("Whole campaign", None, "Overall", 3, 10, None) in rows
    assert ("Rater business line", "Sales line", "Overall", 4, 5, None) in rows
    assert not any("key-" in str(c) for row in rows for c in row)


def test_another_tenants_subject_is_a_404(world, hr_a, login):
    assert login(hr_a).get(f"{BASE}{world['foreign'].pk}/").status_code == 404
    assert login(hr_a).get(f"{BASE}{world['foreign'].pk}/export/").status_code == 404


def test_an_employee_sees_only_their_units_whole_result(world, tenant_a, login):
    user = make_member(tenant_a, "employee", username="people_clerk")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=user, org_unit=world["hr_unit"])
    client = login(user)
    html = client.get(BASE).content.decode()
    assert "People team" in html and "My unit's review results" in html
    detail = client.get(f"{BASE}{world['shown'].pk}/").content.decode()
    assert "3.00" in detail and "Sales line" not in detail and "answers fast" not in detail
    assert client.get(f"{BASE}{world['hidden'].pk}/").status_code == 404
    assert client.get(f"{BASE}response-rates/").status_code == 403


def test_response_rates_page(world, hr_a, login):
    html = login(hr_a).get(f"{BASE}response-rates/").content.decode()
    assert "Sales line" in html and "100%" in html


def test_the_list_filters_and_pages_with_htmx(world, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    client.get(BASE)
    with django_assert_max_num_queries(20):
        response = client.get(f"{BASE}?status=closed", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    bad = client.get(f"{BASE}?period=abc")
    assert bad.status_code == 200 and "Some filters are not valid" in bad.content.decode()
