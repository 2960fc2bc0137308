"""In the browser: an employee opens "Ratings to give" from their home, picks the anchored points of a
dimension, saves a draft, comes back to it, completes the scores and submits once; the list is empty
afterwards and a second tenant's campaign is untouched. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from feedback.models import AssignmentStatus, RaterAssignment, Rating, RatingDraft
from feedback.services.campaigns.launch import campaign_launch
from tests.browser.conftest import ARTIFACTS
from tests.browser.session import log_in, watch_errors
from tests.factories.feedback_campaigns import campaign_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(tenant_a, tenant_b):
    tenant_a.locale = "en"
    tenant_a.save()
    with tenant_scope(tenant_a):
        world = campaign_world(east=1, west=0)
        campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
        me = world.east[0]
        me.user.username = "rater-east"
        me.user.save()
        world.dimension_list = world.dimensions
    with tenant_scope(tenant_b):
        other = campaign_world(name="Bravo's", east=1, west=0)
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
    return world


def test_an_employee_saves_a_draft_and_submits_a_rating(campaign, live_server, page, tenant_a, tenant_b):
    errors = watch_errors(page)
    log_in(page, live_server.url, "rater-east")
    page.goto(f"{live_server.url}/t/alpha/")
    tile = page.locator("#my-ratings")
    assert "Sales rate R&D" in tile.inner_text()
    with page.expect_navigation():
        tile.get_by_role("link", name="R&D").click()
    dimensions = campaign.dimension_list
    page.get_by_role("group", name=dimensions[0].name).get_by_label(f"4 · {dimensions[0].anchor_4}").check()
    page.fill("textarea[name=comment]", "Answers the same day.")
    with page.expect_navigation():
        page.click("#rating-save")
    assert "Draft saved" in page.inner_text("body")
    with tenant_scope(tenant_a):
        assert RatingDraft.objects.get().scores == {str(dimensions[0].pk): 4}
    assert page.locator(f"input[name=score_{dimensions[0].pk}][value='4']").is_checked()  # the draft back
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "rating_draft.png"), full_page=True)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#rating-submit")
    assert answer.value.status == 400  # two dimensions unscored: told, nothing submitted
    assert page.locator(".invalid-feedback", has_text="Score this dimension.").count() == 2
    for dimension in dimensions[1:]:
        page.get_by_role("group", name=dimension.name).get_by_label(f"5 · {dimension.anchor_5}").check()
    with page.expect_navigation():
        page.click("#rating-submit")
    assert "was submitted" in page.inner_text("body")
    assert page.locator("#ratings-empty").count() == 1
    page.screenshot(path=str(ARTIFACTS / "rating_submitted.png"), full_page=True)
    with tenant_scope(tenant_a):
        assert Rating.objects.count() == 1 and not RatingDraft.objects.exists()
        assert RaterAssignment.objects.get().status == AssignmentStatus.SUBMITTED
    with tenant_scope(tenant_b):
        assert not Rating.objects.exists()
    assert not errors
