"""Stage windows, a reopening for one person, and the gate of the manager's assessment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appraisal.models import CycleStatus, Stage, StageReopening
from appraisal.selectors.stages import current_cycle_stage, cycle_windows, manager_may_assess, stage_open
from collab.tenancy import tenant_scope
from tests.factories.appraisal import appraisal_world

pytestmark = pytest.mark.django_db


def test_the_stage_dated_around_now_is_the_open_one(tenant_a):
    now = timezone.now()
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=now)
        assert current_cycle_stage(cycle_windows(world.cycle), now) == Stage.SELF_ASSESSMENT
        assert stage_open(world.appraisal, Stage.SELF_ASSESSMENT, now=now)
        assert not stage_open(world.appraisal, Stage.GOAL_SETTING, now=now)
        world.cycle.status = CycleStatus.CLOSED
        assert not stage_open(world.appraisal, Stage.SELF_ASSESSMENT, now=now)


def test_a_reopening_extends_one_persons_window_only(tenant_a):
    now = timezone.now()
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=now)
        StageReopening.objects.create(
            appraisal=world.appraisal, stage=Stage.GOAL_SETTING, reason="leave", until=now + timedelta(days=2)
        )
        assert stage_open(world.appraisal, Stage.GOAL_SETTING, now=now)
        assert not stage_open(world.colleague_appraisal, Stage.GOAL_SETTING, now=now)


def test_the_manager_assesses_after_the_self_assessment_or_its_deadline(tenant_a):
    now = timezone.now()
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT, now=now)
        assert not manager_may_assess(world.appraisal, now=now)
        world.appraisal.self_submitted_at = now
        assert manager_may_assess(world.appraisal, now=now)
        assert manager_may_assess(world.colleague_appraisal, now=now + timedelta(days=8))
        world.appraisal.stage = Stage.FINAL
        assert not manager_may_assess(world.appraisal, now=now)
