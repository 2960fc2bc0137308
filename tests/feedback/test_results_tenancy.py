"""Rating scores point at a rating by UUID and at a dimension by integer: the tenant check of a bulk insert
(`collab.tenancy.check_same_tenant`) looks both up — it used to put them in one UNION, which PostgreSQL
refuses (uuid vs bigint) and SQLite misreads — and still refuses another tenant's dimension."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from collab.tenancy import tenant_scope
from feedback.models import Rating, RatingScore
from tests.factories.feedback import ReviewDimensionFactory
from tests.factories.feedback_results import add_rating, campaign_with_dimensions, subject_of
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db


def test_bulk_scores_by_ids_are_checked_and_written(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = ReviewDimensionFactory()
    with tenant_scope(tenant_a):
        campaign = campaign_with_dimensions(2)
        subject = subject_of(campaign, unit=OrgUnitFactory())
        rating = add_rating(subject, {})
        rating_id = Rating.objects.values_list("pk", flat=True).get(pk=rating.pk)
        dims = list(campaign.template.dimensions.values_list("pk", flat=True))
        RatingScore.objects.bulk_create(
            [RatingScore(rating_id=rating_id, dimension_id=d, value=3) for d in dims]
        )
        assert RatingScore.objects.filter(rating_id=rating_id).count() == 2
        other = add_rating(subject, {})
        with pytest.raises(ValidationError) as refused:
            RatingScore.objects.bulk_create(
                [RatingScore(rating_id=other.pk, dimension_id=foreign.pk, value=3)]
            )
        assert "dimension" in refused.value.message_dict
