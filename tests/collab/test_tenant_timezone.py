"""Times on pages read in the tenant's time zone (issue 8 item 12): the pages' {{ …|date }} showed UTC (a
Shanghai tenant's recompute at 06:55 read 22:55 the evening before). A second tenant in another zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from collab.tenancy import tenant_scope
from tests.factories.interlock import JobFactory

pytestmark = pytest.mark.django_db


def test_pages_show_moments_in_the_tenants_time_zone(tenant_a, tenant_b, hr_a, hr_b, login, client):
    moment = datetime(2026, 12, 6, 22, 55, tzinfo=UTC)
    tenant_a.timezone = "Asia/Shanghai"
    tenant_a.save(update_fields=["timezone"])
    tenant_b.timezone = "America/New_York"
    tenant_b.save(update_fields=["timezone"])
    jobs = {}
    for tenant in (tenant_a, tenant_b):
        with tenant_scope(tenant):
            job = JobFactory()
            type(job).objects.filter(pk=job.pk).update(created_at=moment)
            jobs[tenant.slug] = job.pk
    page = login(hr_a).get(reverse("job-detail", kwargs={"tenant_slug": "alpha", "pk": jobs["alpha"]}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Queued 12/07/2026 6:55 a.m." in html  # the next morning in Shanghai, not 12/06 10:55 p.m.
    client.logout()
    other = login(hr_b).get(reverse("job-detail", kwargs={"tenant_slug": "bravo", "pk": jobs["bravo"]}))
    assert "Queued 12/06/2026 5:55 p.m." in other.content.decode()  # New York, UTC−5
