"""Point services: who may propose and approve, the cap, once-only decisions, the second level, the
immutable ledger and its corrections, and the recompute an approval queues. Tenant B is in the room."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.concurrency import StaleEditError
from collab.models import Job, Period
from collab.tenancy import tenant_scope
from feedback.models import (
    PointEvidence,
    PointLedgerEntry,
    PointProposal,
    ProposalStatus,
)
from feedback.models.points import LedgerImmutable
from feedback.services.points.catalog import (
    point_item_create,
    point_item_delete,
    point_settings_current,
    point_settings_update,
)
from feedback.services.points.ledger import point_ledger_correct
from feedback.services.points.proposals import (
    point_proposal_approve,
    point_proposal_create,
    point_proposal_reject,
)
from tests.factories.feedback_points import (
    PointItemFactory,
    PointProjectLeadFactory,
    build_line,
    proposal_data,
)
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        build_line(tenant_b, prefix="b-")
    with tenant_scope(tenant_a):
        yield build_line(tenant_a)


def propose(line, **overrides):
    return point_proposal_create(
        actor=line.users["manager"], proposer=line.manager, data=proposal_data(line, **overrides)
    )


def approve(line, proposal, who="director", version=None):
    person = getattr(line, who)
    return point_proposal_approve(
        actor=line.users[who], approver=person, proposal=proposal,
        lock_version=proposal.lock_version if version is None else version,
    )  # fmt: skip


def test_a_line_manager_proposes_and_the_level_above_approves_into_the_ledger(line):
    proposal = propose(line)
    assert proposal.status == ProposalStatus.PENDING and proposal.points == Decimal("2")
    approved = approve(line, proposal)
    assert approved.status == ProposalStatus.APPROVED and approved.decided_by == line.director
    entry = PointLedgerEntry.objects.get(proposal=proposal)
    assert (entry.employee, entry.org_unit, entry.position, entry.points, entry.year) == (
        line.staff,
        line.team,
        line.staff.position,
        Decimal("2"),
        line.period.year,
    )
    assert entry.item_name == line.item.name


def test_the_proposer_cannot_approve_even_holding_every_role(line, tenant_a):
    from collab.models import Membership

    Membership.objects.filter(user=line.users["manager"]).update(roles=["hr_admin", "manager", "employee"])
    proposal = propose(line)
    with pytest.raises(ValidationError) as refused:
        approve(line, proposal, who="manager")
    assert "approver" in refused.value.message_dict
    assert not PointLedgerEntry.objects.exists()


def test_only_someone_above_the_proposer_decides(line):
    proposal = propose(line)
    for who in ("staff", "peer"):
        with pytest.raises(ValidationError) as refused:
            approve(line, proposal, who=who)
        assert "approver" in refused.value.message_dict
    outsider = EmployeeFactory(name="Outsider")
    with pytest.raises(ValidationError):
        point_proposal_approve(actor=None, approver=outsider, proposal=proposal, lock_version=1)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and proposal.lock_version == 1


def test_who_may_propose(line):
    with pytest.raises(ValidationError) as refused:
        point_proposal_create(
            actor=None, proposer=line.staff, data=proposal_data(line, subject_employee=line.peer)
        )
    assert "proposer_role" in refused.value.message_dict  # a colleague, not their manager
    with pytest.raises(ValidationError) as refused:
        propose(line, subject_employee=line.manager)
    assert "subject_employee" in refused.value.message_dict  # not for themselves
    with pytest.raises(ValidationError) as refused:
        point_proposal_create(
            actor=None, proposer=line.director, data=proposal_data(line, subject_employee=line.manager)
        )
    assert "proposer" in refused.value.message_dict  # nobody above the director approves
    # A project lead HR named proposes for anyone, as project lead.
    PointProjectLeadFactory(employee=line.peer, project="Launch")
    other = EmployeeFactory(name="Elsewhere", org_unit=OrgUnitFactory(), manager=line.director)
    made = point_proposal_create(
        actor=None,
        proposer=line.peer,
        data=proposal_data(line, subject_employee=other, proposer_role="project_lead"),
    )
    assert made.proposer_role == "project_lead"
    with pytest.raises(ValidationError) as refused:
        point_proposal_create(
            actor=None,
            proposer=line.staff,
            data=proposal_data(line, subject_employee=other, proposer_role="project_lead"),
        )
    assert "proposer_role" in refused.value.message_dict


def test_a_unit_subject_counts_toward_the_unit(line):
    proposal = propose(line, subject_employee=None, subject_unit=line.team)
    approve(line, proposal)
    entry = PointLedgerEntry.objects.get()
    assert (entry.employee, entry.org_unit, entry.position) == (None, line.team, None)
    with pytest.raises(ValidationError) as refused:
        propose(line, subject_employee=None, subject_unit=line.dept)  # above the manager's unit
    assert "proposer_role" in refused.value.message_dict


def test_bad_input_is_field_errors_and_writes_nothing(line):
    closed = PeriodFactory(kind=Period.Kind.YEAR, status=Period.Status.CLOSED)
    inactive = PointItemFactory(name="Old", is_active=False)
    cases = {
        "reason": {"reason": "   "},
        "period": {"period": closed},
        "item": {"item": inactive},
        "evidence_link": {"evidence_link": "javascript:alert(1)"},
        "proposer_role": {"proposer_role": "ceo"},
    }
    for field, overrides in cases.items():
        with pytest.raises(ValidationError) as refused:
            propose(line, **overrides)
        assert field in refused.value.message_dict, (field, refused.value.message_dict)
    narrow = PointItemFactory(name="Sales only", job_families=["sales"])
    with pytest.raises(ValidationError) as refused:
        propose(line, item=narrow)
    assert "item" in refused.value.message_dict
    assert not PointProposal.objects.exists()


def test_a_proposer_over_their_cap_is_refused(line):
    point_settings_update(
        actor=None, lock_version=point_settings_current().lock_version, data={"manager_cap": "5"}
    )
    big = PointItemFactory(name="Blocking", points=Decimal("-3"))
    propose(line)  # 2
    propose(line, item=big)  # 2 + |−3| = 5
    with pytest.raises(ValidationError) as refused:
        propose(line, subject_employee=line.peer)  # 7 > 5
    assert "item" in refused.value.message_dict
    assert PointProposal.objects.count() == 2
    # A rejected proposal frees its share of the cap.
    first = PointProposal.objects.filter(item=line.item).get()
    point_proposal_reject(
        actor=None,
        approver=line.director,
        proposal=first,
        lock_version=first.lock_version,
        reason="No evidence",
    )
    assert propose(line, subject_employee=line.peer).status == ProposalStatus.PENDING


def test_a_double_click_or_retry_applies_once(line):
    proposal = propose(line)
    first = approve(line, proposal, version=1)
    again = approve(line, proposal, version=1)  # the retried request carries the version it saw
    assert again.status == first.status == ProposalStatus.APPROVED
    assert again.lock_version == first.lock_version
    assert PointLedgerEntry.objects.count() == 1
    rejected = propose(line, subject_employee=line.peer)
    point_proposal_reject(actor=None, approver=line.director, proposal=rejected, lock_version=1, reason="No")
    point_proposal_reject(actor=None, approver=line.director, proposal=rejected, lock_version=1, reason="No")
    rejected.refresh_from_db()
    assert rejected.lock_version == 2 and rejected.status == ProposalStatus.REJECTED


def test_a_stale_or_decided_proposal_is_refused(line):
    proposal = propose(line)
    with pytest.raises(StaleEditError):
        approve(line, proposal, version=7)
    point_proposal_reject(actor=None, approver=line.director, proposal=proposal, lock_version=1, reason="No")
    with pytest.raises(StaleEditError):
        approve(line, proposal, version=1)  # not the same decision: the old version is stale
    with pytest.raises(ValidationError) as refused:
        approve(line, proposal, version=2)
    assert "status" in refused.value.message_dict
    assert not PointLedgerEntry.objects.exists()


def test_reject_needs_a_reason(line):
    proposal = propose(line)
    with pytest.raises(ValidationError) as refused:
        point_proposal_reject(
            actor=None, approver=line.director, proposal=proposal, lock_version=1, reason=" "
        )
    assert "reason" in refused.value.message_dict


def test_second_level(line):
    top = EmployeeFactory(name="Chief", org_unit=line.dept)
    line.director.manager = top
    line.director.save()
    point_settings_update(
        actor=None, lock_version=point_settings_current().lock_version, data={"second_approval": True}
    )
    proposal = propose(line)
    first = approve(line, proposal)
    assert first.status == ProposalStatus.AWAITING_SECOND and first.first_approver == line.director
    assert not PointLedgerEntry.objects.exists()
    assert approve(line, proposal, version=1).status == ProposalStatus.AWAITING_SECOND  # a retry: same state
    # The first approver cannot finish it: their approval again is the same state.
    assert approve(line, first, version=first.lock_version).status == ProposalStatus.AWAITING_SECOND
    assert not PointLedgerEntry.objects.exists()
    with pytest.raises(ValidationError):  # nor can the proposer
        approve(line, first, who="manager", version=first.lock_version)
    done = point_proposal_approve(actor=None, approver=top, proposal=first, lock_version=first.lock_version)
    assert done.status == ProposalStatus.APPROVED and done.decided_by == top
    assert PointLedgerEntry.objects.count() == 1
    # With nobody above the first approver, their approval is final.
    solo = propose(line, subject_employee=line.peer)
    assert (
        point_proposal_approve(actor=None, approver=top, proposal=solo, lock_version=1).status
        == ProposalStatus.APPROVED
    )


def test_the_ledger_is_immutable_and_corrected_by_new_entries(line, hr_a):
    approve(line, propose(line))
    entry = PointLedgerEntry.objects.get()
    entry.points = Decimal("9")
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        PointLedgerEntry.objects.filter(pk=entry.pk).update(points=5)
    with pytest.raises(LedgerImmutable):
        PointLedgerEntry.objects.all().delete()
    correction = point_ledger_correct(actor=hr_a, entry=entry, points="-2", reason="Counted twice")
    assert correction.corrects_id == entry.pk and correction.points == Decimal("-2")
    assert (correction.employee_id, correction.org_unit_id, correction.period_id) == (
        line.staff.pk,
        line.team.pk,
        line.period.pk,
    )
    with pytest.raises(ValidationError) as refused:
        point_ledger_correct(actor=hr_a, entry=entry, points="0", reason="")
    assert {"points", "reason"} <= set(refused.value.message_dict)
    assert PointLedgerEntry.objects.get(pk=entry.pk).points == Decimal("2")


def test_frozen_unit_and_position_stay_when_the_person_moves(line):
    approve(line, propose(line))
    line.staff.org_unit = line.dept
    line.staff.position = None
    line.staff.save()
    entry = PointLedgerEntry.objects.get()
    assert (entry.org_unit_id, entry.position_id) != (line.dept.pk, None)


def test_evidence_file_is_kept(line):
    upload = SimpleUploadedFile("minutes.txt", b"meeting minutes", content_type="text/plain")
    proposal = point_proposal_create(
        actor=None, proposer=line.manager, data=proposal_data(line, evidence_link="https://wiki.example.com/x"),
        evidence_file=upload,
    )  # fmt: skip
    stored = PointEvidence.objects.get(proposal=proposal)
    assert (stored.name, bytes(stored.data), proposal.evidence_link) == (
        "minutes.txt",
        b"meeting minutes",
        "https://wiki.example.com/x",
    )


def test_items_are_checked_and_kept_once_used(line, hr_a):
    for bad in ("0", "1e400", "-1e-400", "1.005", "101", "x"):
        with pytest.raises(ValidationError) as refused:
            point_item_create(actor=hr_a, data={"name": "Bad", "points": bad})
        assert "points" in refused.value.message_dict, bad
    with pytest.raises(ValidationError):
        point_item_create(actor=hr_a, data={"name": line.item.name.upper(), "points": "1"})
    item = point_item_create(actor=hr_a, data={"name": "Shares data", "points": "+2", "levels": "L3, L4"})
    assert item.levels == ["L3", "L4"]
    propose(line)
    with pytest.raises(ValidationError):
        point_item_delete(actor=hr_a, item=line.item, lock_version=line.item.lock_version)
    point_item_delete(actor=hr_a, item=item, lock_version=item.lock_version)


def test_an_approval_queues_the_recompute_of_the_subjects_scorecards(
    line, django_capture_on_commit_callbacks
):
    from interlock.models import ScoreSnapshot
    from tests.factories.goals import MeasurementFactory
    from tests.factories.interlock import PositionScorecardFactory, ScorecardFactory, ScorecardLineFactory

    unit_card = ScorecardFactory(org_unit=line.team, period=line.period)
    line_ = ScorecardLineFactory(scorecard=unit_card)
    MeasurementFactory(kpi=line_.kpi, period=line.period, target=Decimal("100"), actual=Decimal("50"))
    position_card = PositionScorecardFactory(position=line.staff.position, period=line.period)
    ScorecardLineFactory(scorecard=position_card, kpi=line_.kpi)
    other = ScorecardFactory(period=line.period)
    ScorecardLineFactory(scorecard=other, kpi=line_.kpi)
    from interlock.services.scores import scores_recompute

    scores_recompute(period=line.period, actor=None)
    before = ScoreSnapshot.objects.get(period=line.period, org_unit=line.team).total
    big = PointItemFactory(name="Huge", points=Decimal("40"))
    point_settings_update(
        actor=None, lock_version=point_settings_current().lock_version, data={"manager_cap": "100"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        approve(line, propose(line))
        approve(line, propose(line, subject_employee=line.peer, item=big))
    job = Job.objects.filter(kind=Job.Kind.SCORE_RECOMPUTE).order_by("-id").first()
    assert "points" in job.params["reasons"]
    assert set(job.params.get("scorecard_ids", [])) <= {unit_card.pk, position_card.pk}
    unit_after = ScoreSnapshot.objects.get(period=line.period, org_unit=line.team)
    assert unit_after.points == Decimal("10")  # 2 + 40, clamped to the tenant's cap of 10
    assert unit_after.total == before + 10
    assert ScoreSnapshot.objects.get(period=line.period, position=line.staff.position).points == Decimal("2")
    assert ScoreSnapshot.objects.get(period=line.period, org_unit=other.org_unit).points in (None, 0)
    # An HR correction moves the scores the same way.
    entry = PointLedgerEntry.objects.get(employee=line.staff)
    with django_capture_on_commit_callbacks(execute=True):
        point_ledger_correct(actor=None, entry=entry, points="-2", reason="Counted twice")
    assert ScoreSnapshot.objects.get(period=line.period, position=line.staff.position).points in (None, 0)
