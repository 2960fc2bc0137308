"""Campaign pages (HR sets up, launches, closes; auditors read) and a rater's pages (ratings to give, the
rating form: save a draft, submit once; the attributed notice; the home tile). Another rater's assignment and
another tenant's campaign are 404s; list pages keep a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.tenancy import tenant_scope
from feedback.models import CampaignStatus, RaterAssignment, Rating, RatingDraft, ReviewCampaign, ReviewKind
from feedback.services.campaigns.launch import campaign_launch
from tests.factories import make_member
from tests.factories.feedback_campaigns import campaign_world, in_days, rater, template_with
from tests.factories.org import OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def world(scope_a):
    return campaign_world()


@pytest.fixture
def bravo(tenant_b):
    with tenant_scope(tenant_b):
        other = campaign_world(name="Bravo's")
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
        return other


def test_hr_sets_up_launches_and_closes_a_campaign_through_the_pages(world, hr_a, login, bravo):
    client = login(hr_a)
    form = client.get(url("campaign-create"))
    assert form.status_code == 200
    bad = client.post(
        url("campaign-create"),
        {
            "name": "",
            "template": world.template.pk,
            "period": world.period.pk,
            "frequency": "once",
            "deadline": "",
            "comment_minimum": 2,
        },
    )
    assert bad.status_code == 400 and b"is-invalid" in bad.content
    deadline = in_days(5).strftime("%Y-%m-%dT%H:%M")
    created = client.post(
        url("campaign-create"),
        {
            "name": "Sales rate R&D, by page",
            "template": world.template.pk,
            "period": world.period.pk,
            "frequency": "once",
            "deadline": deadline,
            "comment_minimum": 5,
            "lock_version": "",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    campaign = ReviewCampaign.objects.get(name="Sales rate R&D, by page")
    detail = url("campaign-detail", pk=campaign.pk)
    assert (
        client.post(
            detail, {"action": "add_subject", "lock_version": 1, "org_unit": world.rnd.pk}
        ).status_code
        == 302
    )
    assert (
        client.post(
            detail,
            {
                "action": "add_rule",
                "lock_version": 2,
                "rater_role": "internal_customer",
                "rater_unit": world.sales_east.pk,
                "include_sub_units": "on",
            },
        ).status_code
        == 302
    )
    stale = client.post(detail, {"action": "launch", "lock_version": 1})
    assert stale.status_code == 409
    page = client.get(detail)
    assert "R&amp;D" in page.content.decode() and "Sales east" in page.content.decode()
    assert client.post(detail, {"action": "launch", "lock_version": 3}).status_code == 302
    campaign.refresh_from_db()
    assert (
        campaign.status == CampaignStatus.OPEN
        and RaterAssignment.objects.filter(campaign=campaign).count() == 3
    )
    assert client.post(detail, {"action": "close", "lock_version": campaign.lock_version}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    listed = client.get(url("campaign-list"))
    assert "Sales rate R&amp;D, by page" in listed.content.decode()
    assert client.get(url("campaign-detail", pk=bravo.campaign.pk)).status_code == 404


def test_launch_refusal_is_shown_on_the_page(scope_a, hr_a, login):
    template = template_with("Speed")
    campaign = ReviewCampaign.objects.create(
        name="Empty", template=template, kind=template.kind, period=PeriodFactory(), deadline=in_days(3)
    )
    response = login(hr_a).post(
        url("campaign-detail", pk=campaign.pk), {"action": "launch", "lock_version": 1}
    )
    assert response.status_code == 400 and b"campaign-errors" in response.content


def test_auditors_read_and_employees_may_not(world, tenant_a, login):
    auditor = make_member(tenant_a, "auditor", username="aud")
    client = login(auditor)
    assert client.get(url("campaign-detail", pk=world.campaign.pk)).status_code == 200
    assert client.post(url("campaign-detail", pk=world.campaign.pk), {"action": "launch"}).status_code in (
        403,
        405,
    )
    assert login(world.east[0].user).get(url("campaign-list")).status_code == 403


def test_campaign_list_queries_are_constant(world, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    for n in range(5):
        campaign_world(name=f"More {n}", period=world.period)
    with django_assert_max_num_queries(20):
        assert client.get(url("campaign-list")).status_code == 200


def test_a_rater_saves_a_draft_and_submits_once(world, login, bravo):
    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    me = world.east[0]
    mine = RaterAssignment.objects.get(rater=me)
    client = login(me.user)
    home = client.get(url("tenant-home"))
    assert (
        "Sales rate R&amp;D" in home.content.decode()
        and url("rating-form", pk=mine.pk) in home.content.decode()
    )
    listing = client.get(url("rating-list"))
    assert url("rating-form", pk=mine.pk) in listing.content.decode()
    form_url = url("rating-form", pk=mine.pk)
    page = client.get(form_url)
    assert page.status_code == 200 and "rating-anonymous" in page.content.decode()
    dims = world.dimensions
    assert dims[0].anchor_5 in page.content.decode()
    draft = client.post(
        form_url, {"action": "save", "lock_version": 0, f"score_{dims[0].pk}": 2, "comment": "Hm"}
    )
    assert draft.status_code == 302
    assert RatingDraft.objects.get(assignment=mine).scores == {str(dims[0].pk): 2}
    incomplete = client.post(form_url, {"action": "submit", "lock_version": 1, f"score_{dims[0].pk}": 2})
    assert incomplete.status_code == 400 and "Score this dimension." in incomplete.content.decode()
    body = {"action": "submit", "lock_version": 1, "comment": "Solid", **{f"score_{d.pk}": 4 for d in dims}}
    assert client.post(form_url, body).status_code == 302
    again = client.post(form_url, body, follow=True)
    assert "already" in again.content.decode()
    assert Rating.objects.filter(campaign=world.campaign).count() == 1
    done = client.get(form_url)
    assert "rating-submitted" in done.content.decode() and "Solid" not in done.content.decode()
    other = RaterAssignment.objects.get(rater=world.east[1])
    assert client.get(url("rating-form", pk=other.pk)).status_code == 404
    with tenant_scope(bravo.campaign.tenant):
        theirs = RaterAssignment.objects.first().pk
    assert client.get(url("rating-form", pk=theirs)).status_code == 404


def test_the_line_manager_is_told_the_rating_is_attributed(scope_a, hr_a, login):
    from feedback.services.campaigns.setup import campaign_create

    boss = rater(OrgUnitFactory())
    person = rater(OrgUnitFactory(), manager=boss)
    campaign = campaign_create(
        actor=hr_a,
        data={
            "name": "360",
            "template": template_with("Teamwork", kind=ReviewKind.REVIEW_360),
            "period": PeriodFactory(),
            "deadline": in_days(4),
            "role_weights": {"line_manager": 100},
        },
        subjects=[{"employee": person}],
        rules=[{"rater_role": "line_manager"}],
    )
    campaign_launch(actor=hr_a, campaign=campaign, lock_version=campaign.lock_version)
    assignment = RaterAssignment.objects.get(campaign=campaign)
    page = login(boss.user).get(url("rating-form", pk=assignment.pk))
    assert "rating-attributed" in page.content.decode()


def test_ratings_list_queries_are_constant(world, login, django_assert_max_num_queries):
    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    me = world.east[0]
    for n in range(4):
        other = campaign_world(name=f"Also {n}", period=world.period, east=0, west=0)
        other.campaign.rater_rules.all().delete()
        other.campaign.rater_rules.create(tenant_id=me.tenant_id, rater_employee=me, rater_unit=None)
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
    client = login(me.user)
    with django_assert_max_num_queries(20):
        response = client.get(url("rating-list"))
    assert response.content.decode().count("data-assignment=") == 5


def test_the_rating_form_shows_what_was_recorded_between_the_two_sides(world, hr_a, login):
    """Facts, not impressions: events between the rated unit and the rater's unit; none of the rated unit's
    other dealings."""
    from feedback.services.events import event_record
    from tests.factories.feedback_events import event_row

    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    ours, _ = event_record(
        actor=hr_a, data=event_row(world.sales_east, world.rnd, title="Need the pricing model reviewed")
    )
    event_record(actor=hr_a, data=event_row(world.sales_west, world.rnd, title="West asks for a demo"))
    me = world.east[0]
    mine = RaterAssignment.objects.get(rater=me)
    form = login(me.user).get(url("rating-form", pk=mine.pk)).content.decode()
    assert 'id="rating-events"' in form and "Need the pricing model reviewed" in form
    assert "West asks for a demo" not in form
    quiet = world.west[0]
    other = login(quiet.user).get(url("rating-form", pk=RaterAssignment.objects.get(rater=quiet).pk))
    assert "West asks for a demo" in other.content.decode()
    assert "Need the pricing model reviewed" not in other.content.decode()
