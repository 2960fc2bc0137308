"""Calibration sessions: the scope a session takes, grade changes with a reason (audited), and closing
against the guideline in warn and enforce mode; another tenant's rows never enter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from appraisal.models import (
    AppraisalPolicy,
    CalibrationMember,
    CalibrationStatus,
    DistributionMode,
    GradeChange,
    GradeSource,
    Stage,
)
from appraisal.selectors.calibration import distribution, nine_box, session_appraisals
from appraisal.services.calibration import (
    calibration_change_grade,
    calibration_close,
    calibration_create,
    calibration_set_potential,
)
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from tests.factories.appraisal_calibration import calibration_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        calibration_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        yield calibration_world(tenant_a)


def _session(world, **kwargs):
    hr = world.users["hr"]
    kwargs.setdefault("org_unit", world.unit)
    kwargs.setdefault("members", [world.users["manager"], world.users["committee"]])
    return calibration_create(actor=hr, cycle=world.cycle, name=kwargs.pop("name", "Team"), **kwargs)


def test_a_session_takes_the_units_appraisals_at_calibration_and_no_one_twice(world):
    world.others[0].stage = Stage.MANAGER_ASSESSMENT
    world.others[0].save()
    session = _session(world)
    taken = {a.pk for a in session_appraisals(session)}
    assert world.appraisal.pk in taken and world.colleague_appraisal.pk in taken
    assert world.others[0].pk not in taken and len(taken) == 9
    assert set(CalibrationMember.objects.filter(session=session).values_list("user_id", flat=True)) == {
        world.users["manager"].pk,
        world.users["committee"].pk,
    }
    second = _session(world, name="Again")
    assert session_appraisals(second) == []  # in an open session already
    assert AuditEvent.objects.filter(action="calibration.create", object_id=str(session.pk)).exists()


def test_create_refuses_a_missing_scope_a_duplicate_name_and_a_stranger(world, tenant_b):
    with pytest.raises(ValidationError) as missing:
        _session(world, org_unit=None)
    assert "org_unit" in missing.value.message_dict
    _session(world)
    with pytest.raises(ValidationError) as duplicate:
        _session(world, name="team")
    assert "name" in duplicate.value.message_dict
    from tests.factories import make_member

    stranger = make_member(tenant_b, "manager", username="stranger")
    with pytest.raises(ValidationError) as foreign:
        _session(world, name="Other", members=[stranger])
    assert "members" in foreign.value.message_dict


def test_a_level_group_session_takes_only_those_levels(world):
    world.appraisal.level = "M2"
    world.appraisal.save()
    session = _session(world, org_unit=None, levels=["M2"])
    assert [a.pk for a in session_appraisals(session)] == [world.appraisal.pk]


def test_a_grade_change_needs_a_reason_and_is_recorded_and_audited(world):
    session = _session(world)
    b = world.grades["B"]
    with pytest.raises(ValidationError) as invalid:
        calibration_change_grade(
            actor=world.users["manager"],
            session=session,
            appraisal=world.appraisal,
            grade=b,
            reason_code="nonsense",
            reason=" ",
        )
    assert {"reason_code", "reason"} <= set(invalid.value.message_dict)
    calibration_change_grade(
        actor=world.users["manager"],
        session=session,
        appraisal=world.appraisal,
        grade=b,
        reason_code="consistency",
        reason="In line with the other teams",
        lock_version=world.appraisal.lock_version,
    )
    world.appraisal.refresh_from_db()
    assert world.appraisal.final_grade == b and world.appraisal.final_source == GradeSource.CALIBRATION
    assert world.appraisal.manager_grade == world.grades["S"]  # the manager's own grade stays as it was
    # The score follows the grade: (scorecard 112 × 50 + B's 80 × 30) / 80, the review part having no data.
    assert world.appraisal.result_score == Decimal("100.00")
    change = GradeChange.objects.get(appraisal=world.appraisal)
    assert (change.before, change.after, change.session, change.changed_by) == (
        world.grades["S"],
        b,
        session,
        world.users["manager"],
    )
    event = AuditEvent.objects.get(action="calibration.grade_change", object_id=str(world.appraisal.pk))
    assert event.before == {"grade": "S"} and event.after["grade"] == "B"
    with pytest.raises(ValidationError):  # the same grade again
        calibration_change_grade(
            actor=world.users["hr"],
            session=session,
            appraisal=world.appraisal,
            grade=b,
            reason_code="other",
            reason="again",
        )


def test_a_person_outside_the_session_is_refused(world):
    session = _session(world, org_unit=None, levels=["none"])
    with pytest.raises(ValidationError) as outside:
        calibration_change_grade(
            actor=world.users["hr"],
            session=session,
            appraisal=world.appraisal,
            grade=world.grades["B"],
            reason_code="other",
            reason="x",
        )
    assert "appraisal" in outside.value.message_dict


def test_warn_mode_closes_outside_the_guideline_only_with_a_note(world):
    session = _session(world)
    calibration_change_grade(
        actor=world.users["hr"],
        session=session,
        appraisal=world.others[3],
        grade=world.grades["S"],
        reason_code="evidence",
        reason="Big project",
    )
    assert not distribution(session_appraisals(session)).met
    with pytest.raises(ValidationError) as unexplained:
        calibration_close(actor=world.users["hr"], session=session, attended=[world.users["manager"]])
    assert "note" in unexplained.value.message_dict and "S ≤ 10 %" in str(unexplained.value)
    closed = calibration_close(
        actor=world.users["hr"],
        session=session,
        attended=[world.users["manager"]],
        note="Two exceptional people this year",
    )
    assert closed.status == CalibrationStatus.CLOSED and closed.guideline_note
    attended = dict(
        CalibrationMember.objects.filter(session=session).values_list("user__username", "attended")
    )
    assert attended == {"cal-manager": True, "cal-committee": False}
    with pytest.raises(ValidationError):  # closed: no more changes
        calibration_change_grade(
            actor=world.users["hr"],
            session=session,
            appraisal=world.appraisal,
            grade=world.grades["A"],
            reason_code="other",
            reason="late",
        )


def test_enforce_mode_refuses_to_close_outside_the_guideline_naming_the_rule(world):
    AppraisalPolicy.objects.update(distribution_mode=DistributionMode.ENFORCE)
    session = _session(world)
    calibration_change_grade(
        actor=world.users["hr"],
        session=session,
        appraisal=world.others[3],
        grade=world.grades["S"],
        reason_code="evidence",
        reason="Big project",
    )
    with pytest.raises(ValidationError) as refused:
        calibration_close(actor=world.users["hr"], session=session, note="Please")
    assert "grades" in refused.value.message_dict and "S ≤ 10 %" in str(refused.value)
    calibration_change_grade(
        actor=world.users["hr"],
        session=session,
        appraisal=world.others[3],
        grade=world.grades["B"],
        reason_code="distribution",
        reason="Back",
    )
    closed = calibration_close(actor=world.users["hr"], session=session)
    assert closed.status == CalibrationStatus.CLOSED and closed.guideline_note == ""


def test_attendance_only_of_members_and_potential_fills_the_nine_box(world):
    session = _session(world)
    with pytest.raises(ValidationError) as stranger:
        calibration_close(actor=world.users["hr"], session=session, attended=[world.users["outsider"]])
    assert "attended" in stranger.value.message_dict
    calibration_set_potential(
        actor=world.users["committee"], session=session, appraisal=world.appraisal, potential="high"
    )
    with pytest.raises(ValidationError):
        calibration_set_potential(
            actor=world.users["hr"], session=session, appraisal=world.appraisal, potential="huge"
        )
    grid = nine_box(session_appraisals(session), list(world.grades.values()))
    assert [a.pk for a in grid["rows"][0]["boxes"][2]] == [world.appraisal.pk]  # high potential, high grade
    assert len(grid["unplaced"]) == 9  # the other nine have no potential yet
