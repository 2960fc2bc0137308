"""The weighted 360 result as every door reads it (selector, page, Excel export, API): built from the shown
role slices and — only for a reader shown it — the attributed line manager's rating; a role without a shown
result left out and named; nothing for other kinds, open campaigns or readers of the whole only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.tenancy import tenant_scope
from feedback.access import FULL, OVERALL
from feedback.models import CampaignStatus, RaterRole, RatingScore
from feedback.selectors.results.subject import subject_results
from tests.factories import make_member
from tests.factories.feedback_results import add_rating, add_ratings, campaign_with_dimensions, subject_of
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db
PAGES = "/t/alpha/feedback/review-results/"
API = "/api/v1/t/alpha/review-results/"
WEIGHTS = {"line_manager": 40, "project_lead": 20, "peer": 40}


def a_360(weights=WEIGHTS, **kwargs):
    return campaign_with_dimensions(2, kind="review_360", role_weights=weights, name="360 round", **kwargs)


@pytest.fixture
def world(tenant_a, tenant_b):
    """Tenant A: a 360 of a person with five peers (2 and 4), five project leads (4 and 5) and the line
    manager (5 and 3, attributed); tenant B has its own 360 in the room."""
    with tenant_scope(tenant_b):
        other = subject_of(a_360(), employee=EmployeeFactory())
        add_ratings(other, 6, value=1, role=RaterRole.PEER)
    with tenant_scope(tenant_a):
        team = OrgUnitFactory(name="Team")
        manager = EmployeeFactory(name="Mia Manager", org_unit=team)
        person = EmployeeFactory(name="Pat Person", org_unit=team, manager=manager)
        subject = subject_of(a_360(), employee=person)
        for _i in range(5):
            add_rating(subject, [2, 4], role=RaterRole.PEER)
            add_rating(subject, [4, 5], role=RaterRole.PROJECT_LEAD)
        add_rating(subject, [5, 3], role=RaterRole.LINE_MANAGER, attributed=manager)
    return {"subject": subject, "foreign": other, "manager": manager, "person": person, "team": team}


@pytest.fixture
def in_a(tenant_a):
    with tenant_scope(tenant_a):
        yield


def roles_of(weighted) -> dict:
    return {r.role: r for r in weighted.roles}


def test_a_reader_shown_the_attributed_rating_gets_every_role_weighted(world, in_a):
    result = subject_results(world["subject"], level=FULL, attributed=True)
    weighted = result.weighted
    # peer 3.0 × 40 + project lead 4.5 × 20 + line manager 4.0 × 40
    assert weighted.scope == "all_roles"
    assert weighted.overall == pytest.approx((3.0 * 40 + 4.5 * 20 + 4.0 * 40) / 100)
    assert [d.mean for d in weighted.dimensions] == [
        pytest.approx((2 * 40 + 4 * 20 + 5 * 40) / 100), pytest.approx((4 * 40 + 5 * 20 + 3 * 40) / 100)
    ]  # fmt: skip
    roles = roles_of(weighted)
    assert [r.role for r in weighted.roles] == ["line_manager", "project_lead", "peer"]
    assert {r.status for r in weighted.roles} == {"included"}
    effective = {role: r.effective for role, r in roles.items()}
    assert effective == {"line_manager": 40, "project_lead": 20, "peer": 40}
    assert roles["line_manager"].overall == 4.0 and roles["peer"].overall == 3.0


def test_a_reader_not_shown_the_attributed_rating_gets_the_anonymous_roles_only(world, in_a):
    weighted = subject_results(world["subject"], level=FULL, attributed=False).weighted
    assert weighted.scope == "anonymous_roles"
    # peer and project lead renormalised: 40 : 20 → 2/3 : 1/3; the line manager's 4.0 is nowhere in it
    assert weighted.overall == pytest.approx(3.0 * 2 / 3 + 4.5 / 3)
    roles = roles_of(weighted)
    assert roles["line_manager"].status == "attributed_not_shown"
    assert roles["line_manager"].effective is None and roles["line_manager"].overall is None
    assert roles["peer"].effective == pytest.approx(200 / 3)
    assert roles["project_lead"].effective == pytest.approx(100 / 3)


def test_a_role_hidden_by_anonymity_or_without_ratings_is_left_out_and_named(tenant_a):
    with tenant_scope(tenant_a):
        weights = {"line_manager": 30, "project_lead": 30, "peer": 20, "internal_customer": 20}
        subject = subject_of(a_360(weights), employee=EmployeeFactory())
        add_ratings(subject, 6, value=2, role=RaterRole.PEER)
        add_ratings(subject, 6, value=4, role=RaterRole.INTERNAL_CUSTOMER)
        add_ratings(subject, 2, value=1, role=RaterRole.PROJECT_LEAD)  # k − 3: hidden, and so is one more
        result = subject_results(subject, level=FULL, attributed=True)
    shown_roles = {v.group: v for v in result.splits["role"] if v.shown}
    roles = roles_of(result.weighted)
    assert roles["project_lead"].status == "hidden" and roles["project_lead"].effective is None
    assert roles["line_manager"].status == "no_ratings"
    assert {role for role, r in roles.items() if r.status == "included"} == set(shown_roles)
    assert len(shown_roles) == 1  # the whole minus the other shown role would give the 2 project leads away
    [(role, view)] = shown_roles.items()
    assert result.weighted.overall == view.overall and roles[role].effective == 100.0
    hidden = ({"peer", "internal_customer"} - {role}).pop()
    assert roles[hidden].status == "hidden"


def test_no_role_with_a_shown_result_gives_no_figure(tenant_a):
    with tenant_scope(tenant_a):
        subject = subject_of(a_360(), employee=EmployeeFactory())
        add_ratings(subject, 4, value=5, role=RaterRole.PEER)  # k − 1
        weighted = subject_results(subject, level=FULL, attributed=False).weighted
    assert weighted.overall is None and [d.mean for d in weighted.dimensions] == [None, None]
    assert {r.role: r.status for r in weighted.roles} == {
        "line_manager": "attributed_not_shown", "project_lead": "no_ratings", "peer": "hidden",
    }  # fmt: skip


def test_no_weighted_result_for_other_kinds_open_campaigns_or_whole_only_readers(world, tenant_a):
    with tenant_scope(tenant_a):
        assert subject_results(world["subject"], level=OVERALL, attributed=True).weighted is None
        unit_subject = subject_of(campaign_with_dimensions(2), unit=OrgUnitFactory())
        add_ratings(unit_subject, 5, value=4)
        assert subject_results(unit_subject, level=FULL).weighted is None
        campaign = world["subject"].campaign
        campaign.status = CampaignStatus.OPEN
        campaign.save()
        assert subject_results(world["subject"], level=FULL, attributed=True).weighted is None


# a 360's raters: (role, score of dimension 1, of dimension 2); the line manager's attributed rating apart
rater = st.tuples(st.sampled_from([RaterRole.PEER, RaterRole.PROJECT_LEAD, RaterRole.INTERNAL_CUSTOMER]),
                  st.integers(1, 5), st.integers(1, 5))  # fmt: skip
weights = st.fixed_dictionaries({role: st.integers(0, 40) for role in RaterRole.values})


@settings(
    max_examples=20, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    raters=st.lists(rater, max_size=18), k=st.integers(3, 6), role_weights=weights,
    manager_rated=st.booleans(), sees_attributed=st.booleans(), noise=st.integers(1, 5),
)  # fmt: skip
def test_no_hidden_number_moves_the_weighted_figure(
    tenant_a, raters, k, role_weights, manager_rated, sees_attributed, noise
):
    """Whatever the raters of a role slice that is not shown gave — and, for a reader not shown it, the line
    manager — the weighted figure stays the same; every included role is a shown slice of ≥ k raters."""
    tenant_a.anonymity_threshold = k
    tenant_a.save()
    with tenant_scope(tenant_a):
        subject = subject_of(a_360(role_weights), employee=EmployeeFactory())
        for role, a, b in raters:
            add_rating(subject, [a, b], role=role)
        if manager_rated:
            add_rating(subject, [3, 3], role=RaterRole.LINE_MANAGER, attributed=EmployeeFactory())
        before = subject_results(subject, level=FULL, attributed=sees_attributed)
        shown_roles = {v.group: v for v in before.splits.get("role", []) if v.shown}
        anonymous = [role for role in RaterRole.values if role != RaterRole.LINE_MANAGER]
        hidden_roles = [role for role in anonymous if role not in shown_roles]
        if not sees_attributed:  # the attributed rating is shown to some readers only
            hidden_roles.append(RaterRole.LINE_MANAGER)
        RatingScore.objects.filter(rating__subject=subject, rating__rater_role__in=hidden_roles).update(
            value=noise
        )
        after = subject_results(subject, level=FULL, attributed=sees_attributed)
    assert before.weighted == after.weighted
    for role in before.weighted.roles:
        if role.status == "included" and role.role != RaterRole.LINE_MANAGER:
            assert shown_roles[role.role].raters >= k and role.overall == shown_roles[role.role].overall
    if before.weighted.overall is not None:
        assert sum(r.effective for r in before.weighted.roles if r.effective) == pytest.approx(100.0)


# ------------------------------------------------------------------------------------- page, export, API
def test_the_page_shows_the_weighted_block_with_configured_and_effective_weights(world, hr_a, login):
    page = login(hr_a).get(f"{PAGES}{world['subject'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="review-weighted"' in html and 'data-scope="all_roles"' in html
    assert "Weighted 360 result" in html and 'id="review-weighted-overall">3.70<' in html
    assert 'data-role="line_manager" data-status="included"' in html and "40.0%" in html


def test_the_page_for_a_reader_not_shown_the_attributed_rating(world, hr_a, login, monkeypatch):
    # today every reader of a 360 (HR, auditors, the person, their line manager) is shown the attributed
    # rating; a reader who is not (as `sees_attributed_rating` may decide) gets the anonymous roles only
    monkeypatch.setattr("feedback.views.results.sees_attributed_rating", lambda *a, **kw: False)
    html = login(hr_a).get(f"{PAGES}{world['subject'].pk}/").content.decode()
    assert 'data-scope="anonymous_roles"' in html and "anonymous roles only" in html
    assert 'data-role="line_manager" data-status="attributed_not_shown"' in html
    assert 'id="review-weighted-overall">3.50<' in html and 'id="review-attributed"' not in html


def test_the_page_of_a_unit_review_has_no_weighted_block(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        unit_subject = subject_of(campaign_with_dimensions(2), unit=OrgUnitFactory())
        add_ratings(unit_subject, 5, value=4)
    assert 'id="review-weighted"' not in login(hr_a).get(f"{PAGES}{unit_subject.pk}/").content.decode()


def test_the_export_has_the_weighted_result_and_the_role_weights(world, hr_a, login):
    response = login(hr_a).get(f"{PAGES}{world['subject'].pk}/export/")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("Weighted 360 result", None, "Overall", 3.7, None, None) in rows
    assert ("Role weights", "Line manager", "Overall", 4, None, "configured 40 % · effective 40.0 %") in rows
    assert ("Role weights", "Peer", "Overall", 3, None, "configured 40 % · effective 40.0 %") in rows


def test_the_export_for_a_reader_not_shown_the_attributed_rating(world, hr_a, login, monkeypatch):
    monkeypatch.setattr("feedback.views.results.sees_attributed_rating", lambda *a, **kw: False)
    response = login(hr_a).get(f"{PAGES}{world['subject'].pk}/export/")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("Weighted 360 result (anonymous roles only)", None, "Overall", 3.5, None, None) in rows
    manager = next(row for row in rows if row[:2] == ("Role weights", "Line manager"))
    assert manager[3] is None and "not shown to you" in manager[5]
    assert not any(row[1] == "Mia Manager" for row in rows)


def test_the_api_describes_the_weighted_result(world, tenant_a, api_client_for):
    person_user = make_member(tenant_a, "employee", username="the_rated")
    with tenant_scope(tenant_a):
        world["person"].user = person_user
        world["person"].save()
    body = api_client_for(person_user).get(f"{API}{world['subject'].pk}/").json()
    weighted = body["weighted"]
    assert weighted["scope"] == "all_roles" and weighted["overall"] == pytest.approx(3.7)
    assert [d["mean"] for d in weighted["dimensions"]] == [pytest.approx(3.6), pytest.approx(3.8)]
    assert weighted["roles"][0] == {
        "role": "line_manager", "label": "Line manager", "weight": 40, "status": "included",
        "effective_weight": 40.0, "overall": 4.0,
    }  # fmt: skip


def test_the_api_for_a_reader_not_shown_the_attributed_rating(world, hr_a, api_client_for, monkeypatch):
    monkeypatch.setattr("feedback.api.results.sees_attributed_rating", lambda *a, **kw: False)
    body = api_client_for(hr_a).get(f"{API}{world['subject'].pk}/").json()
    assert body["attributed"] is None
    assert body["weighted"]["scope"] == "anonymous_roles"
    assert body["weighted"]["overall"] == pytest.approx(3.5)
    manager = body["weighted"]["roles"][0]
    assert manager["status"] == "attributed_not_shown" and manager["overall"] is None


def test_the_api_has_no_weighted_result_for_a_unit_review(world, tenant_a, hr_a, api_client_for):
    with tenant_scope(tenant_a):
        unit_subject = subject_of(campaign_with_dimensions(2), unit=OrgUnitFactory())
        add_ratings(unit_subject, 5, value=4)
    assert api_client_for(hr_a).get(f"{API}{unit_subject.pk}/").json()["weighted"] is None


def test_another_tenants_360_is_a_404_everywhere(world, hr_a, login, api_client_for):
    foreign = world["foreign"].pk
    assert login(hr_a).get(f"{PAGES}{foreign}/").status_code == 404
    assert login(hr_a).get(f"{PAGES}{foreign}/export/").status_code == 404
    assert api_client_for(hr_a).get(f"{API}{foreign}/").status_code == 404


def test_the_weighted_result_costs_no_query(world, hr_a, login, api_client_for, monkeypatch,
                                            django_assert_max_num_queries):
    """The weighted result is computed from what the analysis read already: the 360 page and retrieve run
    as many queries as without it (and within the analysis's budget)."""
    client, api = login(hr_a), api_client_for(hr_a)
    pk = world["subject"].pk
    client.get(f"{PAGES}{pk}/")  # the first read releases the closed campaign

    def count() -> tuple[int, int]:
        with django_assert_max_num_queries(30) as page:
            assert client.get(f"{PAGES}{pk}/").status_code == 200
        with django_assert_max_num_queries(30) as retrieve:
            assert api.get(f"{API}{pk}/").status_code == 200
        return len(page.captured_queries), len(retrieve.captured_queries)

    with_weighted = count()
    monkeypatch.setattr("feedback.selectors.results.subject.weighted_view", lambda *a, **kw: None)
    assert count() == with_weighted


def test_the_roles_come_in_rater_role_order_whatever_the_stored_order(tenant_a):
    # PostgreSQL's jsonb keeps no key order: the roles' order must not come from the stored object
    with tenant_scope(tenant_a):
        weights = {"peer": 50, "internal_customer": 25, "line_manager": 25}
        subject = subject_of(a_360(weights), employee=EmployeeFactory())
        roles = subject_results(subject, level=FULL, attributed=True).weighted.roles
    assert [r.role for r in roles] == ["internal_customer", "line_manager", "peer"]
