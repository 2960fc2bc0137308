"""What each reader sees of an appraisal (`sight`): the employee never the manager's part before release —
also when they are an HR admin; the manager their draft; observers only what was submitted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from appraisal.access import appraisal_reader
from appraisal.models import Appraisal, CalibrationMember, CalibrationSession, Stage
from appraisal.selectors.assessment import sight
from collab.models import Membership, Role
from collab.tenancy import tenant_scope
from tests.factories.appraisal import appraisal_world

pytestmark = pytest.mark.django_db


def _sight(user, appraisal):
    return sight(appraisal_reader(Membership.objects.get(user=user), user), appraisal)


def test_who_sees_which_part(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        appraisal_world(tenant_b, prefix="zz")
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.MANAGER_ASSESSMENT)
        users, appraisal = world.users, world.appraisal
        session = CalibrationSession.objects.create(cycle=world.cycle, name="Team")
        CalibrationMember.objects.create(session=session, user=users["committee"])
        Appraisal.objects.filter(pk=appraisal.pk).update(calibration_session=session)
        appraisal = Appraisal.objects.get(pk=appraisal.pk)
        employee = _sight(users["employee"], appraisal)
        assert employee.self_draft and not employee.manager_assessment and not employee.evidence
        manager = _sight(users["manager"], appraisal)
        assert manager.manager_draft and manager.evidence and not manager.self_assessment  # nothing sent yet
        for key in ("hr", "auditor", "committee"):
            seen = _sight(users[key], appraisal)
            assert seen.evidence and not seen.manager_assessment and not seen.self_draft, key
        appraisal.self_submitted_at = appraisal.manager_submitted_at = timezone.now()
        assert _sight(users["manager"], appraisal).self_assessment
        assert _sight(users["hr"], appraisal).manager_assessment
        assert not _sight(users["employee"], appraisal).manager_assessment
        # an HR admin's own appraisal is theirs as an employee
        membership = Membership.objects.get(user=users["employee"])
        membership.roles = [Role.EMPLOYEE, Role.HR_ADMIN]
        membership.save()
        assert not _sight(users["employee"], appraisal).manager_assessment
        appraisal.released_at = timezone.now()
        assert _sight(users["employee"], appraisal).manager_assessment
