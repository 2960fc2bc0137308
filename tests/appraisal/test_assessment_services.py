"""Self-assessment and manager assessment services: who may write, the stage gates under a frozen clock, the
departure bound, what submitting freezes (the formula renormalised on real rows), audit rows, stale saves.
Tenant B is in the room."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appraisal.models import AppraisalPolicy, GoalAssessment, Stage
from appraisal.services.assessment import manager_assessment_save, self_assessment_save
from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from tests.factories.appraisal_assessment import assessment_world, position_snapshot
from tests.factories.interlock import ScoreSnapshotFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
AFTER_SELF = NOW + timedelta(
    days=7
)  # the self-assessment's deadline has passed, the manager's window is open


@pytest.fixture
def other(tenant_b):
    with tenant_scope(tenant_b):
        return assessment_world(tenant_b, prefix="zz", now=NOW)[0]


def _fresh(appraisal):
    appraisal.refresh_from_db()
    return appraisal


def test_the_employee_drafts_then_submits_and_the_stage_moves_on(tenant_a, other):
    with tenant_scope(tenant_a):
        world, (first, second) = assessment_world(tenant_a, now=NOW)
        employee = world.users["employee"]
        saved = self_assessment_save(
            actor=employee,
            appraisal=world.appraisal,
            lock_version=1,
            summary="A good half",
            goals={str(first.pk): {"comment": "Done", "rating": 4}},
            now=NOW,
        )
        assert saved.lock_version == 2 and saved.stage == Stage.SELF_ASSESSMENT
        assert not AuditEvent.objects.filter(action="appraisal.submit_self").exists()  # drafts are private
        same = self_assessment_save(
            actor=employee, appraisal=saved, lock_version=2, summary="A good half", now=NOW
        )
        assert same.lock_version == 2  # nothing changed, nothing written
        with pytest.raises(ValidationError) as missing:
            self_assessment_save(actor=employee, appraisal=saved, lock_version=2, submit=True, now=NOW)
        assert set(missing.value.message_dict) == {f"goals-{second.pk}-comment"}
        done = self_assessment_save(
            actor=employee,
            appraisal=saved,
            lock_version=2,
            submit=True,
            now=NOW,
            goals={second.pk: {"comment": "Half way", "rating": None}},
        )
        assert done.stage == Stage.MANAGER_ASSESSMENT and done.self_submitted_at == NOW
        rows = {
            row.personal_goal_id: (row.self_comment, row.self_rating) for row in GoalAssessment.objects.all()
        }
        assert rows == {first.pk: ("Done", 4), second.pk: ("Half way", None)}
        assert AuditEvent.objects.filter(action="appraisal.submit_self", object_id=str(done.pk)).count() == 1
        with pytest.raises(ValidationError) as closed:
            self_assessment_save(
                actor=employee, appraisal=done, lock_version=done.lock_version, summary="x", now=NOW
            )
        assert "stage" in closed.value.message_dict
        assert _fresh(world.colleague_appraisal).stage == Stage.SELF_ASSESSMENT


def test_only_the_employee_writes_it_and_bad_input_is_a_field_error(tenant_a, other):
    with tenant_scope(tenant_a):
        world, (first, _second) = assessment_world(tenant_a, now=NOW)
        for key in ("manager", "colleague", "hr"):
            with pytest.raises(PermissionDenied):
                self_assessment_save(
                    actor=world.users[key], appraisal=world.appraisal, lock_version=1, summary="x", now=NOW
                )
        with pytest.raises(ValidationError) as invalid:
            self_assessment_save(
                actor=world.users["employee"],
                appraisal=world.appraisal,
                lock_version=1,
                now=NOW,
                goals={first.pk: {"rating": 6}, "999999": {"comment": "x"}, other.appraisal.pk: {}},
            )
        assert set(invalid.value.message_dict) == {f"goals-{first.pk}-rating", "goals"}
        with pytest.raises(StaleEditError):
            self_assessment_save(
                actor=world.users["employee"], appraisal=world.appraisal, lock_version=7, summary="x", now=NOW
            )


def test_without_personal_goals_the_summary_alone_is_submitted(tenant_a):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0)
        done = self_assessment_save(
            actor=world.users["employee"],
            appraisal=world.appraisal,
            lock_version=1,
            summary="What I did",
            submit=True,
            now=NOW,
        )
        assert done.stage == Stage.MANAGER_ASSESSMENT


def test_the_self_assessment_is_open_only_in_its_window(tenant_a):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0)
        employee = world.users["employee"]
        for moment in (NOW - timedelta(days=2), AFTER_SELF):  # before it opens, after its deadline
            with pytest.raises(ValidationError) as gate:
                self_assessment_save(
                    actor=employee, appraisal=world.appraisal, lock_version=1, summary="x", now=moment
                )
            assert "stage" in gate.value.message_dict


def test_the_manager_waits_for_the_self_assessment_or_its_deadline(tenant_a):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0)
        manager, grade = world.users["manager"], world.grades["B"]
        with pytest.raises(ValidationError) as early:
            manager_assessment_save(
                actor=manager, appraisal=world.appraisal, lock_version=1, grade=grade, now=NOW
            )
        assert "stage" in early.value.message_dict
        # the colleague never self-assessed: after the deadline the manager assesses without it
        draft = manager_assessment_save(
            actor=manager, appraisal=world.colleague_appraisal, lock_version=1, grade=grade, now=AFTER_SELF
        )
        assert draft.manager_grade == grade and draft.manager_submitted_at is None
        assert AuditEvent.objects.filter(action="appraisal.manager_draft").count() == 1
        # the employee submits: the manager may assess at once
        self_assessment_save(
            actor=world.users["employee"],
            appraisal=world.appraisal,
            lock_version=1,
            summary="Mine",
            submit=True,
            now=NOW,
        )
        appraisal = _fresh(world.appraisal)
        for key in ("employee", "hr", "upper", "colleague"):
            with pytest.raises(PermissionDenied):
                manager_assessment_save(
                    actor=world.users[key],
                    appraisal=appraisal,
                    lock_version=appraisal.lock_version,
                    grade=grade,
                    now=NOW,
                )
        assert (
            manager_assessment_save(
                actor=manager, appraisal=appraisal, lock_version=appraisal.lock_version, grade=grade, now=NOW
            ).manager_grade
            == grade
        )


def test_a_grade_beyond_the_bound_is_refused_and_a_departure_within_it_explained(tenant_a):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0)  # total 92: suggests B
        manager, appraisal = world.users["manager"], world.colleague_appraisal
        with pytest.raises(ValidationError) as far:
            manager_assessment_save(
                actor=manager,
                appraisal=appraisal,
                lock_version=1,
                grade=world.grades["S"],
                reason="Star",
                now=AFTER_SELF,
            )
        assert list(far.value.message_dict) == ["grade"] and "B" in far.value.message_dict["grade"][0]
        with pytest.raises(ValidationError) as unexplained:
            manager_assessment_save(
                actor=manager,
                appraisal=appraisal,
                lock_version=1,
                grade=world.grades["A"],
                reason="Strong",
                submit=True,
                now=AFTER_SELF,
            )
        assert list(unexplained.value.message_dict) == ["departure_reason"]
        AppraisalPolicy.objects.update(departure_bound=2)
        allowed = manager_assessment_save(
            actor=manager, appraisal=appraisal, lock_version=1, grade=world.grades["S"], now=AFTER_SELF
        )
        assert allowed.manager_grade == world.grades["S"]


def test_submitting_freezes_the_score_and_renormalises_the_formula_without_a_review(tenant_a):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0, snapshot=False)
        position_snapshot(
            world, total="92.00", kpi_part="88.4567", review_part=None, review_weight="0", points="3.50"
        )
        done = manager_assessment_save(
            actor=world.users["manager"],
            appraisal=world.colleague_appraisal,
            lock_version=1,
            grade=world.grades["A"],
            reason="Strong year",
            departure_reason="Led the migration",
            comment="Thank you",
            submit=True,
            now=AFTER_SELF,
        )
        done = _fresh(done)
        assert done.stage == Stage.CALIBRATION and done.manager_submitted_at == AFTER_SELF
        assert (done.scorecard_total, done.kpi_part, done.review_part, done.points_total) == (
            Decimal("92.00"),
            Decimal("88.46"),
            None,
            Decimal("3.50"),
        )
        assert done.suggested_grade == world.grades["B"]
        # 50 × 92 + 30 × 90 over 80: the review (weight 20) is left out, never counted as zero
        assert done.result_score == Decimal("91.25")
        event = AuditEvent.objects.get(action="appraisal.submit_manager")
        # what was done, never what was said (the appraised person may read the log as an HR admin)
        assert event.after == {
            "changed": ["comment", "departure_reason", "grade", "reason"],
            "stage": Stage.CALIBRATION,
        }
        assert event.before is None and "Thank you" not in str(event.after)
        with pytest.raises(ValidationError):
            manager_assessment_save(
                actor=world.users["manager"],
                appraisal=done,
                lock_version=done.lock_version,
                reason="again",
                now=AFTER_SELF,
            )


def test_without_a_position_scorecard_the_units_counts_and_without_any_only_the_grade(tenant_a):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0, snapshot=False)
        ScoreSnapshotFactory(
            period=world.period,
            org_unit=world.unit,
            total=Decimal("96.00"),
            kpi_part=Decimal("96"),
            review_part=None,
        )
        unit_based = manager_assessment_save(
            actor=world.users["manager"],
            appraisal=world.colleague_appraisal,
            lock_version=1,
            grade=world.grades["A"],
            reason="r",
            submit=True,
            now=AFTER_SELF,
        )
        assert (
            unit_based.scorecard_total == Decimal("96.00") and unit_based.suggested_grade == world.grades["A"]
        )
        ScoreSnapshot.objects.all().delete()
        bare = manager_assessment_save(
            actor=world.users["manager"],
            appraisal=world.appraisal,
            lock_version=1,
            grade=world.grades["C"],
            reason="r",
            submit=True,
            now=AFTER_SELF,
        )
        assert bare.suggested_grade is None and bare.scorecard_total is None
        assert bare.result_score == Decimal("65.00")  # the grade's value alone, renormalised to 100 %


def test_a_grade_of_another_tenant_or_a_stale_save_is_refused(tenant_a, other):
    with tenant_scope(tenant_a):
        world, _goals = assessment_world(tenant_a, now=NOW, goals=0)
        manager = world.users["manager"]
        with pytest.raises(ValidationError) as foreign:
            manager_assessment_save(
                actor=manager,
                appraisal=world.colleague_appraisal,
                lock_version=1,
                grade=other.grades["B"],
                now=AFTER_SELF,
            )
        assert list(foreign.value.message_dict) == ["grade"]
        with pytest.raises(StaleEditError):
            manager_assessment_save(
                actor=manager,
                appraisal=world.colleague_appraisal,
                lock_version=3,
                grade=world.grades["B"],
                now=AFTER_SELF,
            )
