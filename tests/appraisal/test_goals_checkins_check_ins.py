"""Check-ins: either side records one, its author edits it (409 when stale), private notes are read by
their author only, actions are marked done by their owner, nothing changes after final; the manager home's
"Not talked to this period"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appraisal.models import CheckInAction, CheckInPrivateNote, CycleStatus, PersonalGoal, Stage
from appraisal.selectors.check_ins import check_ins_of, not_talked_to, talk_since
from appraisal.services import check_ins as services
from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from tests.appraisal.goals_checkins_setup import goals_world

pytestmark = pytest.mark.django_db


def _goal(g):
    return PersonalGoal.objects.get_or_create(
        appraisal=g.world.appraisal,
        goal=g.position_goal,
        defaults={"kpi": g.kpi, "target": Decimal("10"), "weight": Decimal("100")},
    )[0]


def _record(g, who="manager", **extra):
    today = timezone.localdate()
    data = {
        "held_on": today.isoformat(),
        "progress": "On track",
        "obstacles": "Supplier late",
        "goal_notes": [{"personal_goal": _goal(g), "progress": "Half way"}],
        "actions": [
            {"description": "Call supplier", "owner": "employee", "due_on": today + dt.timedelta(days=7)},
            {"description": "Approve budget", "owner": "manager", "due_on": today + dt.timedelta(days=3)},
        ],
        "private_note": f"{who}'s own thoughts",
    } | extra
    return services.check_in_create(actor=g.world.users[who], appraisal=g.world.appraisal, data=data)


def test_either_side_records_and_both_read_it_but_only_their_own_private_note(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        check_in = _record(g)
        services.check_in_private_note_set(actor=g.world.users["employee"], check_in=check_in, text="mine")
        assert CheckInPrivateNote.objects.count() == 2
        for key, expected in (("manager", ["manager's own thoughts"]), ("employee", ["mine"]), ("hr", [])):
            [row] = check_ins_of(g.world.appraisal, g.world.users[key])
            assert [note.text for note in row.my_notes] == expected
            assert [a.description for a in row.actions.all()] == ["Approve budget", "Call supplier"]
            assert [n.progress for n in row.goal_notes.all()] == ["Half way"]
        audit = list(AuditEvent.objects.filter(object_id=str(check_in.pk)).values_list("action", "after"))
        assert {action for action, _after in audit} == {"check_in.create", "check_in.private_note"}
        assert "own thoughts" not in str(audit) and "mine" not in str(audit)


def test_only_the_two_sides_record_and_not_after_final(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        for key in ("hr", "upper", "colleague"):
            with pytest.raises(ValidationError) as refused:
                _record(g, who=key)
            assert "appraisal" in refused.value.message_dict
        g.world.appraisal.stage = Stage.FINAL
        g.world.appraisal.save()
        with pytest.raises(ValidationError):
            _record(g, who="employee")


def test_field_errors_for_dates_owners_and_goals(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        other = PersonalGoal.objects.create(
            appraisal=g.world.colleague_appraisal,
            goal=g.position_goal,
            kpi=g.kpi,
            target=Decimal("1"),
            weight=Decimal("1"),
        )
        with pytest.raises(ValidationError) as refused:
            _record(
                g,
                held_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat(),
                goal_notes=[{"personal_goal": other, "progress": "x"}],
                actions=[{"description": "", "owner": "boss", "due_on": "not a date"}],
            )
        assert set(refused.value.message_dict) == {
            "held_on",
            "goal_notes-0-personal_goal",
            "actions-0-description",
            "actions-0-owner",
            "actions-0-due_on",
        }


def test_the_author_edits_keeping_done_actions_and_a_stale_save_is_refused(tenant_a):
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        check_in = _record(g)
        call = CheckInAction.objects.get(description="Call supplier")
        with pytest.raises(ValidationError):  # the owner is the employee
            services.check_in_action_done(
                actor=g.world.users["manager"], action=call, lock_version=call.lock_version
            )
        services.check_in_action_done(
            actor=g.world.users["employee"], action=call, lock_version=call.lock_version
        )
        call.refresh_from_db()
        assert call.done_at is not None
        data = {
            "held_on": check_in.held_on,
            "progress": "Better",
            "obstacles": "",
            "actions": [
                {"id": call.pk, "description": "Call supplier", "owner": "employee", "due_on": call.due_on}
            ],
        }
        with pytest.raises(ValidationError):  # not the author
            services.check_in_update(
                actor=g.world.users["employee"],
                check_in=check_in,
                data=data,
                lock_version=check_in.lock_version,
            )
        saved = services.check_in_update(
            actor=g.world.users["manager"], check_in=check_in, data=data, lock_version=check_in.lock_version
        )
        assert saved.progress == "Better" and saved.lock_version == check_in.lock_version + 1
        assert list(CheckInAction.objects.values_list("description", flat=True)) == ["Call supplier"]
        call.refresh_from_db()
        assert call.done_at is not None
        assert AuditEvent.objects.filter(action="check_in.update", object_id=str(check_in.pk)).exists()
        with pytest.raises(StaleEditError):
            services.check_in_update(
                actor=g.world.users["manager"],
                check_in=check_in,
                data=data,
                lock_version=check_in.lock_version,
            )


def test_not_talked_to_lists_reports_without_a_check_in_this_period(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        goals_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        g = goals_world(tenant_a)
        today = timezone.localdate()
        listed = not_talked_to(g.world.manager, today)
        assert {row.appraisal.employee.name for row in listed} == {"ap Employee", "ap Colleague"}
        _record(g)
        assert [row.appraisal for row in not_talked_to(g.world.manager, today)] == [
            g.world.colleague_appraisal
        ]
        assert not_talked_to(g.world.employee, today) == []
        g.world.cycle.status = CycleStatus.CLOSED
        g.world.cycle.save()
        assert not_talked_to(g.world.manager, today) == []


def test_a_year_looks_back_ninety_days_and_a_quarter_to_its_start():
    year = Period(kind=Period.Kind.YEAR, year=2026)
    quarter = Period(kind=Period.Kind.QUARTER, year=2026, quarter=3)
    assert talk_since(year, dt.date(2026, 11, 30)) == dt.date(2026, 9, 1)
    assert talk_since(year, dt.date(2026, 2, 1)) == dt.date(2026, 1, 1)
    assert talk_since(quarter, dt.date(2026, 8, 15)) == dt.date(2026, 7, 1)
