"""Why a scorecard's review part counts nothing, said truly in the breakdown page and the API: no campaign
rated the unit this period, a campaign is still open (results are released at close, with its deadline), or
one closed with fewer than k raters — read from feedback's campaigns through `interlock.hooks`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collab.models import Job
from collab.tenancy import tenant_scope
from feedback.models import CampaignStatus, ReviewKind
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories.feedback_results import add_ratings, campaign_with_dimensions, subject_of
from tests.factories.interlock import build_seed_tables
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
DEADLINE = timezone.now().replace(microsecond=0) + dt.timedelta(days=9)


@pytest.fixture
def world(scope_a, hr_a, tenant_b):
    built = build_seed_tables(actor=hr_a)
    Job.objects.all().delete()
    with tenant_scope(tenant_b):  # another tenant's open campaign in the room
        foreign = campaign_with_dimensions(2, status=CampaignStatus.OPEN, deadline=DEADLINE)
        subject_of(foreign, unit=OrgUnitFactory())
    return built


def _campaign(world, unit: str, status: str, raters: int = 0, **kwargs):
    campaign = campaign_with_dimensions(2, period=world.period, status=status, deadline=DEADLINE, **kwargs)
    add_ratings(subject_of(campaign, unit=world.units[unit]), raters, value=4)
    return campaign


def _review(world, tenant, hr, client_for, login):
    """The sales breakdown's review part as the API and the page say it, after a recompute from the real
    inputs (feedback's released ratings)."""
    with tenant_scope(tenant):
        scores_recompute(period=world.period)
        snap = ScoreSnapshot.objects.get(period=world.period, org_unit=world.units["sales"])
    api = reverse("api-score-detail", kwargs={"tenant_slug": tenant.slug, "pk": snap.pk})
    review = client_for(hr).get(api).json()["breakdown"]["review"]
    html = login(hr).get(reverse("score-detail", kwargs={"tenant_slug": tenant.slug, "pk": snap.pk}))
    return review, html.content.decode()


def test_no_campaign_this_period(world, tenant_a, hr_a, api_client_for, login):
    _campaign(world, "rnd", CampaignStatus.OPEN)  # another unit's campaign says nothing about sales
    review, html = _review(world, tenant_a, hr_a, api_client_for, login)
    assert review["shown"] is False and review["hidden_reason"] == "no_ratings"
    assert review["missing_reason"] == "no_campaign" and review["open_campaign_deadline"] is None
    assert 'data-missing-reason="no_campaign"' in html
    assert "No internal-customer review campaign rated this unit this period" in html


def test_an_open_campaign_says_results_come_at_close(world, tenant_a, hr_a, api_client_for, login):
    _campaign(world, "sales", CampaignStatus.OPEN, raters=6)  # ratings in, but nothing released yet
    review, html = _review(world, tenant_a, hr_a, api_client_for, login)
    assert review["shown"] is False and review["review_part"] is None
    assert review["missing_reason"] == "campaign_open"
    assert dt.datetime.fromisoformat(review["open_campaign_deadline"]) == DEADLINE
    assert 'data-missing-reason="campaign_open"' in html and "released when it closes" in html
    assert str(timezone.localtime(DEADLINE).year) in html and "No internal-customer review" not in html


def test_a_closed_campaign_under_k_says_too_few_raters(world, tenant_a, hr_a, api_client_for, login):
    _campaign(world, "sales", CampaignStatus.CLOSED, raters=3)
    review, html = _review(world, tenant_a, hr_a, api_client_for, login)
    assert review["hidden_reason"] == "below_threshold" and review["missing_reason"] == "below_threshold"
    assert review["anonymity_threshold"] == 5 and 'data-missing-reason="below_threshold"' in html
    assert "fewer than 5 distinct raters" in html


def test_a_closed_campaign_without_ratings_is_too_few_raters_not_no_campaign(
    world, tenant_a, hr_a, api_client_for, login
):
    _campaign(world, "sales", CampaignStatus.CLOSED, raters=0)
    review, html = _review(world, tenant_a, hr_a, api_client_for, login)
    assert review["hidden_reason"] == "no_ratings" and review["missing_reason"] == "below_threshold"
    assert "fewer than 5 distinct raters" in html


def test_only_launched_internal_customer_campaigns_count(world, tenant_a, hr_a, api_client_for, login):
    _campaign(world, "sales", CampaignStatus.OPEN, kind=ReviewKind.MUTUAL)  # not what the review part reads
    _campaign(world, "sales", CampaignStatus.DRAFT)  # not launched
    campaign_with_dimensions(2, status=CampaignStatus.OPEN)  # another period
    review, _html = _review(world, tenant_a, hr_a, api_client_for, login)
    assert review["missing_reason"] == "no_campaign"


def test_a_released_review_part_has_no_missing_reason(world, tenant_a, hr_a, api_client_for, login):
    _campaign(world, "sales", CampaignStatus.CLOSED, raters=5)
    review, html = _review(world, tenant_a, hr_a, api_client_for, login)
    assert review["shown"] is True and review["missing_reason"] is None
    assert "data-missing-reason" not in html


def test_the_breakdown_asks_the_campaigns_once(world, django_assert_num_queries):
    from interlock.selectors.scores import explain

    _campaign(world, "sales", CampaignStatus.OPEN)
    scores_recompute(period=world.period)
    snaps = ScoreSnapshot.objects.select_related("period")
    snap = snaps.get(period=world.period, org_unit=world.units["sales"])
    with django_assert_num_queries(3):  # KPIs, matrices, the review campaigns
        explained = explain(snap)
    assert explained.review["missing_reason"] == "campaign_open"
