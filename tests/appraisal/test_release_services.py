"""Release, the result meeting, confirming and appeals with a frozen clock: what is released (closed
sessions only), defaults of the final grade and its source, the employee's answers, auto-confirmation at
the deadline, appeal escalation upper manager → HR, and nothing changing after final."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appraisal.models import (
    Appeal,
    AppealStatus,
    Appraisal,
    AppraisalPolicy,
    Confirmation,
    DevelopmentNote,
    GradeChange,
    GradeSource,
    Stage,
)
from appraisal.services.appeals import appeal_decide, appeal_raise, appeals_escalate
from appraisal.services.calibration import calibration_change_grade, calibration_close, calibration_create
from appraisal.services.release import (
    cycle_release,
    release_readiness,
    result_confirm,
    result_meeting_record,
    results_auto_confirm,
)
from appraisal.services.results import development_note_add
from appraisal.tasks import appraisals_daily
from collab.models import AuditEvent, Notification
from collab.tenancy import tenant_scope
from tests.factories.appraisal_calibration import assessed, calibration_world

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = calibration_world(tenant_b, prefix="zz", grades=("B", "B"))
        cycle_release(actor=other.users["hr"], cycle=other.cycle, now=NOW)
    with tenant_scope(tenant_a):
        yield calibration_world(tenant_a, grades=("S", "B", "C"))


def _released(world):
    return cycle_release(actor=world.users["hr"], cycle=world.cycle, now=NOW)


def _fresh(appraisal) -> Appraisal:
    return Appraisal.objects.get(pk=appraisal.pk)


def test_release_takes_what_is_ready_and_lists_the_rest(world):
    world.colleague_appraisal.level = "M1"
    world.colleague_appraisal.save()
    session = calibration_create(
        actor=world.users["hr"],
        cycle=world.cycle,
        name="M1 group",
        org_unit=None,
        levels=["M1"],
        members=[world.users["manager"]],
    )
    world.others[0].stage = Stage.MANAGER_ASSESSMENT
    world.others[0].save()
    result = _released(world)
    assert result.released == [world.appraisal.pk]
    assert {a.pk for a in result.not_ready} == {world.colleague_appraisal.pk, world.others[0].pk}
    employee = _fresh(world.appraisal)
    assert employee.stage == Stage.CONFIRMATION and employee.released_at == NOW
    assert employee.confirmation == Confirmation.AWAITING and employee.confirm_by == NOW + timedelta(days=7)
    assert employee.final_grade == world.grades["S"] and employee.final_source == GradeSource.ASSESSMENT
    assert {a.pk for a in release_readiness(world.cycle).not_ready} == {
        world.colleague_appraisal.pk,
        world.others[0].pk,
    }
    calibration_change_grade(
        actor=world.users["manager"],
        session=session,
        appraisal=world.colleague_appraisal,
        grade=world.grades["A"],
        reason_code="evidence",
        reason="Overlooked project",
    )
    calibration_close(actor=world.users["manager"], session=session, note="A small group")
    later = cycle_release(actor=world.users["hr"], cycle=world.cycle, now=NOW + timedelta(days=1))
    assert later.released == [world.colleague_appraisal.pk]
    colleague = _fresh(world.colleague_appraisal)
    assert colleague.final_grade == world.grades["A"] and colleague.final_source == GradeSource.CALIBRATION
    assert AuditEvent.objects.filter(action="appraisal.release", object_id=str(world.cycle.pk)).count() == 2


def test_nothing_ready_is_a_field_error(world):
    Appraisal.objects.filter(cycle=world.cycle).update(stage=Stage.MANAGER_ASSESSMENT)
    with pytest.raises(ValidationError) as nothing:
        _released(world)
    assert "cycle" in nothing.value.message_dict


def test_the_employee_confirms_within_the_window_and_then_nothing_changes(world):
    AppraisalPolicy.objects.update(confirmation_days=3)
    _released(world)
    with pytest.raises(ValidationError):  # only the person appraised confirms
        result_confirm(actor=world.users["manager"], appraisal=world.appraisal, now=NOW)
    result_meeting_record(
        actor=world.users["manager"], appraisal=world.appraisal, held_at=NOW, note="Talked it through"
    )
    done = result_confirm(
        actor=world.users["employee"], appraisal=world.appraisal, now=NOW + timedelta(days=2)
    )
    assert done.stage == Stage.FINAL and done.confirmation == Confirmation.CONFIRMED
    assert done.finalised_at == NOW + timedelta(days=2) and done.result_meeting_note == "Talked it through"
    for attempt in (
        lambda: result_confirm(actor=world.users["employee"], appraisal=world.appraisal, now=NOW),
        lambda: appeal_raise(
            actor=world.users["employee"], appraisal=world.appraisal, reason="late", now=NOW
        ),
        lambda: result_meeting_record(
            actor=world.users["manager"], appraisal=world.appraisal, held_at=NOW, note="again"
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "stage" in refused.value.message_dict
    late = result_confirm
    with pytest.raises(ValidationError) as expired:
        late(actor=world.users["colleague"], appraisal=world.colleague_appraisal, now=NOW + timedelta(days=4))
    assert "confirmation" in expired.value.message_dict


def test_auto_confirm_at_the_deadline_by_the_daily_task(world, tenant_a, tenant_b):
    _released(world)
    assert results_auto_confirm(NOW + timedelta(days=6)) == []
    result_confirm(actor=world.users["employee"], appraisal=world.appraisal, now=NOW)
    done = results_auto_confirm(NOW + timedelta(days=7, seconds=1))
    assert set(done) == {world.colleague_appraisal.pk, *[o.pk for o in world.others]}
    colleague = _fresh(world.colleague_appraisal)
    assert colleague.stage == Stage.FINAL and colleague.confirmation == Confirmation.AUTO_CONFIRMED
    assert _fresh(world.appraisal).confirmation == Confirmation.CONFIRMED
    assert results_auto_confirm(NOW + timedelta(days=8)) == []  # twice changes nothing
    with tenant_scope(tenant_b):  # the other tenant's results were not touched
        assert not Appraisal.objects.filter(stage=Stage.FINAL).exists()


def test_the_daily_task_runs_both_answers(world, tenant_a, monkeypatch):
    _released(world)
    monkeypatch.setattr(timezone, "now", lambda: NOW + timedelta(days=30))
    result = appraisals_daily.run(tenant_a.pk)
    assert result["auto_confirmed"] == 3 and result["escalated"] == 0


def test_an_appeal_goes_to_the_managers_manager_who_may_change_the_grade(world):
    _released(world)
    with pytest.raises(ValidationError) as empty:
        appeal_raise(actor=world.users["employee"], appraisal=world.appraisal, reason=" ", now=NOW)
    assert "reason" in empty.value.message_dict
    appeal = appeal_raise(
        actor=world.users["employee"],
        appraisal=world.appraisal,
        reason="My project",
        now=NOW + timedelta(hours=1),
    )
    assert appeal.status == AppealStatus.AT_UPPER_MANAGER and appeal.upper_manager == world.upper_manager
    assert appeal.level_deadline == NOW + timedelta(hours=1, days=5)
    assert _fresh(world.appraisal).confirmation == Confirmation.APPEALED
    with pytest.raises(ValidationError):  # HR waits for the upper manager's answer
        appeal_decide(actor=world.users["hr"], appeal=appeal, decision="uphold", note="x", now=NOW)
    with pytest.raises(ValidationError) as no_grade:
        appeal_decide(actor=world.users["upper"], appeal=appeal, decision="change", note="Fair", now=NOW)
    assert {"grade", "reason_code"} <= set(no_grade.value.message_dict)
    appeal_decide(
        actor=world.users["upper"],
        appeal=appeal,
        decision="change",
        note="Fair point",
        grade=world.grades["A"],
        reason_code="evidence",
        now=NOW + timedelta(days=1),
    )
    decided = _fresh(world.appraisal)
    assert decided.stage == Stage.FINAL and decided.confirmation == Confirmation.DECIDED
    assert decided.final_grade == world.grades["A"] and decided.final_source == GradeSource.APPEAL
    assert decided.result_score == Decimal("103.75")  # (112 × 50 + A's 90 × 30) / 80: the score follows
    change = GradeChange.objects.get(appraisal=world.appraisal)
    assert change.source == GradeSource.APPEAL and change.before == world.grades["S"]
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.DECIDED
    with pytest.raises(ValidationError):
        appeal_decide(actor=world.users["hr"], appeal=appeal, decision="uphold", note="again", now=NOW)


def test_an_unanswered_appeal_escalates_to_hr_who_decides(world):
    _released(world)
    appeal = appeal_raise(
        actor=world.users["colleague"], appraisal=world.colleague_appraisal, reason="Unfair", now=NOW
    )
    assert appeals_escalate(NOW + timedelta(days=4)) == []
    assert appeals_escalate(NOW + timedelta(days=5, seconds=1)) == [appeal.pk]
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.AT_HR
    assert appeal.level_deadline == NOW + timedelta(days=10, seconds=1)
    assert [step.decision for step in appeal.steps.all()] == ["deadline"]
    assert appeals_escalate(NOW + timedelta(days=6)) == []
    with pytest.raises(ValidationError):  # the upper manager's turn is over
        appeal_decide(actor=world.users["upper"], appeal=appeal, decision="uphold", note="late", now=NOW)
    with pytest.raises(ValidationError) as last_level:
        appeal_decide(actor=world.users["hr"], appeal=appeal, decision="escalate", note="?", now=NOW)
    assert "decision" in last_level.value.message_dict
    appeal_decide(actor=world.users["hr"], appeal=appeal, decision="uphold", note="The grade stands", now=NOW)
    decided = _fresh(world.colleague_appraisal)
    assert decided.stage == Stage.FINAL and decided.final_grade == world.grades["B"]
    assert decided.final_source == GradeSource.APPEAL


def test_an_appeal_without_an_upper_manager_starts_with_hr_and_the_upper_manager_may_pass_it(world):
    _released(world)
    world.manager.manager = None
    world.manager.save()
    direct = appeal_raise(actor=world.users["employee"], appraisal=world.appraisal, reason="r", now=NOW)
    assert direct.status == AppealStatus.AT_HR and direct.upper_manager is None
    assert direct.level_deadline == NOW + timedelta(days=5)
    world.manager.manager = world.upper_manager
    world.manager.save()
    passed = appeal_raise(
        actor=world.users["colleague"], appraisal=world.colleague_appraisal, reason="r", now=NOW
    )
    appeal_decide(
        actor=world.users["upper"],
        appeal=passed,
        decision="escalate",
        note="HR should look",
        now=NOW + timedelta(days=1),
    )
    passed.refresh_from_db()
    assert passed.status == AppealStatus.AT_HR and passed.level_deadline == NOW + timedelta(days=6)


def test_evidence_is_only_what_the_employee_reads(world, tenant_b):
    from feedback.models import CollaborationEvent
    from tests.factories.feedback_events import EventFactory

    _released(world)
    mine = EventFactory(from_unit=world.unit, to_unit=world.unit, to_employee=world.employee)
    with tenant_scope(tenant_b):
        foreign = EventFactory()
    hidden = EventFactory(to_employee=world.colleague)  # between two other units, about someone else
    assert not CollaborationEvent.objects.filter(pk=foreign.pk).exists()
    for bad in (
        [{"kind": "event", "id": foreign.pk}],
        [{"kind": "event", "id": hidden.pk}],
        [{"kind": "salary", "id": 1}],
        [{"kind": "event", "id": "x"}],
        ["event:1"],
    ):
        with pytest.raises(ValidationError) as refused:
            appeal_raise(
                actor=world.users["employee"], appraisal=world.appraisal, reason="r", evidence=bad, now=NOW
            )
        assert "evidence" in refused.value.message_dict
    appeal = appeal_raise(
        actor=world.users["employee"],
        appraisal=world.appraisal,
        reason="r",
        evidence=[{"kind": "event", "id": mine.pk}],
        now=NOW,
    )
    label = f"{mine.occurred_at:%Y-%m-%d} {mine.title}"
    assert appeal.evidence == [{"kind": "event", "id": mine.pk, "label": label}]


def _notices(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", "url"))


def test_release_appeal_escalation_and_decision_tell_whoever_acts_next(world):
    _released(world)
    employee, upper, hr = world.users["employee"], world.users["upper"], world.users["hr"]
    result_url = f"/t/alpha/appraisal/{world.appraisal.pk}/result/"
    assert _notices(employee) == [(f"Your result is released: {world.cycle.name}", result_url)]
    colleague_url = f"/t/alpha/appraisal/{world.colleague_appraisal.pk}/result/"
    assert _notices(world.users["colleague"])[0][1] == colleague_url
    appeal = appeal_raise(actor=employee, appraisal=world.appraisal, reason="Unfair", now=NOW)
    waiting = f"An appeal to answer: {world.employee.name}, {world.cycle.name}"
    assert _notices(upper) == [(waiting, result_url)] and _notices(hr) == []
    assert appeals_escalate(now=NOW + timedelta(days=6)) == [appeal.pk]
    assert _notices(hr) == [(waiting, result_url)]
    assert appeals_escalate(now=NOW + timedelta(days=6)) == []  # told once
    appeal_decide(actor=hr, appeal=appeal, decision="uphold", note="The grade stands.",
                  now=NOW + timedelta(days=7))  # fmt: skip
    decided = Notification.objects.filter(recipient=employee).order_by("-pk").first()
    assert decided.title == f"Your appeal is decided: {world.cycle.name}"
    assert "The grade stands." in decided.body and "S · " in decided.body
    assert not Notification.objects.filter(recipient=world.users["auditor"]).exists()


def test_development_notes_after_release_by_the_manager_or_hr(world):
    with pytest.raises(ValidationError) as early:
        development_note_add(
            actor=world.users["manager"], appraisal=world.appraisal, kind="training", text="x"
        )
    assert "stage" in early.value.message_dict
    _released(world)
    with pytest.raises(ValidationError):
        development_note_add(
            actor=world.users["employee"], appraisal=world.appraisal, kind="training", text="x"
        )
    with pytest.raises(ValidationError) as bad_kind:
        development_note_add(actor=world.users["hr"], appraisal=world.appraisal, kind="golf", text="")
    assert {"kind", "text"} <= set(bad_kind.value.message_dict)
    note = development_note_add(
        actor=world.users["manager"],
        appraisal=world.appraisal,
        kind="mentoring",
        text="Pair with a senior analyst",
    )
    assert DevelopmentNote.objects.get(pk=note.pk).employee == world.employee
    assert AuditEvent.objects.filter(action="development_note.create").count() == 1


def test_assessed_helper_keeps_the_stage(world):
    assert assessed(world.appraisal, world.grades["B"]).stage == Stage.CALIBRATION


def test_an_appeal_goes_straight_to_hr_when_the_managers_manager_cannot_sign_in(world):
    _released(world)
    world.users["upper"].is_active = False
    world.users["upper"].save()
    appeal = appeal_raise(actor=world.users["employee"], appraisal=world.appraisal, reason="Unfair", now=NOW)
    assert appeal.status == AppealStatus.AT_HR and appeal.upper_manager is None
    assert appeal.level_deadline == NOW + timedelta(days=5)
    assert _notices(world.users["hr"])[0][0].startswith("An appeal to answer")
