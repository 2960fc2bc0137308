"""Review campaigns' services: set-up validation, launch (rules → assignments, frozen attributes, no
self-rating, dedupe, 360 derived roles, mutual generation), draft and the one submit, close (by hand, at the
deadline, idempotent, recompute queued, next round). Tenant B is in the room and keeps its rows."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Job, Period
from collab.tenancy import tenant_scope
from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    RaterAssignment,
    RaterRole,
    Rating,
    RatingDraft,
    RatingScore,
    ReviewCampaign,
    ReviewKind,
)
from feedback.services.campaigns.close import campaign_close, campaigns_close_due
from feedback.services.campaigns.launch import campaign_launch
from feedback.services.campaigns.mutual import campaign_generate_mutual
from feedback.services.campaigns.rating import (
    AlreadySubmitted,
    rater_key,
    rating_draft_save,
    rating_submit,
)
from feedback.services.campaigns.setup import campaign_create, campaign_delete, campaign_update
from tests.factories.feedback_campaigns import (
    CampaignSubjectFactory,
    RaterRuleFactory,
    ReviewCampaignFactory,
    campaign_world,
    full_scores,
    in_days,
    rater,
    template_with,
)
from tests.factories.interlock import MatrixFactory, MatrixRowFactory, ScorecardFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(scope_a):
    return campaign_world()


@pytest.fixture
def bravo(tenant_b):
    with tenant_scope(tenant_b):
        other = campaign_world(name="Bravo's")
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
    return other


def launched(world, actor=None):
    world.campaign.refresh_from_db()
    campaign_launch(actor=actor, campaign=world.campaign, lock_version=world.campaign.lock_version)
    world.campaign.refresh_from_db()
    return world.campaign


# ------------------------------------------------------------------------------------------- set-up
def test_create_takes_the_templates_kind_and_gives_field_errors(world, hr_a):
    data = {"name": "Q1 review", "template": world.template, "period": world.period, "deadline": in_days(10)}
    campaign = campaign_create(
        actor=hr_a, data=data, subjects=[{"org_unit": world.rnd}],
        rules=[{"rater_unit": world.sales_east, "include_sub_units": False}],
    )  # fmt: skip
    assert campaign.kind == ReviewKind.INTERNAL_CUSTOMER and campaign.comment_minimum == 5
    assert campaign.status == CampaignStatus.DRAFT and campaign.rater_rules.count() == 1
    with pytest.raises(ValidationError) as invalid:
        campaign_create(
            actor=hr_a,
            data={**data, "deadline": in_days(-1), "comment_minimum": 2, "role_weights": {"peer": 100}},
            subjects=[{"org_unit": world.rnd}, {"org_unit": world.rnd}, {"employee": world.east[0]}],
        )
    errors = invalid.value.message_dict
    assert {"deadline", "comment_minimum", "subjects-1-org_unit", "subjects-2-employee"} <= set(errors)
    with pytest.raises(ValidationError) as invalid:
        campaign_create(actor=hr_a, data=data, subjects=[{"org_unit": world.rnd}],
                        rules=[{"rater_role": RaterRole.PEER}, {"rater_unit": None}])  # fmt: skip
    assert {"rules-0-rater_role", "rules-1-rater_unit"} <= set(invalid.value.message_dict)
    with pytest.raises(ValidationError) as invalid:  # same name in the period
        campaign_create(actor=hr_a, data=data)
    assert "name" in invalid.value.message_dict
    assert ReviewCampaign.objects.filter(name="Q1 review").count() == 1


def test_an_inactive_template_or_another_tenants_unit_is_refused(world, hr_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory()
    world.template.is_active = False
    world.template.save()
    data = {"name": "X", "template": world.template, "period": world.period, "deadline": in_days(3)}
    with pytest.raises(ValidationError) as invalid:
        campaign_create(actor=hr_a, data=data, subjects=[{"org_unit": foreign.pk}])
    assert {"template", "subjects-0-org_unit"} <= set(invalid.value.message_dict)


def test_360_weights_add_up_to_100(scope_a, hr_a):
    template = template_with("Teamwork", kind=ReviewKind.REVIEW_360)
    period = PeriodFactory()
    person = EmployeeFactory()
    data = {"name": "360", "template": template, "period": period, "deadline": in_days(5),
            "role_weights": {"line_manager": 50, "peer": 30}}  # fmt: skip
    with pytest.raises(ValidationError) as invalid:
        campaign_create(actor=hr_a, data=data, subjects=[{"employee": person}])
    assert "role_weights" in invalid.value.message_dict
    campaign = campaign_create(
        actor=hr_a, data={**data, "role_weights": {"line_manager": 50, "peer": 30, "internal_customer": 20}},
        subjects=[{"employee": person}], rules=[{"rater_role": "line_manager"}, {"rater_role": "peer"}],
    )  # fmt: skip
    assert campaign.role_weights == {"internal_customer": 20, "line_manager": 50, "peer": 30}


def test_update_is_draft_only_versioned_and_a_no_op_writes_nothing(world, hr_a):
    campaign = world.campaign
    version = campaign.lock_version
    same = campaign_update(actor=hr_a, campaign=campaign, lock_version=version, data={"name": campaign.name})
    assert same.lock_version == version
    saved = campaign_update(actor=hr_a, campaign=campaign, lock_version=version, data={"name": "Renamed"})
    assert saved.lock_version == version + 1
    with pytest.raises(StaleEditError):
        campaign_update(actor=hr_a, campaign=campaign, lock_version=version, data={"name": "Again"})
    launched(world)
    with pytest.raises(ValidationError) as invalid:
        campaign_update(actor=hr_a, campaign=world.campaign, lock_version=world.campaign.lock_version,
                        data={"name": "Too late"}, subjects=[])  # fmt: skip
    assert "status" in invalid.value.message_dict
    with pytest.raises(ValidationError):
        campaign_delete(actor=hr_a, campaign=world.campaign, lock_version=world.campaign.lock_version)


# ------------------------------------------------------------------------------------------- launch
def test_launch_materialises_rules_and_freezes_the_raters_attributes(world, hr_a, bravo):
    campaign = launched(world, hr_a)
    assignments = list(RaterAssignment.objects.filter(campaign=campaign).order_by("rater_id"))
    assert {a.rater_id for a in assignments} == {e.pk for e in world.east + world.west}
    east = next(a for a in assignments if a.rater_id == world.east[0].pk)
    assert east.rater_unit_id == world.sales_east.pk
    assert east.rater_business_line_id == world.sales_line.pk  # the nearest business group
    assert east.rater_level == "L2" and east.status == AssignmentStatus.PENDING
    assert campaign.status == CampaignStatus.OPEN and campaign.launched_at is not None
    event = AuditEvent.objects.get(action="review_campaign.launch")
    assert event.after["assignments"] == 6
    # A move after launch changes nothing on the assignment (nor, after submit, on the rating).
    mover = world.east[0]
    mover.org_unit = world.rnd
    mover.save()
    rating_submit(actor=mover.user, assignment=east, scores=full_scores(east))
    east.refresh_from_db()
    assert east.rater_unit_id == world.sales_east.pk
    rating = Rating.objects.get(campaign=campaign)
    assert (rating.rater_unit_id, rating.rater_business_line_id, rating.rater_level) == (
        world.sales_east.pk, world.sales_line.pk, "L2",
    )  # fmt: skip


def test_launch_refuses_without_subjects_raters_or_past_the_deadline(scope_a, hr_a):
    empty = ReviewCampaignFactory(template=template_with("Speed"))
    with pytest.raises(ValidationError) as invalid:
        campaign_launch(actor=hr_a, campaign=empty, lock_version=empty.lock_version)
    assert {"subjects", "rules"} <= set(invalid.value.message_dict)
    unit = OrgUnitFactory()
    nobody = ReviewCampaignFactory(template=template_with("Speed"))
    CampaignSubjectFactory(campaign=nobody, org_unit=unit)
    RaterRuleFactory(campaign=nobody, rater_unit=OrgUnitFactory())  # a unit with no one in it
    with pytest.raises(ValidationError) as invalid:
        campaign_launch(actor=hr_a, campaign=nobody, lock_version=nobody.lock_version)
    assert "rules" in invalid.value.message_dict
    ReviewCampaign.objects.filter(pk=nobody.pk).update(deadline=in_days(-1))
    nobody.refresh_from_db()
    with pytest.raises(ValidationError) as invalid:
        campaign_launch(actor=hr_a, campaign=nobody, lock_version=nobody.lock_version)
    assert "deadline" in invalid.value.message_dict
    assert not RaterAssignment.objects.exists()


def test_nobody_rates_their_own_unit_and_duplicates_collapse(world, hr_a):
    # R&D's own people are in the group; a rule over the whole group must leave them out.
    RaterRuleFactory(campaign=world.campaign, rater_unit=world.group, include_sub_units=True)
    RaterRuleFactory(campaign=world.campaign, rater_unit=world.sales_east, include_sub_units=False)
    RaterRuleFactory(campaign=world.campaign, rater_unit=None, rater_employee=world.east[0])
    campaign = launched(world, hr_a)
    raters = list(RaterAssignment.objects.filter(campaign=campaign).values_list("rater_id", flat=True))
    assert sorted(raters) == sorted(e.pk for e in world.east + world.west)  # once each
    assert world.rnd_people[0].pk not in raters


def test_360_derives_line_manager_and_peers_and_nobody_rates_themselves(scope_a, hr_a):
    unit = OrgUnitFactory()
    boss = rater(OrgUnitFactory())
    person = rater(unit, manager=boss)
    peers = [rater(unit) for _ in range(3)]
    lead = rater(OrgUnitFactory())
    template = template_with("Teamwork", kind=ReviewKind.REVIEW_360)
    campaign = campaign_create(
        actor=hr_a,
        data={"name": "360 of one", "template": template, "period": PeriodFactory(), "deadline": in_days(7),
              "role_weights": {"line_manager": 40, "peer": 30, "project_lead": 30}},
        subjects=[{"employee": person}],
        rules=[{"rater_role": "line_manager"}, {"rater_role": "peer"},
               {"rater_role": "project_lead", "rater_employee": lead}, {"rater_role": "project_lead",
                                                                         "rater_employee": person}],
    )  # fmt: skip
    campaign_launch(actor=hr_a, campaign=campaign, lock_version=campaign.lock_version)
    roles = dict(RaterAssignment.objects.filter(campaign=campaign).values_list("rater_id", "rater_role"))
    assert roles == {
        boss.pk: RaterRole.LINE_MANAGER, lead.pk: RaterRole.PROJECT_LEAD,
        **{p.pk: RaterRole.PEER for p in peers},
    }  # fmt: skip
    # Only the line manager's rating is attributed.
    for assignment in RaterAssignment.objects.filter(campaign=campaign).select_related("rater__user"):
        rating_submit(actor=assignment.rater.user, assignment=assignment, scores=full_scores(assignment))
    attributed = list(Rating.objects.filter(campaign=campaign).values_list("attributed_rater_id", flat=True))
    assert sorted(attributed, key=lambda x: x or 0) == [None] * 4 + [boss.pk]


def test_mutual_review_is_generated_from_shared_matrices_and_no_unit_rates_itself(scope_a, hr_a):
    period = PeriodFactory(kind=Period.Kind.YEAR, year=2031)
    a, b, c, d = (OrgUnitFactory(name=n) for n in "ABCD")
    for unit in (a, b, c, d):
        rater(unit)
    m1 = MatrixFactory(effective_from=period)
    MatrixRowFactory(matrix=m1, org_unit=a)
    MatrixRowFactory(matrix=m1, org_unit=b, role="collaborating", share=50)
    m2 = MatrixFactory(effective_from=period)
    MatrixRowFactory(matrix=m2, org_unit=b)
    MatrixRowFactory(matrix=m2, org_unit=c, role="collaborating", share=50)
    template = template_with("Cooperation", kind=ReviewKind.MUTUAL)
    campaign = ReviewCampaignFactory(template=template, period=period)
    rules = campaign_generate_mutual(actor=hr_a, campaign=campaign, lock_version=campaign.lock_version)
    assert rules == 4  # a↔b, b↔c
    campaign.refresh_from_db()
    campaign_launch(actor=hr_a, campaign=campaign, lock_version=campaign.lock_version)
    pairs = set(
        RaterAssignment.objects.filter(campaign=campaign).values_list("subject__org_unit_id", "rater_unit_id")
    )
    assert pairs == {(a.pk, b.pk), (b.pk, a.pk), (b.pk, c.pk), (c.pk, b.pk)}
    assert d.pk not in {unit for pair in pairs for unit in pair}


# ------------------------------------------------------------------------------------ draft, submit
def test_a_draft_is_versioned_and_partial_and_the_submit_writes_no_rater(world, bravo):
    campaign = launched(world)
    assignment = RaterAssignment.objects.get(campaign=campaign, rater=world.east[0])
    user = world.east[0].user
    first_dimension = str(world.dimensions[0].pk)
    draft = rating_draft_save(actor=user, assignment=assignment, lock_version=0,
                              scores={first_dimension: 3}, comment="So far")  # fmt: skip
    assert draft.lock_version == 1 and draft.scores == {first_dimension: 3}
    with pytest.raises(StaleEditError):
        rating_draft_save(actor=user, assignment=assignment, lock_version=0, scores={})
    with pytest.raises(ValidationError) as invalid:
        rating_draft_save(actor=user, assignment=assignment, lock_version=1, scores={first_dimension: 6})
    assert f"scores-{first_dimension}" in invalid.value.message_dict
    with pytest.raises(ValidationError) as invalid:  # every dimension must be scored to submit
        rating_submit(actor=user, assignment=assignment)
    assert len(invalid.value.message_dict) == 2
    scores = full_scores(assignment)
    rating_submit(actor=user, assignment=assignment, scores=scores, comment="Quick and careful")
    rating = Rating.objects.get(campaign=campaign)
    assert (
        rating.rater_key == rater_key(world.east[0].tenant_id, world.east[0].pk)
        and len(rating.rater_key) == 64
    )
    assert rating.attributed_rater_id is None and rating.comment == "Quick and careful"
    assert RatingScore.objects.filter(rating=rating).count() == 3
    assert not RatingDraft.objects.filter(assignment=assignment).exists()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    event = AuditEvent.objects.get(action="rating.submit")
    assert event.object_id == str(campaign.pk) and event.before is None and event.after is None
    assert "Quick" not in str(event.__dict__)
    with pytest.raises(AlreadySubmitted):  # a double click or a retry
        rating_submit(actor=user, assignment=assignment, scores=scores)
    with pytest.raises(AlreadySubmitted):
        rating_draft_save(actor=user, assignment=assignment, lock_version=0, scores={})
    assert Rating.objects.filter(campaign=campaign).count() == 1


def test_only_the_rater_reaches_an_assignment(world, tenant_a):
    from django.http import Http404

    from collab.models import Membership
    from feedback.access import access_own_assignment_by_id

    campaign = launched(world)
    assignment = RaterAssignment.objects.get(campaign=campaign, rater=world.east[0])
    mine = Membership.objects.get(user=world.east[0].user)
    theirs = Membership.objects.get(user=world.east[1].user)
    assert access_own_assignment_by_id(mine, assignment.pk, write=True) == assignment
    with pytest.raises(Http404):
        access_own_assignment_by_id(theirs, assignment.pk, write=True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_give_one_rating(tenant_a):
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks need PostgreSQL; SQLite serialises writers (the unique constraint holds there)"
        )
    with tenant_scope(tenant_a):
        world = campaign_world(east=1, west=0)
        campaign = launched(world)
        assignment = RaterAssignment.objects.get(campaign=campaign)
        scores = full_scores(assignment)
    user = world.east[0].user
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit():
        try:
            with tenant_scope(tenant_a):
                barrier.wait()
                rating_submit(actor=user, assignment=assignment, scores=scores)
            outcomes.append("ok")
        except AlreadySubmitted:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    with tenant_scope(tenant_a):
        assert Rating.objects.filter(campaign=campaign).count() == 1


def test_the_unique_constraint_is_the_last_guard(world):
    """Even with the assignment's status reset by hand, the same rater cannot give a second rating."""
    campaign = launched(world)
    assignment = RaterAssignment.objects.get(campaign=campaign, rater=world.east[0])
    rating_submit(actor=world.east[0].user, assignment=assignment, scores=full_scores(assignment))
    RaterAssignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.PENDING)
    with pytest.raises(AlreadySubmitted):
        rating_submit(actor=world.east[0].user, assignment=assignment, scores=full_scores(assignment))
    assert Rating.objects.count() == 1


