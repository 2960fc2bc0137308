"""Goals and check-in pages: who sees what (a private note only its author, anywhere), proposing, answering
(a return needs a comment, a stale answer is a 409), the manager's "Goals to agree" and home panel,
cross-tenant 404s and constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisal.models import CheckIn, GoalProposal, PersonalGoal, ProposalStatus
from appraisal.services import check_ins, goal_proposals
from collab.tenancy import tenant_scope
from tests.appraisal.goals_checkins_setup import goals_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(tenant_b):
    with tenant_scope(tenant_b):
        return goals_world(tenant_b, prefix="yy")


@pytest.fixture
def g(tenant_a, theirs):
    with tenant_scope(tenant_a):
        return goals_world(tenant_a)


def _goals(appraisal):
    return f"/t/alpha/appraisal/{appraisal.pk}/goals/"


def _propose(g, **extra):
    data = {
        "kind": "new",
        "parent_goal": g.position_goal,
        "kpi": g.kpi,
        "target": "100",
        "weight": "60",
    } | extra
    return goal_proposals.goal_proposal_create(
        actor=g.world.users["employee"], appraisal=g.world.appraisal, data=data
    )


def test_the_employee_proposes_on_the_page_and_the_manager_answers(g, login, tenant_a):
    client = login(g.world.users["employee"])
    page = client.get(_goals(g.world.appraisal))
    assert page.status_code == 200 and b'id="goal-proposal-form"' in page.content
    assert f"{g.kpi.code} · {g.kpi.name}".encode() in page.content  # offered by the KPI datalist
    assert b"Your position's goals in the period" in page.content
    posted = client.post(
        _goals(g.world.appraisal),
        {
            "kind": "new",
            "parent_goal": g.position_goal.pk,
            "kpi": f"{g.kpi.code} · {g.kpi.name}",
            "target": "100",
            "weight": "60",
        },
    )
    assert posted.status_code == 302
    with tenant_scope(tenant_a):
        proposal = GoalProposal.objects.get()
    assert (
        client.post(_goals(g.world.appraisal), {"kind": "new", "parent_goal": g.position_goal.pk}).status_code
        == 400
    )
    refused = client.post(
        f"/t/alpha/appraisal/goal-proposals/{proposal.pk}/accept/",
        {f"accept-{proposal.pk}-lock_version": proposal.lock_version},
    )
    assert refused.status_code == 400  # the employee does not answer
    manager = login(g.world.users["manager"])
    page = manager.get(_goals(g.world.appraisal))
    assert b"The position's goals in the period" in page.content  # not "your", said to the manager
    assert b"accept-button" in page.content and b'id="goal-proposal-form"' not in page.content
    empty = manager.post(
        f"/t/alpha/appraisal/goal-proposals/{proposal.pk}/return/",
        {
            f"return-{proposal.pk}-lock_version": proposal.lock_version,
            f"return-{proposal.pk}-manager_comment": "",
        },
    )
    assert empty.status_code == 400
    stale = manager.post(
        f"/t/alpha/appraisal/goal-proposals/{proposal.pk}/accept/",
        {f"accept-{proposal.pk}-lock_version": proposal.lock_version - 1},
    )
    assert stale.status_code == 409
    done = manager.post(
        f"/t/alpha/appraisal/goal-proposals/{proposal.pk}/accept/",
        {f"accept-{proposal.pk}-lock_version": proposal.lock_version, f"accept-{proposal.pk}-weight": "100"},
    )
    assert done.status_code == 302
    with tenant_scope(tenant_a):
        assert PersonalGoal.objects.get().weight == Decimal("100")
        assert GoalProposal.objects.get().status == ProposalStatus.ACCEPTED
    page = login(g.world.users["employee"]).get(_goals(g.world.appraisal))
    assert b'id="personal-goals"' in page.content and b'id="weight-warning"' not in page.content


def test_the_employee_withdraws_a_proposal_on_the_page(g, theirs, login, tenant_a):
    with tenant_scope(tenant_a):
        proposal = _propose(g)
    with tenant_scope(theirs.world.cycle.tenant):
        foreign_proposal = _propose(theirs)
    url = f"/t/alpha/appraisal/goal-proposals/{proposal.pk}/withdraw/"
    assert b"proposal-withdraw" not in login(g.world.users["manager"]).get(_goals(g.world.appraisal)).content
    employee = login(g.world.users["employee"])
    assert b"proposal-withdraw" in employee.get(_goals(g.world.appraisal)).content
    stale = employee.post(url, {"lock_version": proposal.lock_version + 5})
    assert stale.status_code == 409 and b"alert" in stale.content
    assert employee.post(url, {"lock_version": proposal.lock_version}).status_code == 302
    with tenant_scope(tenant_a):
        assert GoalProposal.objects.get(pk=proposal.pk).status == ProposalStatus.WITHDRAWN
    again = employee.post(url, {"lock_version": proposal.lock_version + 1})
    assert again.status_code == 400
    foreign = f"/t/alpha/appraisal/goal-proposals/{foreign_proposal.pk}/withdraw/"
    assert employee.post(foreign, {"lock_version": 1}).status_code == 404


def test_who_opens_the_pages(g, theirs, login):
    for key, code in (
        ("hr", 200),
        ("auditor", 200),
        ("manager", 200),
        ("employee", 200),
        ("colleague", 404),
        ("outsider", 404),
        ("upper", 404),
    ):
        client = login(g.world.users[key])
        for url in (_goals(g.world.appraisal), f"/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/"):
            assert client.get(url).status_code == code, (key, url)
    client = login(g.world.users["hr"])
    assert b'id="goal-proposal-form"' not in client.get(_goals(g.world.appraisal)).content
    for url in (
        _goals(theirs.world.appraisal),
        f"/t/alpha/appraisal/{theirs.world.appraisal.pk}/check-ins/",
        "/t/alpha/appraisal/999999/goals/",
    ):
        assert client.get(url).status_code == 404


def test_private_notes_are_read_by_their_author_only(g, login, tenant_a):
    with tenant_scope(tenant_a):
        goal = PersonalGoal.objects.create(
            appraisal=g.world.appraisal,
            goal=g.position_goal,
            kpi=g.kpi,
            target=Decimal("1"),
            weight=Decimal("100"),
        )
    client = login(g.world.users["manager"])
    url = f"/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/"
    today = timezone.localdate().isoformat()
    posted = client.post(
        url,
        {
            "held_on": today,
            "progress": "Good start",
            "obstacles": "",
            "private_note": "MANAGER-SECRET",
            "goalnotes-0-personal_goal": goal.pk,
            "goalnotes-0-progress": "40 %",
            "actions-0-id": "",
            "actions-0-description": "Book training",
            "actions-0-owner": "employee",
            "actions-0-due_on": today,
        },
    )
    assert posted.status_code == 302
    with tenant_scope(tenant_a):
        check_in = CheckIn.objects.get()
        check_ins.check_in_private_note_set(
            actor=g.world.users["employee"], check_in=check_in, text="EMPLOYEE-SECRET"
        )
    pages = {
        key: login(g.world.users[key]).get(url).content for key in ("manager", "employee", "hr", "auditor")
    }
    assert b"MANAGER-SECRET" in pages["manager"] and b"EMPLOYEE-SECRET" not in pages["manager"]
    assert b"EMPLOYEE-SECRET" in pages["employee"] and b"MANAGER-SECRET" not in pages["employee"]
    for key in ("hr", "auditor"):
        assert b"SECRET" not in pages[key] and b"Good start" in pages[key]
    assert b"Book training" in pages["employee"] and b"40 %" in pages["employee"]
    audit = login(g.world.users["hr"]).get("/t/alpha/audit/")
    assert b"SECRET" not in audit.content


def test_a_bad_check_in_shows_its_errors(g, login):
    client = login(g.world.users["employee"])
    url = f"/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/"
    refused = client.post(
        url,
        {
            "held_on": "2999-01-01",
            "actions-0-description": "x",
            "actions-0-owner": "boss",
            "actions-0-due_on": "",
        },
    )
    assert refused.status_code == 400
    assert b"Action 1" in refused.content or "行动".encode() in refused.content


def test_goals_to_agree_and_the_manager_home(g, login, tenant_a, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        for kpi in (g.kpi, g.other_kpi):
            _propose(g, kpi=kpi)
    client = login(g.world.users["manager"])
    with django_assert_max_num_queries(12):
        page = client.get("/t/alpha/appraisal/goals-to-agree/")
    assert page.status_code == 200 and page.content.count(b"data-proposal=") == 2
    assert b"ap Employee" in page.content
    home = client.get("/t/alpha/?as=manager")
    assert b'id="not-talked-to"' in home.content and b"ap Colleague" in home.content
    mine = login(g.world.users["employee"]).get("/t/alpha/appraisal/goals-to-agree/")
    assert mine.status_code == 200 and b'id="goals-to-agree-empty"' in mine.content


def _counted(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return sum(1 for q in context.captured_queries if "set_config('app.tenant_id'" not in q["sql"])


def test_the_pages_read_a_fixed_number_of_queries(g, login, tenant_a):
    manager = login(g.world.users["manager"])
    goals, check_ins_url = _goals(g.world.appraisal), f"/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/"
    with tenant_scope(tenant_a):
        _propose(g)
    one = _counted(manager, goals), _counted(manager, check_ins_url)
    with tenant_scope(tenant_a):
        accepted = goal_proposals.goal_proposal_accept(
            actor=g.world.users["manager"], proposal=GoalProposal.objects.get(), lock_version=1
        )
        _propose(g, kpi=g.other_kpi, weight="40")
        for day in (1, 2):
            check_ins.check_in_create(
                actor=g.world.users["manager"],
                appraisal=g.world.appraisal,
                data={
                    "held_on": timezone.localdate() - dt.timedelta(days=day),
                    "private_note": "n",
                    "goal_notes": [{"personal_goal": accepted.personal_goal, "progress": "p"}],
                    "actions": [{"description": "a", "owner": "employee", "due_on": timezone.localdate()}],
                },
            )
    more = _counted(manager, goals), _counted(manager, check_ins_url)
    assert more[0] <= one[0] + 1  # the first agreed goal adds the versions' prefetch, then nothing per row
    assert more[1] <= one[1] + 4  # the first check-in adds its prefetches, nothing per row
    with tenant_scope(tenant_a):
        _propose(g, kpi=g.unit_goal.kpi, weight="10")
        check_ins.check_in_create(
            actor=g.world.users["manager"],
            appraisal=g.world.appraisal,
            data={"held_on": timezone.localdate()},
        )
    assert (_counted(manager, goals), _counted(manager, check_ins_url)) == more


def test_goal_setting_shows_the_development_notes_of_earlier_cycles(g, login, tenant_a):
    from appraisal.models import DevelopmentNote
    from tests.factories.appraisal import AppraisalFactory, CycleFactory

    with tenant_scope(tenant_a):
        earlier = AppraisalFactory(
            cycle=CycleFactory(name="Last year"), employee=g.world.employee, stage="final"
        )
        DevelopmentNote.objects.create(
            appraisal=earlier, employee=g.world.employee, kind="training", text="Negotiation course"
        )
        DevelopmentNote.objects.create(
            appraisal=g.world.appraisal,
            employee=g.world.employee,
            kind="mentoring",
            text="This cycle's own note",
        )
        DevelopmentNote.objects.create(
            appraisal=g.world.colleague_appraisal,
            employee=g.world.colleague,
            kind="rotation",
            text="Someone else's",
        )
    page = login(g.world.users["employee"]).get(_goals(g.world.appraisal))
    notes = page.content.decode()
    assert "Negotiation course" in notes and "Last year" in notes
    assert "This cycle's own note" not in notes and "Someone else's" not in notes


def test_the_author_edits_a_check_in_and_a_stale_save_is_a_409(g, login, tenant_a):
    with tenant_scope(tenant_a):
        check_in = check_ins.check_in_create(
            actor=g.world.users["manager"],
            appraisal=g.world.appraisal,
            data={"held_on": timezone.localdate(), "progress": "First talk"},
        )
    url = f"/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/"
    employee = login(g.world.users["employee"])
    assert b"check-in-edit" not in employee.get(url).content  # the manager recorded it
    assert employee.get(f"{url}?edit={check_in.pk}").status_code == 200
    refused = employee.post(
        url,
        {
            "edit": check_in.pk,
            "held_on": timezone.localdate().isoformat(),
            "lock_version": check_in.lock_version,
            "progress": "Mine now",
        },
    )
    assert refused.status_code == 400
    manager = login(g.world.users["manager"])
    assert b"check-in-edit" in manager.get(url).content
    body = {"edit": check_in.pk, "held_on": timezone.localdate().isoformat(), "progress": "Second version"}
    assert manager.post(url, body | {"lock_version": check_in.lock_version}).status_code == 302
    stale = manager.post(url, body | {"progress": "Third", "lock_version": check_in.lock_version})
    assert stale.status_code == 409
    with tenant_scope(tenant_a):
        assert CheckIn.objects.get().progress == "Second version"
    assert login(g.world.users["hr"]).get(f"{url}?edit={check_in.pk}").status_code == 200  # reads, no form


def test_a_new_check_in_is_dated_today_in_the_tenants_zone(g, login):
    """The date input takes ISO dates only: a localised initial (2026/12/07) would show an empty field."""
    from django.utils import timezone

    from collab.selectors.audit.events import tenant_zone
    from collab.services.accounts.preferences import user_language_set

    user_language_set(user=g.world.users["manager"], language="zh-hans")
    page = login(g.world.users["manager"]).get(f"/t/alpha/appraisal/{g.world.appraisal.pk}/check-ins/")
    today = timezone.localdate(timezone=tenant_zone(g.world.period.tenant.timezone))
    assert f'name="held_on" value="{today.isoformat()}"'.encode() in page.content
