"""The review-campaigns and ratings APIs: HR writes drafts (nested subjects, rules), launches, closes;
auditors read; a rater sees only their own assignments and their own draft — never a rater id, never a
submitted rating's content; submit once (409 again); other tenants' ids are 404; list queries constant."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from feedback.models import RaterAssignment, Rating, ReviewCampaign
from feedback.services.campaigns.launch import campaign_launch
from tests.factories import make_member
from tests.factories.feedback_campaigns import campaign_world, in_days, rater

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/t/alpha/review-campaigns/"
RATINGS = "/api/v1/t/alpha/ratings/"


@pytest.fixture
def world(scope_a):
    return campaign_world()


@pytest.fixture
def bravo(tenant_b):
    with tenant_scope(tenant_b):
        other = campaign_world(name="Bravo's")
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
        return other


@pytest.fixture
def hr_api(hr_a, api_client_for):
    return api_client_for(hr_a)


def test_hr_creates_edits_launches_and_closes_a_campaign(world, hr_api, bravo):
    body = {
        "name": "R&D by sales", "template": world.template.pk, "period": world.period.pk,
        "deadline": in_days(9).isoformat(), "subjects": [{"org_unit": world.rnd.pk}],
        "rules": [{"rater_unit": world.sales_east.pk, "include_sub_units": False}],
    }  # fmt: skip
    created = hr_api.post(CAMPAIGNS, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["kind"] == "internal_customer" and data["status"] == "draft"
    assert data["subjects"] == [{"org_unit": world.rnd.pk, "employee": None, "name": "R&D"}]
    assert data["rules"][0]["rater_unit"] == world.sales_east.pk and data["rules"][0]["subject_unit"] is None
    url = f"{CAMPAIGNS}{data['id']}/"
    bad = hr_api.patch(url, {"lock_version": data["lock_version"], "rules": [{"rater_role": "peer"}]},
                       format="json")  # fmt: skip
    assert bad.status_code == 400 and "rules-0-rater_role" in bad.json()
    refused = hr_api.patch(url, {"lock_version": data["lock_version"], "status": "open"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()
    stale = hr_api.post(f"{url}launch/", {"lock_version": data["lock_version"] + 3}, format="json")
    assert stale.status_code == 409
    launched = hr_api.post(f"{url}launch/", {"lock_version": data["lock_version"]}, format="json")
    assert launched.status_code == 200, launched.json()
    assert launched.json()["status"] == "open" and launched.json()["assignment_count"] == 3
    frozen = hr_api.patch(url, {"lock_version": launched.json()["lock_version"], "name": "x"}, format="json")
    assert frozen.status_code == 400 and "status" in frozen.json()
    closed = hr_api.post(f"{url}close/", {"lock_version": launched.json()["lock_version"]}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["next_round"] is None and closed.json()["next_period_missing"] is False


def test_field_errors_and_foreign_ids(world, hr_api, bravo):
    body = {
        "name": "Named",
        "template": bravo.template.pk,
        "period": world.period.pk,
        "deadline": in_days(1).isoformat(),
    }
    assert hr_api.post(CAMPAIGNS, body, format="json").status_code == 404  # another tenant's template
    body["template"] = world.template.pk
    answer = hr_api.post(CAMPAIGNS, {**body, "subjects": [{"org_unit": bravo.rnd.pk}]}, format="json")
    assert answer.status_code == 404, answer.json()
    assert answer.status_code == 404 and "subjects-0-org_unit" in str(answer.json())
    answer = hr_api.post(CAMPAIGNS, {**body, "name": ""}, format="json")
    assert answer.status_code == 400 and "name" in answer.json()
    assert hr_api.get(f"{CAMPAIGNS}{bravo.campaign.pk}/").status_code == 404


def test_auditors_read_employees_do_not(world, tenant_a, api_client_for):
    auditor = api_client_for(make_member(tenant_a, "auditor", username="aud"))
    assert auditor.get(CAMPAIGNS).status_code == 200
    assert auditor.post(CAMPAIGNS, {}, format="json").status_code == 403
    employee = api_client_for(world.east[0].user)
    assert employee.get(CAMPAIGNS).status_code == 403


def test_campaign_list_queries_are_constant(world, hr_api, django_assert_max_num_queries):
    for n in range(4):
        campaign_world(name=f"More {n}", period=world.period)
    with django_assert_max_num_queries(12):
        answer = hr_api.get(CAMPAIGNS)
    assert answer.status_code == 200 and len(answer.json()["results"]) == 5


def test_a_rater_sees_only_their_own_assignments_saves_a_draft_and_submits_once(world, api_client_for, bravo):
    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    mine = RaterAssignment.objects.get(rater=world.east[0])
    other = RaterAssignment.objects.get(rater=world.east[1])
    api = api_client_for(world.east[0].user)
    listed = api.get(RATINGS).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    row = listed[0]
    assert row["subject"]["name"] == "R&D" and row["draft"] is None and row["lock_version"] == 0
    assert [len(d["anchors"]) for d in row["dimensions"]] == [5, 5, 5] and row["attributed"] is False
    assert "rater" not in row
    assert api.get(f"{RATINGS}{other.pk}/").status_code == 404
    theirs = RaterAssignment.objects.none()
    with tenant_scope(bravo.campaign.tenant):
        theirs = RaterAssignment.objects.first()
    assert api.get(f"{RATINGS}{theirs.pk}/").status_code == 404

    url = f"{RATINGS}{mine.pk}/"
    dims = [str(d["id"]) for d in row["dimensions"]]
    assert api.patch(url, {"scores": {dims[0]: 3}}, format="json").status_code == 400  # no lock_version
    saved = api.patch(url, {"lock_version": 0, "scores": {dims[0]: 3}, "comment": "Draft"}, format="json")
    assert saved.status_code == 200, saved.json()
    assert (
        saved.json()["draft"] == {"scores": {dims[0]: 3}, "comment": "Draft"}
        and saved.json()["lock_version"] == 1
    )
    assert api.patch(url, {"lock_version": 0, "comment": "again"}, format="json").status_code == 409
    wrong = api.patch(url, {"lock_version": 1, "scores": {dims[0]: 9}}, format="json")
    assert wrong.status_code == 400
    incomplete = api.post(f"{url}submit/", {}, format="json")
    assert incomplete.status_code == 400 and f"scores-{dims[1]}" in incomplete.json()
    body = {"scores": {d: 5 for d in dims}, "comment": "Fast and sound"}
    submitted = api.post(f"{url}submit/", body, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["draft"] is None
    assert "Fast and sound" not in str(submitted.content) and "5" not in str(submitted.json()["draft"])
    again = api.post(f"{url}submit/", body, format="json")
    assert again.status_code == 409
    assert Rating.objects.filter(campaign=world.campaign).count() == 1
    assert "Fast and sound" not in api.get(url).content.decode()
    assert api.get(f"{RATINGS}?status=submitted").json()["results"][0]["id"] == mine.pk
    assert api.get(f"{RATINGS}?status=bogus").status_code == 400


def test_no_rater_id_in_any_ratings_response(world, api_client_for):
    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    me = world.east[0]
    api = api_client_for(me.user)
    text = api.get(RATINGS).content.decode()
    for key in ('"rater"', '"rater_key"', '"rater_id"', '"attributed_rater"', '"user"'):
        assert key not in text


def test_ratings_list_queries_are_constant(world, api_client_for, django_assert_max_num_queries):
    me = world.east[0]
    for n in range(4):
        other = campaign_world(name=f"Also {n}", period=world.period, east=0, west=0)
        other.campaign.rater_rules.all().delete()
        other.campaign.rater_rules.create(tenant_id=me.tenant_id, rater_employee=me, rater_unit=None)
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    api = api_client_for(me.user)
    with django_assert_max_num_queries(12):
        answer = api.get(RATINGS)
    assert len(answer.json()["results"]) == 5


def test_a_member_without_an_employee_record_has_nothing_to_rate(world, tenant_a, api_client_for):
    api = api_client_for(make_member(tenant_a, "employee", username="lonely"))
    assert api.get(RATINGS).json()["results"] == []
    rater(world.rnd)  # someone else entirely
    assert ReviewCampaign.objects.count() == 1
