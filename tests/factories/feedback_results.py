"""Factories for review results: campaigns, subjects, assignments and ratings written directly (the campaign
flow that makes them belongs to the campaigns area). Use inside `tenant_scope(tenant)`."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    CampaignSubject,
    RaterAssignment,
    RaterRole,
    Rating,
    RatingScore,
    ReviewCampaign,
    ReviewKind,
)
from tests.factories.feedback import ReviewDimensionFactory, ReviewTemplateFactory
from tests.factories.org import EmployeeFactory, PeriodFactory

_keys = itertools.count(1)


class ReviewCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCampaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    template = factory.SubFactory(ReviewTemplateFactory)
    kind = ReviewKind.INTERNAL_CUSTOMER
    period = factory.SubFactory(PeriodFactory)
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    status = CampaignStatus.CLOSED
    comment_minimum = 5


def campaign_with_dimensions(dimensions: int = 2, **kwargs) -> ReviewCampaign:
    template = kwargs.pop("template", None) or ReviewTemplateFactory(
        kind=kwargs.get("kind", ReviewKind.INTERNAL_CUSTOMER)
    )
    for _i in range(dimensions):
        ReviewDimensionFactory(template=template)
    return ReviewCampaignFactory(template=template, **kwargs)


def subject_of(campaign: ReviewCampaign, *, unit=None, employee=None) -> CampaignSubject:
    return CampaignSubject.objects.create(campaign=campaign, org_unit=unit, employee=employee)


def rater_key() -> str:
    return f"key-{next(_keys):08d}"


def add_rating(
    subject: CampaignSubject,
    scores,
    *,
    key: str | None = None,
    business_line=None,
    unit=None,
    level: str = "",
    role: str = RaterRole.INTERNAL_CUSTOMER,
    comment: str = "",
    attributed=None,
    rater=None,
) -> Rating:
    """A submitted rating of `subject` ({dimension id: value} or a list in dimension order), with its
    assignment when a `rater` employee is given."""
    campaign = subject.campaign
    if not isinstance(scores, dict):
        dims = list(campaign.template.dimensions.order_by("order", "id").values_list("pk", flat=True))
        scores = dict(zip(dims, scores, strict=False))
    rating = Rating.objects.create(
        campaign=campaign, subject=subject, rater_key=key or rater_key(), rater_role=role,
        rater_unit=unit, rater_business_line=business_line, rater_level=level, attributed_rater=attributed,
        comment=comment,
    )  # fmt: skip
    RatingScore.objects.bulk_create(
        [RatingScore(rating=rating, dimension_id=d, value=v) for d, v in scores.items()]
    )
    if rater is not None:
        RaterAssignment.objects.create(
            campaign=campaign, subject=subject, rater=rater, rater_role=role, rater_unit=unit,
            rater_business_line=business_line, rater_level=level, status=AssignmentStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )  # fmt: skip
    return rating


def add_ratings(subject: CampaignSubject, n: int, value: int = 4, **kwargs) -> list[Rating]:
    dims = list(subject.campaign.template.dimensions.values_list("pk", flat=True))
    return [add_rating(subject, dict.fromkeys(dims, value), **kwargs) for _i in range(n)]


def assign(subject: CampaignSubject, *, unit=None, submitted: bool = False, rater=None) -> RaterAssignment:
    if rater is None:
        rater = EmployeeFactory(org_unit=unit) if unit is not None else EmployeeFactory()
    return RaterAssignment.objects.create(
        campaign=subject.campaign, subject=subject, rater=rater,
        rater_role=RaterRole.INTERNAL_CUSTOMER, rater_unit=unit,
        status=AssignmentStatus.SUBMITTED if submitted else AssignmentStatus.PENDING,
    )  # fmt: skip
