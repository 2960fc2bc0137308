"""Goals set together: the gates (no proposal outside goal setting except revisions; only the manager
answers), the goal tree node and versions an acceptance writes, returns and proposing again, audit, 409."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appraisal.models import (
    GoalProposal,
    PersonalGoal,
    PersonalGoalVersion,
    ProposalKind,
    ProposalStatus,
    Stage,
    StageReopening,
)
from appraisal.selectors.goal_proposals import position_goals, proposals_to_agree, weight_summary
from appraisal.services import goal_proposals as services
from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from goals.models import Goal
from tests.appraisal.goals_checkins_setup import goals_world

pytestmark = pytest.mark.django_db


def _new(g, **extra):
    data = {
        "kind": ProposalKind.NEW,
        "parent_goal": g.position_goal,
        "kpi": g.kpi,
        "target": "120",
        "weight": "60",
    } | extra
    return services.goal_proposal_create(
        actor=g.world.users["employee"], appraisal=g.world.appraisal, data=data
    )


def _accept(g, proposal, **extra):
    return services.goal_proposal_accept(
        actor=g.world.users["manager"], proposal=proposal, lock_version=proposal.lock_version, **extra
    )


def test_an_accepted_goal_enters_the_tree_under_the_position_goal_with_version_one(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        proposal = _new(g)
        assert proposal.status == ProposalStatus.PROPOSED
        assert AuditEvent.objects.filter(action="goal_proposal.create", object_id=str(proposal.pk)).exists()
        accepted = _accept(g, proposal, target="110", comment="Fine, a little lower")
        assert accepted.status == ProposalStatus.ACCEPTED and accepted.target == Decimal("110")
        goal = PersonalGoal.objects.get(appraisal=g.world.appraisal)
        assert (goal.version, goal.target, goal.weight) == (1, Decimal("110"), Decimal("60"))
        node = goal.goal
        assert node.parent_id == g.position_goal.pk and node.position_id == g.world.employee.position_id
        assert (
            node.kpi_id == g.kpi.pk and node.weight == Decimal("60") and node.period_id == g.world.period.pk
        )
        assert list(
            PersonalGoalVersion.objects.filter(personal_goal=goal).values_list("version", flat=True)
        ) == [1]
        assert AuditEvent.objects.filter(action="goal.create", object_id=str(node.pk)).exists()
        assert AuditEvent.objects.filter(action="goal_proposal.accept", object_id=str(proposal.pk)).exists()
        # The new node hangs under the position's goals; it is not offered as one to propose under.
        offered = list(position_goals(g.world.appraisal))
        assert node not in offered and g.position_goal in offered


def test_a_colleague_on_the_same_position_shares_the_node(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        _accept(g, _new(g))
        other = services.goal_proposal_create(
            actor=g.world.users["colleague"],
            appraisal=g.world.colleague_appraisal,
            data={
                "kind": "new",
                "parent_goal": g.position_goal,
                "kpi": g.kpi,
                "target": "90",
                "weight": "40",
            },
        )
        _accept(g, other)
        assert Goal.objects.filter(parent=g.position_goal, kpi=g.kpi).count() == 1
        assert PersonalGoal.objects.filter(goal__parent=g.position_goal).count() == 2


def test_returned_with_a_required_comment_then_edited_and_proposed_again(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        proposal = _new(g)
        manager = g.world.users["manager"]
        with pytest.raises(ValidationError) as refused:
            services.goal_proposal_return(
                actor=manager, proposal=proposal, lock_version=proposal.lock_version, comment="  "
            )
        assert "manager_comment" in refused.value.message_dict
        returned = services.goal_proposal_return(
            actor=manager, proposal=proposal, lock_version=proposal.lock_version, comment="Too low"
        )
        assert returned.status == ProposalStatus.RETURNED and returned.manager_comment == "Too low"
        with pytest.raises(StaleEditError):
            services.goal_proposal_update(
                actor=g.world.users["employee"],
                proposal=returned,
                lock_version=proposal.lock_version,
                data={"target": "1"},
            )
        again = services.goal_proposal_update(
            actor=g.world.users["employee"],
            proposal=returned,
            lock_version=returned.lock_version,
            data={"parent_goal": g.position_goal, "kpi": g.kpi, "target": "150", "weight": "50"},
        )
        assert again.status == ProposalStatus.PROPOSED and again.target == Decimal("150")
        assert AuditEvent.objects.filter(action="goal_proposal.update", object_id=str(proposal.pk)).exists()
        _accept(g, again)
        assert PersonalGoal.objects.get(appraisal=g.world.appraisal).target == Decimal("150")


def test_only_the_manager_answers(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        proposal = _new(g)
        for key in ("employee", "hr", "upper", "colleague"):
            with pytest.raises(ValidationError) as refused:
                services.goal_proposal_accept(
                    actor=g.world.users[key], proposal=proposal, lock_version=proposal.lock_version
                )
            assert "appraisal" in refused.value.message_dict
            with pytest.raises(ValidationError):
                services.goal_proposal_return(
                    actor=g.world.users[key],
                    proposal=proposal,
                    lock_version=proposal.lock_version,
                    comment="no",
                )
        with pytest.raises(ValidationError):  # and only the employee proposes
            services.goal_proposal_create(
                actor=g.world.users["manager"], appraisal=g.world.appraisal, data={"kind": "new"}
            )
        assert not PersonalGoal.objects.exists()
        with pytest.raises(StaleEditError):
            services.goal_proposal_accept(
                actor=g.world.users["manager"], proposal=proposal, lock_version=proposal.lock_version - 1
            )


def test_no_new_goal_or_weight_change_outside_goal_setting_but_a_revision_with_a_reason(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        _accept(g, _new(g))
        goal = PersonalGoal.objects.get()
        g.world.appraisal.stage = Stage.CHECK_INS
        g.world.appraisal.save()
        later = timezone.now() + timedelta(days=8)  # goal setting is over, check-ins open
        employee = g.world.users["employee"]
        for kind in ("new", "weight"):
            with pytest.raises(ValidationError) as refused:
                services.goal_proposal_create(
                    actor=employee,
                    appraisal=g.world.appraisal,
                    now=later,
                    data={
                        "kind": kind,
                        "parent_goal": g.position_goal,
                        "kpi": g.other_kpi,
                        "target": "1",
                        "weight": "10",
                        "personal_goal": goal,
                    },
                )
            assert "kind" in refused.value.message_dict
        with pytest.raises(ValidationError) as refused:
            services.goal_proposal_create(
                actor=employee,
                appraisal=g.world.appraisal,
                now=later,
                data={"kind": "revision", "personal_goal": goal, "target": "90"},
            )
        assert "reason" in refused.value.message_dict
        revision = services.goal_proposal_create(
            actor=employee,
            appraisal=g.world.appraisal,
            now=later,
            data={"kind": "revision", "personal_goal": goal, "target": "90", "reason": "Market fell"},
        )
        services.goal_proposal_accept(
            actor=g.world.users["manager"], proposal=revision, lock_version=revision.lock_version, now=later
        )
        goal.refresh_from_db()
        assert (goal.version, goal.target, goal.weight) == (2, Decimal("90"), Decimal("60"))
        targets = list(goal.versions.order_by("version").values_list("version", "target", "reason"))
        assert targets == [(1, Decimal("120"), ""), (2, Decimal("90"), "Market fell")]


def test_a_revision_is_refused_in_goal_setting_and_after_final(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        _accept(g, _new(g))
        goal = PersonalGoal.objects.get()
        data = {"kind": "revision", "personal_goal": goal, "target": "90", "reason": "r"}
        with pytest.raises(ValidationError):
            services.goal_proposal_create(
                actor=g.world.users["employee"], appraisal=g.world.appraisal, data=data
            )
        g.world.appraisal.stage = Stage.FINAL
        g.world.appraisal.save()
        with pytest.raises(ValidationError):
            services.goal_proposal_create(
                actor=g.world.users["employee"],
                appraisal=g.world.appraisal,
                data=data,
                now=timezone.now() + timedelta(days=60),
            )


def test_a_reopened_goal_setting_lets_one_person_propose_again(tenant_a):
    later = timezone.now() + timedelta(days=8)
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        StageReopening.objects.create(
            appraisal=g.world.appraisal,
            stage=Stage.GOAL_SETTING,
            reason="leave",
            until=later + timedelta(days=1),
        )
        data = {"kind": "new", "parent_goal": g.position_goal, "kpi": g.kpi, "target": "1", "weight": "10"}
        assert services.goal_proposal_create(
            actor=g.world.users["employee"], appraisal=g.world.appraisal, data=data, now=later
        )
        with pytest.raises(ValidationError):
            services.goal_proposal_create(
                actor=g.world.users["colleague"], appraisal=g.world.colleague_appraisal, data=data, now=later
            )


def test_field_errors_name_what_is_wrong(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = goals_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        with pytest.raises(ValidationError) as refused:
            _new(g, parent_goal=g.unit_goal, kpi=foreign.kpi, target="x", weight="101")
        assert set(refused.value.message_dict) == {"parent_goal", "kpi", "target", "weight"}
        with pytest.raises(ValidationError) as refused:
            _new(g, parent_goal=foreign.position_goal)
        assert "parent_goal" in refused.value.message_dict
        assert not GoalProposal.objects.exists()


def test_weights_are_summed_and_not_enforced_per_proposal(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        _accept(g, _new(g, weight="70"))
        pending = _new(g, kpi=g.other_kpi, weight="50")  # 120 in all: allowed, the page warns
        goals = list(PersonalGoal.objects.all())
        summary = weight_summary(goals, [pending])
        assert (summary.total, summary.pending, summary.complete) == (Decimal("70"), Decimal("120"), False)
        weight = services.goal_proposal_create(
            actor=g.world.users["employee"],
            appraisal=g.world.appraisal,
            data={"kind": "weight", "personal_goal": goals[0], "weight": "50"},
        )
        _accept(g, weight)
        goal = PersonalGoal.objects.get()
        assert (goal.version, goal.weight) == (2, Decimal("50"))
        assert list(proposals_to_agree(g.world.manager)) == [pending]
        assert list(proposals_to_agree(g.world.employee)) == []


def test_a_proposal_left_open_when_goal_setting_closed_can_be_returned_not_accepted(tenant_a):
    later = timezone.now() + timedelta(days=8)
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        proposal = _new(g)
        manager = g.world.users["manager"]
        with pytest.raises(ValidationError) as refused:
            services.goal_proposal_accept(
                actor=manager, proposal=proposal, lock_version=proposal.lock_version, now=later
            )
        assert "kind" in refused.value.message_dict
        returned = services.goal_proposal_return(
            actor=manager,
            proposal=proposal,
            lock_version=proposal.lock_version,
            comment="Too late",
            now=later,
        )
        assert returned.status == ProposalStatus.RETURNED and not PersonalGoal.objects.exists()
        with pytest.raises(ValidationError):  # and proposing it again waits for a reopening
            services.goal_proposal_update(
                actor=g.world.users["employee"],
                proposal=returned,
                lock_version=returned.lock_version,
                data={"parent_goal": g.position_goal, "kpi": g.kpi, "target": "1", "weight": "1"},
                now=later,
            )


def test_the_employee_withdraws_an_open_proposal_and_it_no_longer_counts(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        proposal = _new(g)
        employee, manager = g.world.users["employee"], g.world.users["manager"]
        withdraw = services.goal_proposal_withdraw
        with pytest.raises(ValidationError) as not_theirs:
            withdraw(actor=manager, proposal=proposal, lock_version=proposal.lock_version)
        assert "appraisal" in not_theirs.value.message_dict
        with pytest.raises(StaleEditError):
            withdraw(actor=employee, proposal=proposal, lock_version=99)
        gone = withdraw(actor=employee, proposal=proposal, lock_version=proposal.lock_version)
        assert gone.status == ProposalStatus.WITHDRAWN
        assert weight_summary([], [gone]).pending == Decimal("0")
        assert AuditEvent.objects.filter(action="goal_proposal.withdraw", object_id=str(proposal.pk)).exists()
        with pytest.raises(ValidationError):  # withdrawn: the manager cannot accept it any more
            _accept(g, gone)
        with pytest.raises(ValidationError):  # and it cannot be withdrawn twice
            withdraw(actor=employee, proposal=gone, lock_version=gone.lock_version)
        accepted = _accept(g, _new(g))
        with pytest.raises(ValidationError):  # an accepted goal is changed by a revision, not withdrawn
            withdraw(actor=employee, proposal=accepted, lock_version=accepted.lock_version)
