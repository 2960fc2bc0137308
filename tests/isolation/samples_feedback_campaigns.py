"""Isolation samples of review campaigns and ratings (see the isolation contract in the shared brief): a
draft campaign (edit, delete), a launched one and one of its rater assignments (the rating form,
`ratings`)."""

from __future__ import annotations

from collab.models import Employee, Membership
from feedback.services.campaigns.launch import campaign_launch
from tests.factories.feedback_campaigns import CampaignSubjectFactory, RaterRuleFactory, campaign_world
from tests.factories.org import EmployeeFactory

ORDER = 71


def build(tenant, objects: dict) -> dict:
    world = campaign_world(name="Isolation campaign")
    draft = world.campaign
    other = campaign_world(name="Isolation launched", period=world.period, east=1, west=1)
    # The tenant's own member with the most roles rates in it (so the control reaches their assignment).
    linked = set(Employee.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    members = sorted(Membership.objects.select_related("user"), key=lambda m: (-len(m.roles), m.pk))
    owner = next((m.user for m in members if m.user_id not in linked), None)
    if owner is not None:
        EmployeeFactory(org_unit=other.sales_east, user=owner)
    launched = other.campaign
    campaign_launch(actor=None, campaign=launched, lock_version=launched.lock_version)
    assignments = launched.assignments.order_by("id")
    assignment = (assignments.filter(rater__user=owner).first() if owner else None) or assignments.first()
    # The draft keeps a rule naming one subject, so every nested shape is in the sample.
    subject = CampaignSubjectFactory(campaign=draft)
    RaterRuleFactory(campaign=draft, rater_unit=world.sales_west, subject=subject)
    return {"review_campaign": draft, "review_campaign_open": launched, "rater_assignment": assignment}


ROUTE_KWARGS = {
    "campaign-detail": lambda o: {"pk": o["review_campaign"].pk},
    "campaign-edit": lambda o: {"pk": o["review_campaign"].pk},
    "campaign-delete": lambda o: {"pk": o["review_campaign"].pk},
    "rating-form": lambda o: {"pk": o["rater_assignment"].pk},
}

API_DETAIL = {"api-review-campaign": "review_campaign", "api-rating": "rater_assignment"}
