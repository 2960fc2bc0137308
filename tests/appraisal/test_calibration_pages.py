"""Calibration pages: who lists and opens a session (members, HR, auditors; anyone else 404, another
tenant's 404), creating one (HR), changing a grade with a reason, closing in warn mode with a note; the
chart data and the guideline table; query counts constant in the number of sessions and people."""

from __future__ import annotations

import pytest

from appraisal.models import CalibrationSession, CalibrationStatus, GradeChange
from appraisal.services.calibration import calibration_create
from collab.tenancy import tenant_scope
from tests.factories.appraisal import AppraisalFactory
from tests.factories.appraisal_calibration import assessed, calibration_world
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db

BASE = "/t/alpha/appraisal/calibrations/"


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = calibration_world(tenant_b, prefix="zz")
        foreign = calibration_create(
            actor=None, cycle=other.cycle, name="Bravo", org_unit=other.unit, members=[other.users["manager"]]
        )
    with tenant_scope(tenant_a):
        world = calibration_world(tenant_a)
        world.session = calibration_create(
            actor=world.users["hr"],
            cycle=world.cycle,
            name="Team",
            org_unit=world.unit,
            include_managers=True,
            members=[world.users["committee"]],
        )
    world.foreign = foreign
    return world


def test_members_hr_and_auditors_open_the_session_no_one_else(world, login):
    url = f"{BASE}{world.session.pk}/"
    for key in ("hr", "auditor", "manager", "committee"):
        page = login(world.users[key]).get(url)
        assert page.status_code == 200, key
        assert b'id="guideline-table"' in page.content and b'id="calibration-people"' in page.content
    for key in ("employee", "colleague", "upper", "outsider"):
        assert login(world.users[key]).get(url).status_code == 404, key
        assert b"Team" not in login(world.users[key]).get(BASE).content
    assert login(world.users["hr"]).get(f"{BASE}{world.foreign.pk}/").status_code == 404
    assert login(world.users["auditor"]).post(url, {"action": "close"}).status_code == 403


def test_the_page_shows_the_distribution_and_the_people(world, login):
    page = login(world.users["committee"]).get(f"{BASE}{world.session.pk}/")
    text = page.content.decode()
    assert 'id="calibration-chart-data"' in text and "S ≤ 10 %" in text
    assert "cal Employee" in text and "cal Person 07" in text and 'id="nine-box"' in text
    assert 'id="close-form"' in text and 'id="member-form"' not in text  # only HR adds members


def test_hr_creates_a_session_from_the_form(world, login):
    client = login(world.users["hr"])
    assert client.get(f"{BASE}new/").status_code == 200
    bad = client.post(f"{BASE}new/", {"cycle": world.cycle.pk, "name": "Team", "org_unit": world.unit.pk})
    assert bad.status_code == 400 and "already has a session" in bad.content.decode()
    missing = client.post(f"{BASE}new/", {"cycle": world.cycle.pk, "name": "Levels"})
    assert missing.status_code == 400
    made = client.post(f"{BASE}new/", {"cycle": world.cycle.pk, "name": "Levels", "levels": "M9"})
    assert made.status_code == 302
    assert login(world.users["manager"]).get(f"{BASE}new/").status_code == 403


def test_a_member_changes_a_grade_and_closes_with_a_note(world, login):
    client = login(world.users["manager"])
    url = f"{BASE}{world.session.pk}/"
    target = world.others[3]
    body = {
        "action": "change",
        "appraisal": target.pk,
        "lock_version": target.lock_version,
        "grade": world.grades["S"].pk,
        "reason_code": "evidence",
        "reason": "",
    }
    refused = client.post(url, body)
    assert refused.status_code == 400 and 'id="calibration-errors"' in refused.content.decode()
    assert client.post(url, {**body, "reason": "A big project"}).status_code == 302
    stale = client.post(url, {**body, "grade": world.grades["A"].pk, "reason": "again"})
    assert stale.status_code == 409
    with tenant_scope(world.cycle.tenant):
        assert GradeChange.objects.filter(appraisal=target).count() == 1
    close = {"action": "close", "lock_version": 1, "attended": [world.users["manager"].pk]}
    unexplained = client.post(url, close)
    assert unexplained.status_code == 400 and "S ≤ 10 %" in unexplained.content.decode()
    assert client.post(url, {**close, "note": "An exceptional year"}).status_code == 302
    with tenant_scope(world.cycle.tenant):
        assert CalibrationSession.objects.get(pk=world.session.pk).status == CalibrationStatus.CLOSED
    page = client.get(url).content.decode()
    assert 'id="session-closed"' in page and "An exceptional year" in page and 'id="close-form"' not in page


def test_another_tenants_appraisal_id_in_a_post_is_a_404(world, login):
    with tenant_scope(world.foreign.tenant):
        foreign_appraisal = world.foreign.appraisals.first()
    body = {
        "action": "change",
        "appraisal": foreign_appraisal.pk,
        "lock_version": 1,
        "grade": world.grades["A"].pk,
        "reason_code": "other",
        "reason": "x",
    }
    assert login(world.users["hr"]).post(f"{BASE}{world.session.pk}/", body).status_code == 404


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len([q for q in context.captured_queries if "set_config('app.tenant_id'" not in q["sql"]])


def test_query_counts_do_not_grow_with_people_or_sessions(world, login, django_assert_max_num_queries):
    client = login(world.users["hr"])
    url = f"{BASE}{world.session.pk}/"
    _count(client, url)
    few_people, few_sessions = _count(client, url), _count(client, BASE)
    with tenant_scope(world.cycle.tenant):
        for index in range(3):
            calibration_create(
                actor=None,
                cycle=world.cycle,
                name=f"More {index}",
                levels=["X"],
                members=[world.users["committee"]],
            )
        for index in range(10):
            person = EmployeeFactory(org_unit=world.unit, manager=world.manager, name=f"Extra {index}")
            extra = AppraisalFactory(cycle=world.cycle, employee=person, calibration_session=world.session)
            assessed(extra, world.grades["B"])
    assert _count(client, url) == few_people  # 20 people instead of 10
    assert _count(client, BASE) == few_sessions  # 4 sessions instead of 1
    with django_assert_max_num_queries(22):
        client.get(url)
