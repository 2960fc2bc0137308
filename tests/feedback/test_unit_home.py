"""The manager home's "My unit's review results": the unit's latest released results (overall mean and raters
only where shown, k applied), open campaigns as open, the unit's latest event measures, an honest empty
state, a fixed number of queries; nothing of another unit or tenant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collab.models import Period
from collab.tenancy import tenant_scope
from feedback.models import CampaignStatus, EventKind, ReviewKind
from feedback.selectors.unit_home import unit_review_home
from tests.factories import make_member
from tests.factories.feedback_events import EventFactory
from tests.factories.feedback_results import add_ratings, campaign_with_dimensions, subject_of
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(TODAY.year, 1, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign_unit = OrgUnitFactory(name="Bravo plant")
        foreign = subject_of(campaign_with_dimensions(2, name="Bravo round"), unit=foreign_unit)
        add_ratings(foreign, 6, value=1)
    with tenant_scope(tenant_a):
        year = PeriodFactory(kind=Period.Kind.YEAR, year=TODAY.year)
        plant, other = OrgUnitFactory(name="Plant"), OrgUnitFactory(name="Mill")
        user = make_member(tenant_a, "manager", username="plant_manager")
        manager = EmployeeFactory(user=user, org_unit=plant, name="Plant Manager")
        old = subject_of(campaign_with_dimensions(2, name="Old round", period=year), unit=plant)
        add_ratings(old, 3, value=5)  # under k = 5: hidden
        latest = subject_of(campaign_with_dimensions(2, name="Latest round", period=year), unit=plant)
        add_ratings(latest, 4, value=4)
        add_ratings(latest, 1, value=2)  # five raters: 3.60
        three_sixty = campaign_with_dimensions(2, name="A 360", kind=ReviewKind.REVIEW_360, period=year)
        add_ratings(subject_of(three_sixty, employee=manager), 6, value=1)  # not a unit review
        mill = subject_of(campaign_with_dimensions(2, name="Mill round", period=year), unit=other)
        add_ratings(mill, 6, value=2)
        running = campaign_with_dimensions(2, name="Running round", period=year, status=CampaignStatus.OPEN)
        add_ratings(subject_of(running, unit=plant), 5, value=1)  # not released while open
        # Deliverables owed by the plant, due this year: one on time, one late; a request answered in 6 h.
        EventFactory(kind=EventKind.DELIVERABLE, from_unit=plant, to_unit=other, occurred_at=_at(2),
                     due_at=_at(5), done_at=_at(4))  # fmt: skip
        EventFactory(kind=EventKind.DELIVERABLE, from_unit=plant, to_unit=other, occurred_at=_at(2),
                     due_at=_at(5), done_at=_at(8))  # fmt: skip
        EventFactory(kind=EventKind.REQUEST, from_unit=other, to_unit=plant, occurred_at=_at(3, 8),
                     done_at=_at(3, 14))  # fmt: skip
        EventFactory(kind=EventKind.DELIVERABLE, from_unit=other, to_unit=plant, occurred_at=_at(2),
                     due_at=_at(5), done_at=_at(9))  # the mill's, not the plant's
    return {"user": user, "manager": manager, "plant": plant, "year": year, "latest": latest, "old": old,
            "running": running, "foreign": foreign}  # fmt: skip


def test_the_panel_shows_released_results_hides_small_ones_and_names_the_open_campaign(world, tenant_a):
    with tenant_scope(tenant_a):
        panel = unit_review_home(world["manager"])
    assert [row.subject.campaign.name for row in panel.results] == ["Latest round", "Old round"]
    latest, old = panel.results
    assert latest.whole.shown and latest.whole.raters == 5 and latest.whole.overall == pytest.approx(3.6)
    assert not old.whole.shown and old.whole.reason == "too_few" and old.whole.overall is None
    assert old.whole.raters is None
    assert [s.campaign.name for s in panel.open] == ["Running round"]
    assert panel.k == 5


def test_the_panel_measures_the_unit_in_the_latest_period_with_events(world, tenant_a):
    with tenant_scope(tenant_a):
        panel = unit_review_home(world["manager"], today=dt.date(TODAY.year, 12, 31))
    assert panel.measures.period == world["year"]
    measures = panel.measures.measures
    assert (measures.deliverables_due, measures.delivered_on_time) == (2, 1)
    assert measures.on_time_rate == 0.5 and measures.median_response_hours == pytest.approx(6.0)


def test_the_panel_runs_a_fixed_number_of_queries(world, tenant_a, django_assert_num_queries):
    with tenant_scope(tenant_a):
        unit_review_home(world["manager"])  # releases the closed campaigns once
        with django_assert_num_queries(8):
            unit_review_home(world["manager"])
        for index in range(3):  # more campaigns and events: the same queries
            campaign = campaign_with_dimensions(2, name=f"More {index}", period=world["year"])
            add_ratings(subject_of(campaign, unit=world["plant"]), 5, value=3)
            EventFactory(kind=EventKind.REQUEST, to_unit=world["plant"], occurred_at=_at(10 + index))
        unit_review_home(world["manager"])
        with django_assert_num_queries(8):
            panel = unit_review_home(world["manager"])
    assert len(panel.results) == 3


def test_the_manager_home_shows_the_panel(world, tenant_a, login):
    html = login(world["user"]).get(reverse("tenant-home", args=[tenant_a.slug])).content.decode()
    assert 'id="manager-unit-reviews"' in html
    assert "Latest round" in html and "3.60" in html and "5 raters" in html
    assert "fewer than 5 raters" in html  # the old round, hidden, says why
    assert "Running round is open until" in html and "released when it closes" in html
    assert "Mill round" not in html and "A 360" not in html and "Bravo" not in html
    assert f"?period={world['year'].pk}&amp;unit={world['plant'].pk}" in html
    assert f"/feedback/review-results/{world['latest'].pk}/" in html
    assert "1.00" not in html  # neither the open campaign's ratings nor another tenant's


def test_the_home_says_honestly_when_nothing_rated_the_unit(world, tenant_a, login):
    user = make_member(tenant_a, "manager", username="new_manager")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=user, org_unit=OrgUnitFactory(name="Quiet unit"))
    html = login(user).get(reverse("tenant-home", args=[tenant_a.slug])).content.decode()
    assert 'id="unit-reviews-empty"' in html and "No closed review campaign has rated your unit yet" in html
    assert 'id="unit-measures-empty"' in html and "Latest round" not in html


def test_an_open_campaign_alone_is_not_an_empty_state(world, tenant_a, login):
    user = make_member(tenant_a, "manager", username="waiting_manager")
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory(name="Waiting unit")
        EmployeeFactory(user=user, org_unit=unit)
        subject_of(world["running"], unit=unit)
    html = login(user).get(reverse("tenant-home", args=[tenant_a.slug])).content.decode()
    assert "Running round is open until" in html and 'id="unit-reviews-empty"' not in html


def test_the_employee_home_does_not_compute_the_panel(world, tenant_a, login, monkeypatch):
    import feedback.selectors.unit_home as unit_home

    calls = []
    monkeypatch.setattr(unit_home, "unit_review_home", lambda *a, **k: calls.append(a))
    user = make_member(tenant_a, "employee", username="plant_worker")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=user, org_unit=world["plant"])
    html = login(user).get(reverse("tenant-home", args=[tenant_a.slug])).content.decode()
    assert 'id="manager-unit-reviews"' not in html and calls == []
