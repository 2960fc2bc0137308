"""The review-results API: k applied (a hidden result carries no number anywhere in the body), who reads
what, another tenant's subject is a 404, constant queries for the list, response rates for HR."""

from __future__ import annotations

import json

import pytest

from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.feedback_results import add_ratings, assign, campaign_with_dimensions, subject_of
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/review-results/"


@pytest.fixture
def world(tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_b):
        foreign = subject_of(campaign_with_dimensions(2), unit=OrgUnitFactory())
        add_ratings(foreign, 6, value=1)
    with tenant_scope(tenant_a):
        group = OrgUnitFactory(name="Group")
        hr_unit = OrgUnitFactory(name="HR", parent=group)
        sales = OrgUnitFactory(name="Sales", parent=group)
        campaign = campaign_with_dimensions(2, name="Rate HR")
        shown = subject_of(campaign, unit=hr_unit)
        hidden = subject_of(campaign, unit=sales)
        add_ratings(shown, 5, value=4, business_line=sales, comment="helpful")
        add_ratings(hidden, 4, value=2, comment="slow")  # k − 1
        assign(shown, unit=sales, submitted=True)
        assign(shown, unit=sales, submitted=False)
    return {"shown": shown, "hidden": hidden, "foreign": foreign, "hr_unit": hr_unit, "sales": sales}


def member_in(tenant, unit, *roles, username):
    user = make_member(tenant, *roles, username=username)
    with tenant_scope(tenant):
        EmployeeFactory(user=user, org_unit=unit)
    return user


def test_list_shows_released_results_and_hides_k_minus_one_entirely(world, hr_a, api_client_for):
    response = api_client_for(hr_a).get(BASE)
    assert response.status_code == 200, response.content
    rows = {row["id"]: row for row in response.json()["results"]}
    shown, hidden = rows[world["shown"].pk], rows[world["hidden"].pk]
    assert shown["result"]["shown"] and shown["result"]["raters"] == 5 and shown["result"]["overall"] == 4.0
    assert hidden["result"] == {
        "split": "", "group": "", "label": "", "shown": False, "hidden_reason": "too_few", "raters": None,
        "overall": None, "dimensions": [],
    }  # fmt: skip
    assert world["foreign"].pk not in rows or rows[world["foreign"].pk]["campaign"]["name"] == "Rate HR"


def test_retrieve_below_k_has_no_number_comment_or_breakdown(world, hr_a, api_client_for):
    body = api_client_for(hr_a).get(f"{BASE}{world['hidden'].pk}/").json()
    assert body["result"]["shown"] is False
    assert body["comments"] is None and body["distribution"] == []
    assert all(not s["shown"] and s["raters"] is None and s["overall"] is None for s in body["splits"])
    assert "slow" not in json.dumps(body) and "2.0" not in json.dumps(body)


def test_retrieve_shows_the_analysis_and_no_rater_key(world, hr_a, api_client_for):
    body = api_client_for(hr_a).get(f"{BASE}{world['shown'].pk}/").json()
    assert body["detail"] == "full" and body["k"] == 5
    lines = [s for s in body["splits"] if s["split"] == "business_line"]
    assert [(s["label"], s["shown"], s["raters"]) for s in lines] == [("Sales", True, 5)]
    assert body["distribution"][0]["counts"] == [0, 0, 0, 5, 0]
    assert body["comments"] == ["helpful"] * 5  # 5 commenters: the minimum, released
    assert "key-" not in json.dumps(body)
    only_roles = api_client_for(hr_a).get(f"{BASE}{world['shown'].pk}/?split=role").json()
    assert {s["split"] for s in only_roles["splits"]} == {"role"}


def test_another_tenants_subject_is_a_404(world, hr_a, api_client_for):
    assert api_client_for(hr_a).get(f"{BASE}{world['foreign'].pk}/").status_code == 404


def test_a_manager_reads_their_units_and_an_employee_only_their_own_units_whole(
    world, tenant_a, api_client_for
):
    manager = member_in(tenant_a, world["hr_unit"], "manager", username="hr_manager")
    employee = member_in(tenant_a, world["hr_unit"], "employee", username="hr_clerk")
    outsider = member_in(tenant_a, world["sales"], "employee", username="sales_clerk")
    listed = [r["id"] for r in api_client_for(manager).get(BASE).json()["results"]]
    assert listed == [world["shown"].pk]
    full = api_client_for(manager).get(f"{BASE}{world['shown'].pk}/").json()
    assert full["detail"] == "full" and full["splits"]
    own = api_client_for(employee).get(f"{BASE}{world['shown'].pk}/").json()
    assert own["detail"] == "overall" and own["splits"] == [] and own["comments"] is None
    assert own["result"]["overall"] == 4.0
    assert api_client_for(outsider).get(f"{BASE}{world['shown'].pk}/").status_code == 404


def test_response_rates_for_hr_only(world, hr_a, tenant_a, api_client_for):
    body = api_client_for(hr_a).get(f"{BASE}response-rates/").json()
    rows = [(r["rater_unit_name"], r["assigned"], r["submitted"]) for r in body["results"]]
    assert rows == [("Sales", 2, 1)]
    manager = member_in(tenant_a, world["hr_unit"], "manager", username="rates_manager")
    assert api_client_for(manager).get(f"{BASE}response-rates/").status_code == 403


def test_bad_filters_are_field_errors(world, hr_a, api_client_for):
    response = api_client_for(hr_a).get(f"{BASE}?campaign=abc&status=nope")
    assert response.status_code == 400
    assert set(response.json()) >= {"campaign", "status"}


def test_the_list_runs_a_constant_number_of_queries(
    world, hr_a, tenant_a, api_client_for, django_assert_max_num_queries
):
    api = api_client_for(hr_a)
    api.get(BASE)  # releases what was not released yet
    with django_assert_max_num_queries(9):
        api.get(BASE)
    with tenant_scope(tenant_a):
        for _i in range(8):
            subject = subject_of(campaign_with_dimensions(3), unit=OrgUnitFactory())
            add_ratings(subject, 5, value=3)
    api.get(BASE)
    with django_assert_max_num_queries(9):
        api.get(BASE)


def test_a_360_is_read_by_the_person_and_their_line_manager_with_the_attributed_rating(
    world, tenant_a, api_client_for
):
    from feedback.models import RaterRole
    from tests.factories.feedback_results import add_rating

    boss_user = member_in(tenant_a, world["hr_unit"], "manager", username="boss")
    person_user = make_member(tenant_a, "employee", username="rated_person")
    peer_user = member_in(tenant_a, world["hr_unit"], "employee", username="a_peer")
    with tenant_scope(tenant_a):
        from collab.models import Employee

        boss = Employee.objects.get(user=boss_user)
        person = EmployeeFactory(user=person_user, org_unit=world["hr_unit"], manager=boss)
        subject = subject_of(campaign_with_dimensions(2, kind="review_360"), employee=person)
        add_ratings(subject, 5, value=3, role=RaterRole.PEER)
        add_rating(subject, [5, 4], role=RaterRole.LINE_MANAGER, attributed=boss, comment="well done")
    for user in (person_user, boss_user):
        body = api_client_for(user).get(f"{BASE}{subject.pk}/").json()
        assert body["result"]["overall"] == 3.0 and body["result"]["raters"] == 5
        assert body["attributed"]["rater"] == boss.name and body["attributed"]["overall"] == 4.5
    assert api_client_for(peer_user).get(f"{BASE}{subject.pk}/").status_code == 404
