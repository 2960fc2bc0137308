"""The calendar moves appraisals up to the manager's assessment and no further; HR reopens a stage for one
person with a reason; the board's overdue rule; reminders once a day; the daily task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from appraisal.models import (
    Appraisal,
    Confirmation,
    CycleStage,
    CycleStatus,
    GoalProposal,
    PersonalGoal,
    Stage,
    StageReopening,
)
from appraisal.selectors.board import board_rows, board_summary, row_deadline, row_overdue
from appraisal.selectors.stages import cycle_windows
from appraisal.services.reminders import appraisals_remind, stage_reminders_send
from appraisal.services.stages import appraisals_advance, stage_reopen
from appraisal.tasks import appraisals_daily
from collab.models import AuditEvent, Notification
from collab.tenancy import tenant_scope
from tests.factories.appraisal import appraisal_world
from tests.factories.goals import GoalFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _stages(world):
    return {row.stage: row for row in CycleStage.objects.filter(cycle=world.cycle)}


def test_the_calendar_moves_people_up_to_the_manager_assessment_only(tenant_a):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.GOAL_SETTING, now=NOW)
        stages = _stages(world)
        assert appraisals_advance(world.cycle, NOW) == 0
        at_self = stages[Stage.SELF_ASSESSMENT].opens_at + DAY
        assert appraisals_advance(world.cycle, at_self) == 2
        assert set(Appraisal.objects.values_list("stage", flat=True)) == {Stage.SELF_ASSESSMENT}
        assert appraisals_advance(world.cycle, at_self) == 0  # idempotent
        # Calibration's dates have come: the calendar stops at the manager's assessment.
        at_calibration = stages[Stage.CALIBRATION].opens_at + DAY
        assert appraisals_advance(world.cycle, at_calibration) == 2
        assert set(Appraisal.objects.values_list("stage", flat=True)) == {Stage.MANAGER_ASSESSMENT}
        event = AuditEvent.objects.filter(action="appraisal.stage_advance").latest("id")
        assert event.after == {"stage": "manager_assessment", "appraisals": 2}
        world.cycle.status = CycleStatus.CLOSED
        world.cycle.save()
        Appraisal.objects.update(stage=Stage.GOAL_SETTING)
        assert appraisals_advance(world.cycle, at_calibration) == 0


def test_nobody_moves_back_or_past_their_own_action(tenant_a):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=NOW)
        Appraisal.objects.filter(pk=world.appraisal.pk).update(stage=Stage.CALIBRATION)
        assert appraisals_advance(world.cycle, NOW) == 0
        assert Appraisal.objects.get(pk=world.appraisal.pk).stage == Stage.CALIBRATION


def test_hr_reopens_a_stage_for_one_person_who_then_stays_in_it(tenant_a):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=NOW)
        hr = world.users["hr"]
        reopening = stage_reopen(actor=hr, appraisal=world.appraisal, stage=Stage.GOAL_SETTING,
                                 reason="Was on leave", until=NOW + 3 * DAY, now=NOW)  # fmt: skip
        assert reopening.reopened_by == hr
        world.appraisal.refresh_from_db()
        assert world.appraisal.stage == Stage.GOAL_SETTING
        assert appraisals_advance(world.cycle, NOW + DAY) == 0  # held by the reopening
        assert appraisals_advance(world.cycle, NOW + 4 * DAY) == 1  # its deadline passed
        event = AuditEvent.objects.get(action="appraisal.stage_reopen")
        assert event.after["reason"] == "Was on leave" and event.before == {"stage": "self_assessment"}
        notice = Notification.objects.get()
        assert notice.recipient == world.users["employee"] and "Was on leave" in notice.body
        assert notice.title == "Goal setting reopened: ap cycle"


@pytest.mark.parametrize(
    ("stage", "reason", "until", "keys"),
    [
        (Stage.CALIBRATION, "r", NOW + DAY, {"stage"}),
        (Stage.MANAGER_ASSESSMENT, "r", NOW + DAY, {"stage"}),  # not reached yet
        (Stage.GOAL_SETTING, "  ", NOW - DAY, {"reason", "until"}),
        (Stage.GOAL_SETTING, "r\x00", "tomorrow", {"reason", "until"}),
    ],
)
def test_a_reopening_needs_a_reached_stage_a_reason_and_a_future_deadline(
    tenant_a, stage, reason, until, keys
):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=NOW)
        with pytest.raises(ValidationError) as refused:
            stage_reopen(actor=world.users["hr"], appraisal=world.appraisal, stage=stage, reason=reason,
                         until=until, now=NOW)  # fmt: skip
        assert set(refused.value.message_dict) == keys
        assert not StageReopening.objects.exists()


def test_the_board_says_who_is_overdue_and_why(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        appraisal_world(tenant_b, prefix="zz", current=Stage.MANAGER_ASSESSMENT, now=NOW)
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=NOW)
        # The employee agreed goals and has nothing pending; the colleague has a proposal unanswered.
        goal_owner = world.appraisal
        goal = GoalFactory()
        PersonalGoal.objects.create(appraisal=goal_owner, goal=goal, kpi=goal.kpi, target=1, weight=100)
        GoalProposal.objects.create(appraisal=world.colleague_appraisal)
        rows = {row.employee.name: row_overdue(row) for row in board_rows(world.cycle, now=NOW)}
        assert rows == {"ap Employee": [], "ap Colleague": [Stage.GOAL_SETTING]}
        later = _stages(world)[Stage.SELF_ASSESSMENT].deadline + DAY
        overdue = board_rows(world.cycle, now=later, overdue=True)
        rows = {row.employee.name: row_overdue(row) for row in overdue}
        assert rows == {"ap Employee": [Stage.SELF_ASSESSMENT],
                        "ap Colleague": [Stage.GOAL_SETTING, Stage.SELF_ASSESSMENT]}  # fmt: skip
        Appraisal.objects.filter(pk=goal_owner.pk).update(self_submitted_at=NOW)
        overdue = board_rows(world.cycle, now=later, overdue=True)
        assert [r.pk for r in overdue] == [world.colleague_appraisal.pk]
        StageReopening.objects.create(appraisal=world.colleague_appraisal, stage=Stage.SELF_ASSESSMENT,
                                      reason="r", until=later + DAY)  # fmt: skip
        assert row_overdue(board_rows(world.cycle, now=later).get(pk=world.colleague_appraisal.pk)) == [
            Stage.GOAL_SETTING
        ]
        held = board_rows(world.cycle, now=later).get(pk=world.colleague_appraisal.pk)
        assert row_deadline(held, cycle_windows(world.cycle)) == later + DAY
        summary = board_summary(world.cycle, now=later)
        assert summary.total == 2 and summary.overdue == 1
        assert [(u.name, u.people, u.overdue) for u in summary.by_unit] == [("ap team", 2, 1)]
        assert dict((s, n) for s, _label, n in summary.by_stage)[Stage.SELF_ASSESSMENT] == 2
        assert not board_rows(world.cycle, now=later, unit=world.outsider.org_unit).exists()
        assert not board_rows(world.cycle, now=later, stage=Stage.CALIBRATION).exists()
        # A released result not answered by its date is overdue too.
        Appraisal.objects.filter(pk=goal_owner.pk).update(
            stage=Stage.CONFIRMATION, confirmation=Confirmation.AWAITING, confirm_by=later - DAY
        )
        assert row_overdue(board_rows(world.cycle, now=later).get(pk=goal_owner.pk)) == [Stage.CONFIRMATION]


def test_reminders_go_to_whoever_owes_the_action_once_a_day(tenant_a):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=NOW)
        Appraisal.objects.filter(pk=world.colleague_appraisal.pk).update(stage=Stage.MANAGER_ASSESSMENT)
        rows = list(Appraisal.objects.select_related("cycle", "employee__user", "manager__user"))
        assert appraisals_remind(actor=world.users["hr"], appraisals=rows, now=NOW) == 2
        assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
            "ap-employee", "ap-manager",
        }  # fmt: skip
        rows = list(Appraisal.objects.select_related("cycle", "employee__user", "manager__user"))
        later = NOW + dt.timedelta(hours=2)
        assert appraisals_remind(actor=world.users["hr"], appraisals=rows, now=later) == 0
        assert appraisals_remind(actor=world.users["hr"], appraisals=rows, now=NOW + DAY) == 2
        assert Notification.objects.count() == 4
        assert AuditEvent.objects.filter(action="appraisal.remind").count() == 2


def test_the_daily_task_advances_and_reminds_once_a_stage(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.GOAL_SETTING, now=NOW)
        self_stage = _stages(world)[Stage.SELF_ASSESSMENT]
    with tenant_scope(tenant_b):
        appraisal_world(tenant_b, prefix="zz", current=Stage.GOAL_SETTING, now=NOW)
    # Two days before the self-assessment deadline (the default lead is three days).
    moment = (self_stage.deadline - 2 * DAY).isoformat()
    unanswered = {"auto_confirmed": 0, "escalated": 0}
    first, second = (appraisals_daily.apply(args=[tenant_a.pk, moment]).get() for _ in range(2))
    assert first == {"advanced": 2, "reminded": 2, **unanswered}
    assert second == {"advanced": 0, "reminded": 0, **unanswered}
    with tenant_scope(tenant_a):
        assert Notification.objects.count() == 2
        assert CycleStage.objects.get(pk=self_stage.pk).reminded_at is not None
        assert stage_reminders_send(cycle=world.cycle, now=self_stage.deadline - DAY) == 0
    with tenant_scope(tenant_b):
        assert set(Appraisal.objects.values_list("stage", flat=True)) == {Stage.GOAL_SETTING}
        assert not Notification.objects.exists()


def test_setup_schedules_registers_the_daily_run(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    call_command("setup_schedules")
    task = PeriodicTask.objects.get(task="appraisal.appraisals_daily_all_tenants")
    assert task.enabled and task.crontab.hour == "6"