# -------------------------------------------------------------------------------------------- close
def test_close_by_hand_releases_deletes_drafts_and_queues_the_recompute(world, hr_a):
    ScorecardFactory(org_unit=world.rnd, period=world.period)
    campaign = launched(world)
    first, second = RaterAssignment.objects.filter(campaign=campaign).order_by("id")[:2]
    rating_submit(actor=first.rater.user, assignment=first, scores=full_scores(first))
    rating_draft_save(actor=second.rater.user, assignment=second, lock_version=0, scores={}, comment="x")
    result = campaign_close(actor=hr_a, campaign=campaign, lock_version=campaign.lock_version)
    assert result.closed and result.next_round is None
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    assert not RatingDraft.objects.exists()
    assert RaterAssignment.objects.filter(campaign=campaign, status=AssignmentStatus.PENDING).count() == 5
    job = Job.objects.get(kind=Job.Kind.SCORE_RECOMPUTE)
    assert "ratings" in job.params["reasons"] and job.params["scorecards"]
    again = campaign_close(actor=hr_a, campaign=campaign, lock_version=1)  # idempotent, whatever version
    assert not again.closed
    assert AuditEvent.objects.filter(action="review_campaign.close").count() == 1
    with pytest.raises(ValidationError):
        rating_submit(actor=second.rater.user, assignment=second, scores=full_scores(second))


