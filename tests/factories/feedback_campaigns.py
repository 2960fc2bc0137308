"""Factories of review campaigns (the campaign flow). Use them inside `tenant_scope(tenant)`.

`campaign_world()` builds a small organisation with an internal-customer campaign: R&D rated by the sales
units (each with raters linked to users), used by the campaign tests and the isolation samples; the results
side may use it too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import factory
from django.utils import timezone

from collab.models import Employee, Membership, OrgUnit, Period
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
    RaterRole,
    RaterRule,
    ReviewCampaign,
    ReviewDimension,
    ReviewKind,
    ReviewTemplate,
)
from tests.factories import UserFactory
from tests.factories.feedback import ReviewDimensionFactory, ReviewTemplateFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory


def in_days(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


class ReviewCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCampaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    template = factory.SubFactory(ReviewTemplateFactory)
    kind = factory.LazyAttribute(lambda c: c.template.kind)
    period = factory.SubFactory(PeriodFactory)
    deadline = factory.LazyFunction(lambda: in_days(14))
    status = CampaignStatus.DRAFT


class CampaignSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignSubject

    campaign = factory.SubFactory(ReviewCampaignFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    employee = None


class RaterRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RaterRule

    campaign = factory.SubFactory(ReviewCampaignFactory)
    rater_role = RaterRole.INTERNAL_CUSTOMER
    rater_unit = factory.SubFactory(OrgUnitFactory)


def rater(unit: OrgUnit, *, name: str | None = None, level: str = "L3", **fields) -> Employee:
    """An employee of `unit` with a user and an employee membership of the scoped tenant."""
    user = UserFactory()
    Membership.objects.create(user=user, roles=["employee"])
    position = PositionFactory(org_unit=unit, level=level)
    return EmployeeFactory(
        org_unit=unit, position=position, user=user, **({"name": name} if name else {}), **fields
    )


def template_with(*names: str, kind: str = ReviewKind.INTERNAL_CUSTOMER) -> ReviewTemplate:
    template = ReviewTemplateFactory(kind=kind)
    for order, name in enumerate(names or ("Response speed", "Feasibility")):
        ReviewDimensionFactory(template=template, name=name, order=order)
    return template


@dataclass
class CampaignWorld:
    period: Period
    group: OrgUnit
    sales_line: OrgUnit  # a business group
    sales_east: OrgUnit
    sales_west: OrgUnit
    rnd: OrgUnit
    template: ReviewTemplate
    campaign: ReviewCampaign
    east: list[Employee] = field(default_factory=list)
    west: list[Employee] = field(default_factory=list)
    rnd_people: list[Employee] = field(default_factory=list)

    @property
    def dimensions(self) -> list[ReviewDimension]:
        return list(self.template.dimensions.order_by("order", "id"))


def campaign_world(
    *, east: int = 3, west: int = 3, deadline_days: float = 14, name: str = "Sales rate R&D", period=None
):
    """A group with a sales business line (east and west units) and R&D; a draft internal-customer campaign
    rating R&D, with one rule: the sales line and its sub-units rate."""
    period = period or PeriodFactory(kind=Period.Kind.QUARTER, year=2031, quarter=1)
    group = OrgUnitFactory(name="Group", kind=OrgUnit.Kind.GROUP)
    sales_line = OrgUnitFactory(name="Sales line", parent=group, kind=OrgUnit.Kind.BUSINESS_GROUP)
    sales_east = OrgUnitFactory(name="Sales east", parent=sales_line)
    sales_west = OrgUnitFactory(name="Sales west", parent=sales_line)
    rnd = OrgUnitFactory(name="R&D", parent=group)
    template = template_with("Response speed", "Feasibility", "Timeliness")
    campaign = ReviewCampaignFactory(
        name=name, template=template, period=period, deadline=in_days(deadline_days)
    )
    CampaignSubjectFactory(campaign=campaign, org_unit=rnd)
    RaterRuleFactory(campaign=campaign, rater_unit=sales_line, include_sub_units=True)
    world = CampaignWorld(period, group, sales_line, sales_east, sales_west, rnd, template, campaign)
    world.east = [rater(sales_east, level="L2") for _ in range(east)]
    world.west = [rater(sales_west, level="L4") for _ in range(west)]
    world.rnd_people = [rater(rnd)]
    return world


def full_scores(assignment) -> dict[str, int]:
    dimensions = ReviewDimension.objects.filter(template_id=assignment.campaign.template_id)
    return {str(d.pk): 4 for d in dimensions}


__all__ = [
    "CampaignSubjectFactory",
    "CampaignWorld",
    "RaterRuleFactory",
    "ReviewCampaignFactory",
    "campaign_world",
    "full_scores",
    "in_days",
    "rater",
    "template_with",
]
