"""Review results as every door reads them: k distinct raters or nothing, slices decided once at release,
comments only when closed and from enough commenters, open campaigns show their response rate only."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from feedback.access import FULL, OVERALL
from feedback.models import CampaignStatus, RaterRole, ResultRelease
from feedback.selectors.results.rates import response_rates
from feedback.selectors.results.rows import result_rows, result_subjects
from feedback.selectors.results.subject import subject_results
from tests.factories.feedback_results import (
    add_rating,
    add_ratings,
    assign,
    campaign_with_dimensions,
    subject_of,
)
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    """Tenant A (k = 5) with a rated HR unit; tenant B has a campaign of its own in the room."""
    with tenant_scope(tenant_b):
        other = campaign_with_dimensions(2)
        add_ratings(subject_of(other, unit=OrgUnitFactory()), 6, value=1)
    with tenant_scope(tenant_a):
        campaign = campaign_with_dimensions(2)
        hr = OrgUnitFactory(name="HR")
        yield {"campaign": campaign, "hr": hr, "subject": subject_of(campaign, unit=hr)}


def test_fewer_than_k_raters_show_nothing(world):
    subject = world["subject"]
    add_ratings(subject, 4, value=5, comment="great")
    result = subject_results(subject, level=FULL)
    assert not result.whole.shown and result.whole.reason == "too_few"
    assert result.whole.raters is None and result.whole.overall is None and result.whole.dimensions == []
    assert result.comments is None and result.distribution == []
    assert all(not view.shown for views in result.splits.values() for view in views)
    [row] = result_rows([subject])
    assert row.whole.overall is None and row.whole.raters is None


def test_k_raters_show_means_and_count(world):
    subject = world["subject"]
    add_ratings(subject, 3, value=5)
    add_ratings(subject, 2, value=2)
    result = subject_results(subject, level=FULL)
    assert result.whole.shown and result.whole.raters == 5
    assert result.whole.overall == pytest.approx(3.8)
    assert [d.mean for d in result.whole.dimensions] == [pytest.approx(3.8)] * 2
    assert [counts for _d, counts in result.distribution] == [[0, 2, 0, 0, 3]] * 2
    [row] = result_rows([subject])
    assert row.whole.raters == 5 and row.whole.overall == pytest.approx(3.8)


def test_a_rater_group_close_to_the_whole_is_refused(world):
    subject = world["subject"]
    sales, rnd = OrgUnitFactory(name="Sales"), OrgUnitFactory(name="R&D")
    add_ratings(subject, 5, value=5, business_line=sales)
    add_ratings(subject, 1, value=1, business_line=rnd)  # whole 6 − sales 5 would single this one out
    result = subject_results(subject, level=FULL)
    assert result.whole.shown and result.whole.raters == 6
    lines = {view.label: view for view in result.splits["business_line"]}
    assert not lines["Sales"].shown and lines["Sales"].overall is None and lines["Sales"].raters is None
    assert not lines["R&D"].shown and lines["R&D"].overall is None
    # a refused group is not released at all; the whole's refusal or release is always recorded
    stored = dict(ResultRelease.objects.filter(subject=subject).values_list("slice", "shown"))
    assert stored[""] is True and not any(name.startswith("business_line:") for name in stored)


def test_groups_of_k_beside_a_whole_of_2k_are_shown(world):
    subject = world["subject"]
    sales, rnd = OrgUnitFactory(name="Sales"), OrgUnitFactory(name="R&D")
    add_ratings(subject, 5, value=5, business_line=sales)
    add_ratings(subject, 5, value=3, business_line=rnd)
    result = subject_results(subject, level=FULL)
    lines = {view.label: view for view in result.splits["business_line"]}
    assert lines["Sales"].shown and lines["Sales"].overall == 5.0 and lines["Sales"].raters == 5
    assert lines["R&D"].shown and lines["R&D"].overall == 3.0


def test_release_is_decided_once_and_later_reads_use_it(world):
    subject = world["subject"]
    add_ratings(subject, 5, value=4)
    subject_results(subject, level=FULL)
    stored = ResultRelease.objects.get(subject=subject, slice="")
    assert stored.shown and len(stored.raters) == 5
    # a rating that appears after the release (should never happen once closed) changes nothing shown
    add_ratings(subject, 1, value=1)
    result = subject_results(subject, level=FULL)
    assert not result.whole.shown and result.whole.reason == "not_released"


def test_an_open_campaign_shows_its_response_rate_only(world):
    campaign = world["campaign"]
    campaign.status = CampaignStatus.OPEN
    campaign.save()
    subject = world["subject"]
    add_ratings(subject, 6, value=4)
    assign(subject, submitted=True)
    assign(subject, submitted=False)
    result = subject_results(subject, level=FULL)
    assert not result.whole.shown and result.whole.reason == "open"
    assert (result.assigned, result.submitted) == (2, 1)
    assert not ResultRelease.objects.exists()


def test_comments_need_enough_commenters_and_are_ordered_by_text(world):
    subject = world["subject"]
    for text in ["zeta", "alpha", "mid", "beta"]:
        add_rating(subject, [4, 4], comment=text)
    add_ratings(subject, 2, value=3)
    assert subject_results(subject, level=FULL).comments is None  # 4 commenters < comment minimum 5
    add_rating(subject, [4, 4], comment="gamma")
    ResultRelease.objects.filter(subject=subject).delete()
    assert subject_results(subject, level=FULL).comments == ["alpha", "beta", "gamma", "mid", "zeta"]


def test_an_overall_reader_sees_no_breakdown_or_comments(world):
    subject = world["subject"]
    sales = OrgUnitFactory(name="Sales")
    add_ratings(subject, 10, value=4, business_line=sales, comment="fine")
    result = subject_results(subject, level=OVERALL)
    assert result.whole.shown
    assert result.splits == {} and result.comments is None and result.distribution == []


def test_the_attributed_line_manager_rating_stays_out_of_the_anonymous_whole(world):
    campaign = campaign_with_dimensions(2, kind="review_360")
    person = EmployeeFactory()
    manager = EmployeeFactory()
    subject = subject_of(campaign, employee=person)
    add_ratings(subject, 5, value=3, role=RaterRole.PEER)
    add_rating(subject, [5, 5], role=RaterRole.LINE_MANAGER, attributed=manager, comment="keep going")
    result = subject_results(subject, level=FULL, attributed=True)
    assert result.whole.raters == 5 and result.whole.overall == 3.0
    assert result.attributed["rater"] == manager.name and result.attributed["overall"] == 5.0
    assert subject_results(subject, level=FULL).attributed is None


def test_trend_has_one_point_per_closed_campaign_each_itself_k(world):
    hr = world["hr"]
    add_ratings(world["subject"], 5, value=4)
    later = subject_of(campaign_with_dimensions(2), unit=hr)
    add_ratings(later, 4, value=2)
    result = subject_results(later, level=FULL)
    points = {p.subject_id: p for p in result.trend}
    assert points[world["subject"].pk].shown and points[world["subject"].pk].overall == 4.0
    assert not points[later.pk].shown and points[later.pk].overall is None


def test_response_rates_per_campaign_and_rater_unit(world):
    subject = world["subject"]
    sales = OrgUnitFactory(name="Sales")
    assign(subject, unit=sales, submitted=True)
    assign(subject, unit=sales, submitted=False)
    assign(subject, unit=None, submitted=True)
    rates = {r.unit: (r.assigned, r.submitted) for r in response_rates(campaign=world["campaign"].pk)}
    assert rates == {"Sales": (2, 1), "(none)": (1, 1)}


def test_result_subjects_lists_launched_campaigns_of_this_tenant_only(world):
    draft = campaign_with_dimensions(1, status=CampaignStatus.DRAFT)
    subject_of(draft, unit=world["hr"])
    assert [s.pk for s in result_subjects()] == [world["subject"].pk]