def test_at_the_deadline_the_daily_run_closes_once(world, bravo, tenant_b):
    campaign = launched(world)
    assert campaigns_close_due() == []
    ReviewCampaign.objects.filter(pk=campaign.pk).update(deadline=in_days(-0.01))
    assert campaigns_close_due() == [campaign.pk]
    assert campaigns_close_due() == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    with tenant_scope(tenant_b):
        assert ReviewCampaign.objects.get().status == CampaignStatus.OPEN


def test_a_draft_cannot_be_closed(world, hr_a):
    with pytest.raises(ValidationError):
        campaign_close(actor=hr_a, campaign=world.campaign)


def test_a_repeating_campaign_opens_its_next_round_in_the_next_period(world, hr_a):
    world.campaign.frequency = "quarterly"
    world.campaign.save()
    campaign = launched(world)
    result = campaign_close(actor=hr_a, campaign=campaign)
    assert result.next_round is None and result.next_missing  # no Q2 yet: said, not created
    assert not Period.objects.filter(kind="quarter", quarter=2).exists()

    second = campaign_world(name="Second", period=world.period)
    q2 = PeriodFactory(kind=Period.Kind.QUARTER, year=world.period.year, quarter=2)
    PeriodFactory(kind=Period.Kind.QUARTER, year=world.period.year, quarter=3)
    second.campaign.frequency = "quarterly"
    second.campaign.save()
    opened = launched(second)
    result = campaign_close(actor=hr_a, campaign=opened)
    nxt = result.next_round
    assert nxt is not None and nxt.period_id == q2.pk and nxt.previous_id == opened.pk
    assert result.next_launched and nxt.status == CampaignStatus.OPEN
    assert nxt.subjects.count() == 1 and nxt.rater_rules.count() == 1
    assert RaterAssignment.objects.filter(campaign=nxt).count() == 6
    assert nxt.deadline > opened.deadline


@pytest.mark.parametrize(("submitted", "shown"), [(5, True), (4, False)])
def test_closing_releases_the_results_once_k_decides(world, hr_a, submitted, shown):
    """The close decides, once, what readers may see: the whole campaign with k (5) raters, nothing below."""
    from feedback.models import ResultRelease

    campaign = launched(world)
    for assignment in RaterAssignment.objects.filter(campaign=campaign).order_by("id")[:submitted]:
        rating_submit(actor=assignment.rater.user, assignment=assignment, scores=full_scores(assignment))
    campaign_close(actor=hr_a, campaign=campaign, lock_version=campaign.lock_version)
    whole = ResultRelease.objects.get(campaign=campaign, slice="")
    assert whole.shown is shown and whole.reason == ("shown" if shown else "too_few")
    if shown:
        assert len(whole.raters) == submitted
