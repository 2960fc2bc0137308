"""Closed internal-customer ratings feed the scorecards' review part (DESIGN.md §6) through
`interlock.hooks.score_ratings`: counted with k distinct raters, "review not counted" below."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.tenancy import tenant_scope
from feedback.models import CampaignStatus, ReviewKind
from feedback.selectors.engine_feed import score_ratings
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories.feedback_results import add_ratings, campaign_with_dimensions, subject_of
from tests.factories.interlock import build_seed_tables
from tests.factories.org import OrgUnitFactory


@pytest.fixture
def world(scope_a, hr_a, tenant_b):
    world = build_seed_tables(actor=hr_a)
    card = next(c for c in world.scorecards.values() if c.review_weight > 0)
    with tenant_scope(tenant_b):  # another tenant's ratings of a unit with the same id must not count
        other = campaign_with_dimensions(2)
        add_ratings(subject_of(other, unit=OrgUnitFactory()), 6, value=1)
    return world, card


def snapshot(world, card) -> ScoreSnapshot:
    return ScoreSnapshot.objects.filter(period=world.period, subject=f"unit:{card.org_unit_id}").latest(
        "version"
    )


def rate(world, card, n, *, status=CampaignStatus.CLOSED, kind=ReviewKind.INTERNAL_CUSTOMER, value=5):
    campaign = campaign_with_dimensions(2, period=world.period, status=status, kind=kind)
    add_ratings(subject_of(campaign, unit=card.org_unit), n, value=value)
    return campaign


def test_k_raters_after_close_give_the_review_part(world, hr_a):
    world, card = world
    rate(world, card, 5, value=4)
    scores_recompute(period=world.period, actor=hr_a)
    snap = snapshot(world, card)
    assert snap.review_part == Decimal("75.0000")  # (4 − 1) / 4 × 100
    assert not any(flag["code"] == "review_not_counted" for flag in snap.flags)


def test_k_minus_one_raters_are_not_counted(world, hr_a):
    world, card = world
    rate(world, card, 4)
    scores_recompute(period=world.period, actor=hr_a)
    snap = snapshot(world, card)
    assert snap.review_part is None
    assert any(flag["code"] == "review_not_counted" for flag in snap.flags)


def test_open_campaigns_and_other_kinds_feed_nothing(world):
    world, card = world
    rate(world, card, 6, status=CampaignStatus.OPEN)
    rate(world, card, 6, kind=ReviewKind.MUTUAL)
    assert score_ratings(world.period, units=frozenset({card.org_unit_id}), positions=frozenset()) == []


def test_one_row_per_rating_with_its_mean(world, django_assert_num_queries):
    world, card = world
    campaign = campaign_with_dimensions(2, period=world.period)
    subject = subject_of(campaign, unit=card.org_unit)
    from tests.factories.feedback_results import add_rating

    add_rating(subject, [5, 2], key="a")
    add_rating(subject, [3, 3], key="b")
    with django_assert_num_queries(1):
        rows = score_ratings(world.period, units=frozenset({card.org_unit_id}), positions=frozenset())
    assert sorted(rows) == [(f"unit:{card.org_unit_id}", "a", 3.5), (f"unit:{card.org_unit_id}", "b", 3.0)]


def test_the_campaigns_behind_the_review_part_are_told_without_ratings(world):
    from feedback.selectors.engine_feed import score_review_campaigns
    from interlock.hooks import review_campaigns

    world, card = world
    assert review_campaigns.providers == {"feedback.reviews": score_review_campaigns}
    closed = rate(world, card, 2)
    opened = rate(world, card, 1, status=CampaignStatus.OPEN)
    rate(world, card, 1, status=CampaignStatus.DRAFT)
    rate(world, card, 1, status=CampaignStatus.OPEN, kind=ReviewKind.MUTUAL)
    elsewhere = campaign_with_dimensions(2, period=world.period, status=CampaignStatus.OPEN)
    subject_of(elsewhere, unit=OrgUnitFactory())  # another unit's
    rows = score_review_campaigns(world.period, units=frozenset({card.org_unit_id}), positions=frozenset())
    subject = f"unit:{card.org_unit_id}"
    assert sorted(rows, key=lambda r: r[1]) == [
        (subject, "closed", closed.deadline), (subject, "open", opened.deadline)
    ]  # fmt: skip
    assert score_review_campaigns(world.period, units=frozenset(), positions=frozenset({1})) == []
