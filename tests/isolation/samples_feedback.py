"""Isolation samples of the feedback app (see the isolation contract in the shared brief)."""

from __future__ import annotations

from tests.factories.feedback import ReviewDimensionFactory, ReviewTemplateFactory

ORDER = 70


def build(tenant, objects: dict) -> dict:
    template = ReviewTemplateFactory(name="Isolation review template")
    ReviewDimensionFactory(template=template)
    return {"review_template": template}


ROUTE_KWARGS = {
    "review-template-edit": lambda o: {"pk": o["review_template"].pk},
    "review-template-delete": lambda o: {"pk": o["review_template"].pk},
}

API_DETAIL = {"api-review-template": "review_template"}
