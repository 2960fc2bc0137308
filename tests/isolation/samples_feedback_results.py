"""Isolation samples of review results: a closed campaign rating a unit of tenant B with enough raters
that its results are shown (so a leak would show numbers)."""

from __future__ import annotations

from tests.factories.feedback_results import add_ratings, assign, campaign_with_dimensions, subject_of
from tests.factories.org import OrgUnitFactory

ORDER = 72


def build(tenant, objects: dict) -> dict:
    campaign = campaign_with_dimensions(2, name="Isolation results campaign")
    subject = subject_of(campaign, unit=OrgUnitFactory(name="Isolation rated unit"))
    add_ratings(subject, 5, value=4, comment="isolation comment")
    assign(subject, submitted=True)
    return {"results_campaign": campaign, "results_subject": subject}


ROUTE_KWARGS = {
    "review-result-detail": lambda o: {"pk": o["results_subject"].pk},
    "review-result-export": lambda o: {"pk": o["results_subject"].pk},
}

API_DETAIL = {"api-review-result": "results_subject"}
