"""In the browser: HR picks the rated unit and the rater unit of a draft campaign with the searchable
pickers, launches it and sees the raters counted; the launch leaves the subjects and rules frozen."""

from __future__ import annotations

import pytest

from collab.models import Role
from collab.tenancy import tenant_scope
from feedback.models import CampaignStatus, RaterAssignment, ReviewCampaign
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, pick, watch_errors
from tests.factories import make_member
from tests.factories.feedback_campaigns import ReviewCampaignFactory, campaign_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    make_member(tenant_a, Role.HR_ADMIN, username="campaign-hr")
    with tenant_scope(tenant_a):
        world = campaign_world(east=2, west=1)
        empty = ReviewCampaignFactory(name="Fresh campaign", template=world.template, period=world.period)
    with tenant_scope(tenant_b):
        campaign_world(name="Bravo's")
    return empty


def test_hr_picks_subject_and_raters_and_launches(draft, live_server, page, tenant_a):
    errors = watch_errors(page)
    log_in(page, live_server.url, "campaign-hr")
    page.goto(f"{live_server.url}/t/alpha/feedback/campaigns/{draft.pk}/")
    pick(page, "id_org_unit", "R&D")
    with page.expect_navigation():
        page.click("#subject-add")
    assert page.locator("#campaign-subjects").inner_text().strip().startswith("R&D")
    pick(page, "id_rater_unit", "Sales line")
    with page.expect_navigation():
        page.click("#rule-add")
    assert "Sales line" in page.locator("#campaign-rules").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign_draft.png"), full_page=True)
    with page.expect_navigation():
        page.click("#campaign-launch")
    assert "3 ratings to give" in page.inner_text("body")
    assert page.locator("#subject-form").count() == 0 and page.locator("#campaign-launch").count() == 0
    with tenant_scope(tenant_a):
        assert ReviewCampaign.objects.get(pk=draft.pk).status == CampaignStatus.OPEN
        assert RaterAssignment.objects.filter(campaign_id=draft.pk).count() == 3
    assert not errors
