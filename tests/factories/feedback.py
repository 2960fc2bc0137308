"""Factories of the feedback app."""

from __future__ import annotations

import factory

from feedback.models import ReviewDimension, ReviewKind, ReviewTemplate


class ReviewTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewTemplate

    name = factory.Sequence(lambda n: f"Review template {n}")
    kind = ReviewKind.INTERNAL_CUSTOMER


class ReviewDimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewDimension

    template = factory.SubFactory(ReviewTemplateFactory)
    name = factory.Sequence(lambda n: f"Dimension {n}")
    anchor_1 = "Never"
    anchor_2 = "Rarely"
    anchor_3 = "Usually"
    anchor_4 = "Almost always"
    anchor_5 = "Always, and ahead of need"


def dimension_rows(*names: str) -> list[dict[str, str]]:
    """Dimensions as the services and the API take them."""
    return [
        {
            "name": name, "description": f"About {name}",
            **{f"anchor_{p}": f"{name}: point {p}" for p in range(1, 6)},
        }
        for name in names
    ]  # fmt: skip
