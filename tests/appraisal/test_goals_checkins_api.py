"""The goal-proposals and check-ins API: the employee proposes, the manager accepts or returns (only they),
the employee edits and proposes again; check-ins by either side with the reader's own private note only;
lists under the access rule with constant queries; other tenants' ids a 404; stale writes a 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisal.models import CheckIn, GoalProposal, PersonalGoal
from appraisal.services import check_ins, goal_proposals
from collab.tenancy import tenant_scope
from tests.appraisal.goals_checkins_setup import goals_world

pytestmark = pytest.mark.django_db

T = "/api/v1/t/alpha"


@pytest.fixture
def theirs(tenant_b):
    with tenant_scope(tenant_b):
        world = goals_world(tenant_b, prefix="yy")
        proposal = goal_proposals.goal_proposal_create(
            actor=world.world.users["employee"],
            appraisal=world.world.appraisal,
            data={
                "kind": "new",
                "parent_goal": world.position_goal,
                "kpi": world.kpi,
                "target": "1",
                "weight": "1",
            },
        )
        check_in = check_ins.check_in_create(
            actor=world.world.users["manager"],
            appraisal=world.world.appraisal,
            data={"held_on": timezone.localdate(), "actions": [
                {"description": "Theirs", "owner": "employee", "due_on": timezone.localdate()}]},
        )  # fmt: skip
    return world, proposal, check_in


@pytest.fixture
def g(tenant_a, theirs):
    with tenant_scope(tenant_a):
        return goals_world(tenant_a)


def _new_body(g, **extra):
    return {
        "appraisal": g.world.appraisal.pk,
        "kind": "new",
        "parent_goal": g.position_goal.pk,
        "kpi": g.kpi.pk,
        "target": "120",
        "weight": "60",
    } | extra


def test_propose_return_propose_again_and_accept(g, api_client_for, tenant_a):
    employee = api_client_for(g.world.users["employee"])
    manager = api_client_for(g.world.users["manager"])
    created = employee.post(f"{T}/goal-proposals/", _new_body(g), format="json")
    assert created.status_code == 201, created.content
    proposal = created.json()
    assert proposal["status"] == "proposed" and proposal["kpi_code"] == g.kpi.code
    url = f"{T}/goal-proposals/{proposal['id']}"
    assert manager.post(f"{T}/goal-proposals/", _new_body(g), format="json").status_code == 400
    assert employee.post(f"{url}/accept/", {"lock_version": 1}, format="json").status_code == 400
    assert manager.post(f"{url}/return/", {"lock_version": 1}, format="json").status_code == 400
    returned = manager.post(
        f"{url}/return/", {"lock_version": 1, "manager_comment": "Aim higher"}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert employee.patch(f"{url}/", {"target": "150", "lock_version": 1}, format="json").status_code == 409
    again = employee.patch(f"{url}/", {"target": "150", "lock_version": 2}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "proposed"
    assert Decimal(again.json()["target"]) == Decimal("150")
    stale = manager.post(f"{url}/accept/", {"lock_version": 2}, format="json")
    assert stale.status_code == 409
    accepted = manager.post(f"{url}/accept/", {"lock_version": 3, "weight": "100"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    with tenant_scope(tenant_a):
        goal = PersonalGoal.objects.get()
        assert (goal.version, goal.weight, goal.goal.parent_id) == (1, Decimal("100"), g.position_goal.pk)
    assert manager.get(f"{T}/goal-proposals/?box=to_agree").json()["results"] == []
    assert manager.get(f"{T}/goal-proposals/?box=nope").status_code == 400


def test_the_employee_withdraws_a_proposal(g, theirs, api_client_for):
    employee = api_client_for(g.world.users["employee"])
    proposal = employee.post(f"{T}/goal-proposals/", _new_body(g), format="json").json()
    url = f"{T}/goal-proposals/{proposal['id']}/withdraw/"
    manager = api_client_for(g.world.users["manager"])
    assert manager.post(url, {"lock_version": 1}, format="json").status_code == 400
    assert employee.post(url, {}, format="json").status_code == 400
    withdrawn = employee.post(url, {"lock_version": 1}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert employee.post(url, {"lock_version": 2}, format="json").status_code == 400
    foreign = f"{T}/goal-proposals/{theirs[1].pk}/withdraw/"
    assert employee.post(foreign, {"lock_version": 1}, format="json").status_code == 404


def test_lists_follow_the_access_rule_and_other_tenants_are_404(g, theirs, api_client_for, tenant_a):
    world, their_proposal, their_check_in = theirs
    with tenant_scope(tenant_a):
        goal_proposals.goal_proposal_create(
            actor=g.world.users["colleague"],
            appraisal=g.world.colleague_appraisal,
            data={"kind": "new", "parent_goal": g.position_goal, "kpi": g.kpi, "target": "1", "weight": "1"},
        )
    seen = {
        key: [
            row["id"]
            for row in api_client_for(g.world.users[key]).get(f"{T}/goal-proposals/").json()["results"]
        ]
        for key in ("employee", "colleague", "manager", "hr", "outsider")
    }
    assert seen["employee"] == [] and len(seen["colleague"]) == 1 and seen["outsider"] == []
    assert seen["manager"] == seen["hr"] == seen["colleague"]
    hr = api_client_for(g.world.users["hr"])
    assert hr.get(f"{T}/goal-proposals/{their_proposal.pk}/").status_code == 404
    assert hr.get(f"{T}/check-ins/{their_check_in.pk}/").status_code == 404
    employee = api_client_for(g.world.users["employee"])
    assert employee.get(f"{T}/goal-proposals/{seen['colleague'][0]}/").status_code == 404
    foreign = employee.post(
        f"{T}/goal-proposals/", _new_body(g, parent_goal=world.position_goal.pk), format="json"
    )
    assert foreign.status_code == 404
    assert (
        employee.post(
            f"{T}/goal-proposals/", _new_body(g, appraisal=world.world.appraisal.pk), format="json"
        ).status_code
        == 404
    )
    assert (
        employee.post(
            f"{T}/goal-proposals/", _new_body(g, appraisal=g.world.colleague_appraisal.pk), format="json"
        ).status_code
        == 404
    )
    assert (
        employee.post(
            f"{T}/check-ins/", {"appraisal": world.world.appraisal.pk, "held_on": "2026-01-01"}, format="json"
        ).status_code
        == 404
    )


def test_the_owner_marks_an_agreed_action_done(g, theirs, api_client_for):
    manager = api_client_for(g.world.users["manager"])
    employee = api_client_for(g.world.users["employee"])
    today = timezone.localdate()
    body = {
        "appraisal": g.world.appraisal.pk, "held_on": today.isoformat(),
        "actions": [{"description": "Call", "owner": "employee", "due_on": today.isoformat()}],
    }  # fmt: skip
    check_in = manager.post(f"{T}/check-ins/", body, format="json").json()
    agreed = check_in["actions"][0]
    url = f"{T}/check-ins/{check_in['id']}/action-done/"
    mark = {"action": agreed["id"], "done": True, "lock_version": agreed["lock_version"]}
    assert manager.post(url, mark, format="json").status_code == 400  # the employee owns it
    assert employee.post(url, mark | {"lock_version": 99}, format="json").status_code == 409
    done = employee.post(url, mark, format="json")
    assert done.status_code == 200 and done.json()["actions"][0]["done_at"] is not None
    reopened = employee.post(
        url, mark | {"done": False, "lock_version": done.json()["actions"][0]["lock_version"]}, format="json"
    )
    assert reopened.status_code == 200 and reopened.json()["actions"][0]["done_at"] is None
    _world, _proposal, their_check_in = theirs
    with tenant_scope(_world.world.cycle.tenant):
        their_action = their_check_in.actions.get()
    foreign = employee.post(url, mark | {"action": their_action.pk}, format="json")
    assert foreign.status_code == 404  # another tenant's action, through our check-in
    theirs_url = f"{T}/check-ins/{their_check_in.pk}/action-done/"
    assert employee.post(theirs_url, mark, format="json").status_code == 404


def test_check_ins_carry_only_the_readers_own_private_note(g, api_client_for, tenant_a):
    manager = api_client_for(g.world.users["manager"])
    employee = api_client_for(g.world.users["employee"])
    today = timezone.localdate()
    body = {
        "appraisal": g.world.appraisal.pk,
        "held_on": today.isoformat(),
        "progress": "Fine",
        "actions": [
            {"description": "Call", "owner": "employee", "due_on": (today + dt.timedelta(days=3)).isoformat()}
        ],
        "private_note": "MANAGER-SECRET",
    }
    created = manager.post(f"{T}/check-ins/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["private_note"] == "MANAGER-SECRET"
    check_in = created.json()
    for client in (employee, api_client_for(g.world.users["hr"]), api_client_for(g.world.users["auditor"])):
        listed = client.get(f"{T}/check-ins/?appraisal={g.world.appraisal.pk}")
        assert listed.status_code == 200 and b"SECRET" not in listed.content
        assert listed.json()["results"][0]["private_note"] is None
        assert b"SECRET" not in client.get(f"{T}/check-ins/{check_in['id']}/").content
    url = f"{T}/check-ins/{check_in['id']}/"
    assert employee.patch(url, {"progress": "x", "lock_version": 1}, format="json").status_code == 400
    assert manager.patch(url, {"progress": "Better", "lock_version": 0}, format="json").status_code == 409
    saved = manager.patch(url, {"progress": "Better", "lock_version": 1}, format="json")
    assert saved.status_code == 200 and saved.json()["progress"] == "Better"
    assert [a["description"] for a in saved.json()["actions"]] == ["Call"]  # left out: kept
    refused = manager.post(
        f"{T}/check-ins/", body | {"actions": [{"description": "", "owner": "x"}]}, format="json"
    )
    assert refused.status_code == 400 and "actions-0-owner" in refused.json()


def test_lists_read_a_fixed_number_of_queries(g, api_client_for, tenant_a):
    hr = api_client_for(g.world.users["hr"])

    def counted(url):
        with CaptureQueriesContext(connection) as context:
            assert hr.get(url).status_code == 200
        return sum(1 for q in context.captured_queries if "set_config('app.tenant_id'" not in q["sql"])

    def add(kpi):
        with tenant_scope(tenant_a):
            goal_proposals.goal_proposal_create(
                actor=g.world.users["employee"],
                appraisal=g.world.appraisal,
                data={
                    "kind": "new",
                    "parent_goal": g.position_goal,
                    "kpi": kpi,
                    "target": "1",
                    "weight": "1",
                },
            )
            check_ins.check_in_create(
                actor=g.world.users["manager"],
                appraisal=g.world.appraisal,
                data={
                    "held_on": timezone.localdate(),
                    "private_note": "n",
                    "actions": [{"description": "a", "owner": "manager", "due_on": timezone.localdate()}],
                },
            )

    add(g.kpi)
    first = counted(f"{T}/goal-proposals/"), counted(f"{T}/check-ins/")
    add(g.other_kpi)
    assert (counted(f"{T}/goal-proposals/"), counted(f"{T}/check-ins/")) == first
    with tenant_scope(tenant_a):
        assert GoalProposal.objects.count() == 2 and CheckIn.objects.count() == 2
