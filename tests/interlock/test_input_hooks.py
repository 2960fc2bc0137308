"""Ratings and points come from the areas above through `interlock.hooks` when no frame is given."""

from __future__ import annotations

import pytest

from interlock.hooks import score_points, score_ratings
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories.interlock import build_seed_tables
from tests.interlock.test_recompute import content


@pytest.fixture
def world(scope_a, hr_a):
    return build_seed_tables(actor=hr_a)


@pytest.fixture
def providers(world):
    """Providers that answer with the seed's frames, recording what they were asked."""
    asked = []
    ratings, points = world.ratings_frame(), world.points_frame()

    def rated(period, *, units, positions):
        asked.append(("ratings", period.pk, units, positions))
        return [
            row
            for row in zip(ratings["subject"], ratings["rater"], ratings["value"], strict=True)
            if int(row[0].split(":")[1]) in units
        ]

    def awarded(period, *, units, positions):
        asked.append(("points", period.pk, units, positions))
        return list(zip(points["subject"], points["points"], strict=True))

    score_ratings.register("test", rated)
    score_points.register("test", awarded)
    yield asked
    del score_ratings.providers["test"], score_points.providers["test"]


def test_providers_feed_the_engine_like_frames(world, hr_a, providers):
    scores_recompute(
        period=world.period, actor=hr_a, ratings=world.ratings_frame(), points=world.points_frame()
    )
    given = content(world.period)
    ScoreSnapshot.objects.filter(period=world.period).delete()
    scores_recompute(period=world.period, actor=hr_a)
    assert content(world.period) == given
    units = {card.org_unit_id for card in world.scorecards.values() if card.org_unit_id}
    assert [(kind, period) for kind, period, *_ in providers] == [
        ("ratings", world.period.pk),
        ("points", world.period.pk),
    ]
    assert all(asked_units == units for *_, asked_units, _ in providers)


def test_without_providers_there_are_no_ratings_or_points(world, hr_a):
    scores_recompute(period=world.period, actor=hr_a)
    assert not any(
        s.review_part is not None or s.points for s in ScoreSnapshot.objects.filter(period=world.period)
    )


def test_scorecards_of_subjects_name_only_those_of_the_period(world, tenant_b, hr_b):
    from collab.tenancy import tenant_scope
    from interlock.selectors.scorecards import scorecard_ids_of_subjects

    cards = list(world.scorecards.values())
    unit = cards[0].org_unit_id
    assert scorecard_ids_of_subjects(world.period, units=[unit]) == [cards[0].pk]
    assert scorecard_ids_of_subjects(world.period) == []
    with tenant_scope(tenant_b):
        assert scorecard_ids_of_subjects(world.period, units=[unit]) == []
