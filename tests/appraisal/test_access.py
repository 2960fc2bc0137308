"""Who opens which appraisal: by relation, not by role alone; another tenant's is a 404 like a missing one."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from appraisal.access import Relation, access_appraisal_by_id, appraisal_reader, readable_appraisals
from appraisal.models import Appeal, CalibrationMember, CalibrationSession
from collab.models import Membership
from collab.tenancy import tenant_scope
from tests.factories.appraisal import appraisal_world

pytestmark = pytest.mark.django_db


def _reader(user):
    return appraisal_reader(Membership.objects.get(user=user), user)


def test_each_person_reads_only_the_appraisals_they_stand_in(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = appraisal_world(tenant_b, prefix="zz").appraisal
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a)
        mine, colleague = world.appraisal.pk, world.colleague_appraisal.pk
        seen = {key: set(readable_appraisals(_reader(user)).values_list("pk", flat=True))
                for key, user in world.users.items()}  # fmt: skip
        assert seen["hr"] == seen["auditor"] == {mine, colleague}
        assert seen["manager"] == {mine, colleague}
        assert seen["employee"] == {mine}
        assert seen["colleague"] == {colleague}
        assert seen["outsider"] == seen["committee"] == seen["upper"] == set()
        for pk in (colleague, foreign.pk, 10**9, "x"):
            with pytest.raises(Http404):
                access_appraisal_by_id(_reader(world.users["employee"]), pk)
        assert access_appraisal_by_id(_reader(world.users["employee"]), mine) == world.appraisal
        assert Relation.EMPLOYEE in _reader(world.users["employee"]).relation(world.appraisal)
        assert _reader(world.users["manager"]).relation(world.appraisal) == {Relation.MANAGER}


def test_an_appeal_opens_it_to_the_managers_manager_and_a_session_to_its_members(tenant_a):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a)
        upper = _reader(world.users["upper"])
        assert not readable_appraisals(upper).exists()
        Appeal.objects.create(appraisal=world.appraisal, reason="r", upper_manager=world.upper_manager,
                              level_deadline=timezone.now())  # fmt: skip
        assert list(readable_appraisals(upper)) == [world.appraisal]
        session = CalibrationSession.objects.create(cycle=world.cycle, name="Team")
        CalibrationMember.objects.create(session=session, user=world.users["committee"])
        world.colleague_appraisal.calibration_session = session
        world.colleague_appraisal.save()
        committee = _reader(world.users["committee"])
        assert list(readable_appraisals(committee)) == [world.colleague_appraisal]
        assert Relation.CALIBRATOR in committee.relation(world.colleague_appraisal)
