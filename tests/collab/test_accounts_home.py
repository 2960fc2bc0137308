"""Role homes: each role lands on its own page (data-home on its h1), empty states, constant queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.goals import GoalFactory, KPIFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db
HOME = reverse("tenant-home", args=["alpha"])


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_each_role_lands_on_its_home(login, tenant_a, tenant_b, role):
    person = make_member(tenant_a, role, username=f"p-{role}")
    page = login(person).get(HOME)
    assert page.status_code == 200
    assert f'data-home="{role}"' in page.content.decode()


def test_several_roles_land_on_the_first_and_can_switch(login, tenant_a):
    person = make_member(tenant_a, "employee", "committee", "manager", username="multi")
    client = login(person)
    html = client.get(HOME).content.decode()
    assert 'data-home="manager"' in html and "?as=committee" in html and "?as=employee" in html
    assert 'data-home="committee"' in client.get(HOME, {"as": "committee"}).content.decode()
    refused = client.get(HOME, {"as": "hr_admin"}).content.decode()
    assert 'data-home="manager"' in refused, "a role the member does not hold is ignored"


def test_hr_home_shows_counts_and_next_steps(login, tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        EmployeeFactory.create_batch(3, org_unit=unit)
        Period.objects.create(kind="year", year=2031, status="active")
    with tenant_scope(tenant_b):
        EmployeeFactory.create_batch(7)
    html = login(hr_a).get(HOME).content.decode()
    assert 'data-count="employees">3<' in html and 'data-count="units">1<' in html
    for name in ("org-tree", "org-import", "member-list", "period-list"):
        assert reverse(name, args=["alpha"]) in html
    assert "2031 is active" in html
    assert "You are the only HR admin" in html


def _step_done(html: str, step: int) -> bool:
    items = re.findall(r'<li class="list-group-item.*?</li>', html.split('id="next-steps"', 1)[1], re.S)
    return "bi-check" in items[step - 1]


def test_hr_checklist_ticks_kpis_and_goals_once_goals_are_broken_down(login, tenant_a, tenant_b, hr_a):
    """Issue 8 item 12: step 5 "Set up KPIs and goals" never ticked, whatever HR had set up."""
    with tenant_scope(tenant_b):  # another company's goals tick nothing here
        top = GoalFactory()
        GoalFactory(parent=top)
    client = login(hr_a)
    assert not _step_done(client.get(HOME).content.decode(), 5)
    with tenant_scope(tenant_a):
        top = GoalFactory()  # a KPI and a top goal: nothing broken down yet
    assert not _step_done(client.get(HOME).content.decode(), 5)
    with tenant_scope(tenant_a):
        GoalFactory(parent=top)
    html = client.get(HOME).content.decode()
    assert _step_done(html, 5) and "Set up KPIs and goals" in html


def test_manager_home_without_a_linked_record_says_what_to_do(login, tenant_a):
    html = login(make_member(tenant_a, "manager", username="mgr")).get(HOME).content.decode()
    assert 'id="manager-no-unit"' in html and "link" in html


def test_manager_home_shows_the_unit_and_its_people(login, tenant_a, tenant_b):
    manager = make_member(tenant_a, "manager", username="mgr")
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory(name="Safety")
        child = OrgUnitFactory(name="Mine Safety Team", parent=unit)
        position = PositionFactory(org_unit=unit, title="Inspector")
        EmployeeFactory(org_unit=unit, user=manager, name="The Manager")
        EmployeeFactory(org_unit=unit, name="Wang Fang", position=position)
        EmployeeFactory(org_unit=child, name="Li Lei")
    with tenant_scope(tenant_b):
        EmployeeFactory(name="Outsider")
    html = login(manager).get(HOME).content.decode()
    assert "Safety" in html and "Wang Fang" in html and "Inspector" in html and "Outsider" not in html
    assert "Mine Safety Team" in html and "3 people in this unit and the units below it" in html
    assert 'id="manager-scores-empty"' in html and "No score yet" in html


def test_employee_home_sections(login, tenant_a):
    worker = make_member(tenant_a, "employee", username="worker")
    html = login(worker).get(HOME).content.decode()
    for section in ("my-ratings", "my-goals", "my-points", "employee-not-linked"):
        assert f'id="{section}"' in html
    with tenant_scope(tenant_a):
        EmployeeFactory(user=worker, name="Zhang Wei", org_unit=OrgUnitFactory(name="Finance"))
    html = login(worker).get(HOME).content.decode()
    assert "Zhang Wei" in html and "Finance" in html and "employee-not-linked" not in html


def test_committee_and_auditor_homes(login, tenant_a):
    board = login(make_member(tenant_a, "committee", username="c")).get(HOME).content.decode()
    assert 'id="action-board"' in board and "No open action items" in board
    audit = login(make_member(tenant_a, "auditor", username="a")).get(HOME).content.decode()
    assert reverse("audit-log", args=["alpha"]) in audit and 'id="open-audit-log"' in audit


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_home_query_count_does_not_grow(login, tenant_a, role, django_assert_max_num_queries):
    person = make_member(tenant_a, role, username=f"q-{role}")
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        EmployeeFactory(user=person, org_unit=unit)
        EmployeeFactory.create_batch(2, org_unit=unit)
    client = login(person)
    # the manager's home also reads its unit's review campaigns and the periods it measures events in, and
    # (appraisal) the people they assess whom they have not talked to this period and their own appraisal, and
    # (alerts) the open alerts of their units' stages (the units, then the alerts)
    with django_assert_max_num_queries(20 if role == "manager" else 14) as first:
        assert client.get(HOME).status_code == 200
    with tenant_scope(tenant_a):
        EmployeeFactory.create_batch(30, org_unit=unit)
        OrgUnitFactory.create_batch(5, parent=unit)
        for n in range(5):
            make_member(tenant_a, "employee", username=f"more-{role}-{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(HOME).status_code == 200


def test_other_tenants_home_is_404(login, tenant_a, tenant_b, hr_a):
    assert login(hr_a).get(reverse("tenant-home", args=["bravo"])).status_code == 404


# ---------------------------------------------------------------------------------------------------
# The goals that reach an employee


def _goal(period, unit, kpi, parent=None, weight=100, position=None):
    from goals.services.tree.nodes import goal_create

    return goal_create(
        actor=None, period=period, org_unit=unit, kpi=kpi, parent=parent, weight=weight, position=position
    )


@pytest.fixture
def cascade(tenant_a):
    """Group → Production (department) → Team 1 (no goals of its own); Group → Safety (a sibling)."""
    from goals.models import Measurement
    with tenant_scope(tenant_a):
        period = Period.objects.create(kind="year", year=2034, status="active")
        group = OrgUnitFactory(code="G", name="Group", kind="group")
        production = OrgUnitFactory(code="PROD", name="Production", parent=group, kind="department")
        team = OrgUnitFactory(code="T1", name="Team 1", parent=production, kind="team")
        safety = OrgUnitFactory(code="SAFE", name="Safety", parent=group, kind="department")
        output = KPIFactory(code="OUT", name="Output", owner_unit=group)
        yield_ = KPIFactory(code="YLD", name="First-pass yield", owner_unit=production)
        incidents = KPIFactory(code="INC", name="Incidents", owner_unit=safety)
        Measurement.objects.create(kpi=output, period=period, target=100, actual=90)
        Measurement.objects.create(kpi=yield_, period=period, target=100, actual=85)
        root = _goal(period, group, output)
        prod_goal = _goal(period, production, yield_, parent=root, weight=70)
        safety_goal = _goal(period, safety, incidents, parent=root, weight=30)
    return {"period": period, "group": group, "production": production, "team": team, "safety": safety,
            "root": root, "prod_goal": prod_goal, "safety_goal": safety_goal, "yield": yield_}


def _goals_card(html: str) -> str:
    card = html[html.index('id="my-goals"'):]
    return card[: card.index('id="my-ratings"')]


def test_a_team_without_goals_sees_the_goals_above_it(login, tenant_a, tenant_b, cascade):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=worker, org_unit=cascade["team"])
    html = _goals_card(login(worker).get(HOME).content.decode())
    assert 'id="my-goals-empty"' not in html
    assert 'id="my-goals-inherited"' in html and "Production" in html
    assert f'data-goal="{cascade["prod_goal"].pk}"' in html and "First-pass yield" in html
    assert f'data-goal="{cascade["root"].pk}"' in html, "the chain up to the group goal"
    sibling = cascade["safety_goal"]
    assert f'data-goal="{sibling.pk}"' not in html, "a sibling department's goal does not reach"
    assert 'data-band="amber"' in html and "85.0" in html  # the department goal's progress and band
    assert "Near target" in html  # its band in words, not only a colour


def test_own_position_and_unit_goals_come_with_their_chain(login, tenant_a, cascade):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_a):
        operator = PositionFactory(org_unit=cascade["team"], title="Operator")
        other = PositionFactory(org_unit=cascade["team"], title="Inspector")
        EmployeeFactory(user=worker, org_unit=cascade["team"], position=operator)
        team_goal = _goal(cascade["period"], cascade["team"], cascade["yield"], parent=cascade["prod_goal"])
        mine = _goal(cascade["period"], cascade["team"], cascade["yield"], parent=team_goal, weight=60,
                     position=operator)
        theirs = _goal(cascade["period"], cascade["team"], cascade["yield"], parent=team_goal, weight=40,
                       position=other)
    html = _goals_card(login(worker).get(HOME).content.decode())
    assert 'id="my-goals-inherited"' not in html and 'id="my-goals-empty"' not in html
    groups = {}  # goal id shown as the person's own -> the chain shown above it
    for group in html.split('my-goal-group">')[1:]:
        chain, _sep, goals = group.partition("<ul")
        for goal_id in re.findall(r'<li [^>]*data-goal="(\d+)"', goals):
            groups[int(goal_id)] = [int(pk) for pk in re.findall(r'data-goal="(\d+)"', chain)]
    assert groups == {
        team_goal.pk: [cascade["root"].pk, cascade["prod_goal"].pk],
        mine.pk: [cascade["root"].pk, cascade["prod_goal"].pk, team_goal.pk],
    }, "another position's goal does not reach this person"
    assert f'data-goal="{theirs.pk}"' not in html
    assert "Team 1 / Operator" in html


def test_a_position_of_another_unit_brings_its_goals(login, tenant_a, cascade):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_a):
        auditor = PositionFactory(org_unit=cascade["safety"], title="Auditor")  # off the person's unit path
        EmployeeFactory(user=worker, org_unit=cascade["team"], position=auditor)
        theirs = _goal(cascade["period"], cascade["safety"], cascade["yield"], parent=cascade["safety_goal"],
                       position=auditor)
    html = _goals_card(login(worker).get(HOME).content.decode())
    assert f'data-goal="{theirs.pk}"' in html and 'id="my-goals-inherited"' not in html


def test_the_empty_state_only_when_nothing_in_the_chain_has_goals(login, tenant_a, cascade):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_a):
        elsewhere = OrgUnitFactory(code="OTHER", name="Other root")  # not under the group: nothing reaches
        EmployeeFactory(user=worker, org_unit=elsewhere)
    html = _goals_card(login(worker).get(HOME).content.decode())
    assert 'id="my-goals-empty"' in html and "Ask your manager or HR" in html
    assert "data-goal" not in html
    with tenant_scope(tenant_a):
        from goals.models import Goal

        Goal.objects.all().delete()
    html = _goals_card(login(worker).get(HOME).content.decode())
    assert 'id="my-goals-empty"' in html and "no period has a goal tree" in html


def test_employee_home_queries_do_not_grow_with_the_goal_tree(
    login, tenant_a, cascade, django_assert_max_num_queries
):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=worker, org_unit=cascade["team"])
    client = login(worker)
    # 12 + the "My points", "Ratings to give" and "My appraisal" tiles
    with django_assert_max_num_queries(15) as first:
        assert b'id="my-goals-inherited"' in client.get(HOME).content
    with tenant_scope(tenant_a):
        parent, unit = cascade["prod_goal"], cascade["production"]
        for _level in range(4):  # a deeper chain, and more goals beside it
            unit = OrgUnitFactory(parent=unit)
            parent = _goal(cascade["period"], unit, KPIFactory(), parent=parent)
            _goal(cascade["period"], cascade["production"], KPIFactory(), parent=cascade["prod_goal"])
        EmployeeFactory(user=None, org_unit=unit)
        EmployeeFactory._meta.model.objects.filter(user=worker).update(org_unit=unit)
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(HOME).content.decode()
    assert f'data-goal="{parent.pk}"' in html and f'data-goal="{cascade["root"].pk}"' in html


def test_a_manager_sees_the_goals_of_their_unit_above_the_team(
    login, tenant_a, cascade, django_assert_max_num_queries
):
    manager = make_member(tenant_a, "manager", username="boss")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=manager, org_unit=cascade["production"])
    client = login(manager)
    # 16 + the points, ratings, unit review, talks, appraisal and unit alerts tiles
    with django_assert_max_num_queries(24) as first:
        html = client.get(HOME).content.decode()
    card = html[html.index('id="my-goals"'):]
    card = card[: card.index('id="manager-scores-empty"')]
    assert f'data-goal="{cascade["prod_goal"].pk}"' in card and f'data-goal="{cascade["root"].pk}"' in card
    assert 'id="my-goals-inherited"' not in card
    with tenant_scope(tenant_a):
        for _n in range(5):
            _goal(cascade["period"], cascade["production"], KPIFactory(), parent=cascade["prod_goal"])
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(HOME).status_code == 200
