"""The demo's review campaigns: in each tenant a closed round whose rated unit passed k (distinct raters)
and an open campaign in which the demo employee login has ratings to give; in the technology tenant a
closed 360 of the employee login whose weighted result has every weighted rater role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from collab.models import Tenant
from collab.tenancy import tenant_scope
from feedback.access import FULL
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
    RaterAssignment,
    Rating,
    ReviewCampaign,
    ReviewKind,
)
from feedback.selectors.campaigns import open_assignments
from feedback.selectors.results.subject import subject_results

pytestmark = pytest.mark.django_db


def test_the_demo_shows_campaigns_with_released_results_and_work_to_do(db, django_user_model):
    call_command("seed_demo", stdout=StringIO())
    for slug, login in (("mining", "mining-employee"), ("tech", "tech-employee")):
        tenant = Tenant.objects.get(slug=slug)
        with tenant_scope(tenant):
            closed = ReviewCampaign.objects.filter(status=CampaignStatus.CLOSED)
            assert closed.exists(), slug
            keys: dict[int, set[str]] = {}
            given = Rating.objects.filter(campaign__in=closed)
            for subject, key in given.values_list("subject_id", "rater_key"):
                keys.setdefault(subject, set()).add(key)
            raters = {subject: len(found) for subject, found in keys.items()}
            assert max(raters.values()) >= tenant.anonymity_threshold, (slug, raters)
            assert ReviewCampaign.objects.filter(status=CampaignStatus.OPEN).exists()
            user = django_user_model.objects.get(username=login)
            assert open_assignments(user).exists(), slug
            assert RaterAssignment.objects.filter(status="pending").exists()
            if slug == "tech":
                subject = CampaignSubject.objects.get(
                    campaign__kind=ReviewKind.REVIEW_360, campaign__status=CampaignStatus.CLOSED
                )
                assert subject.employee.user == user
                weighted = subject_results(subject, level=FULL, attributed=True).weighted
                assert weighted.overall is not None
                assert {r.status for r in weighted.roles} == {"included"} and len(weighted.roles) == 4
