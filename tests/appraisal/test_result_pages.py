"""Result pages: hidden from the employee until release (the manager and HR see it before); the employee
confirms or appeals (evidence only from their own list); the upper manager decides from the appeal queue;
the result meeting and development notes; release (HR) and the pay and bonus export (HR, auditors) in the
reader's language; another tenant's ids are 404 on every route."""

from __future__ import annotations

import io

import openpyxl
import pytest

from appraisal.models import Appeal, Appraisal, Confirmation, Stage
from appraisal.services.appeals import appeal_raise
from appraisal.services.release import cycle_release
from collab.models import UserProfile
from collab.tenancy import tenant_scope
from tests.factories.appraisal_calibration import calibration_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = calibration_world(tenant_b, prefix="zz", grades=("B", "B"))
        cycle_release(actor=None, cycle=other.cycle)
    with tenant_scope(tenant_a):
        world = calibration_world(tenant_a, grades=("A", "B", "C"))
    world.other = other
    return world


def _result(appraisal):
    return f"/t/alpha/appraisal/{appraisal.pk}/result/"


def _version(appraisal) -> int:
    with tenant_scope(appraisal.cycle.tenant):
        return Appraisal.objects.get(pk=appraisal.pk).lock_version


def _release(world):
    with tenant_scope(world.cycle.tenant):
        cycle_release(actor=world.users["hr"], cycle=world.cycle)


def test_hidden_from_the_employee_until_release(world, login):
    employee = login(world.users["employee"]).get(_result(world.appraisal)).content.decode()
    assert 'id="result-hidden"' in employee and "Comments for cal Employee" not in employee
    assert 'id="result-grade"' not in employee
    manager = login(world.users["manager"]).get(_result(world.appraisal)).content.decode()
    assert 'id="result-unreleased"' in manager and "Comments for cal Employee" in manager
    _release(world)
    employee = login(world.users["employee"]).get(_result(world.appraisal)).content.decode()
    assert 'id="result-grade"' in employee and "Comments for cal Employee" in employee
    assert "Manager assessment" in employee  # where the result came from
    assert 'id="result-confirm"' in employee and 'id="appeal-form"' in employee


def test_no_one_else_opens_a_result_and_other_tenants_ids_are_404(world, login):
    for key in ("colleague", "outsider", "upper", "committee"):
        assert login(world.users[key]).get(_result(world.appraisal)).status_code == 404, key
    hr = login(world.users["hr"])
    assert hr.get(_result(world.other.appraisal)).status_code == 404
    assert hr.post(_result(world.other.appraisal), {"action": "confirm"}).status_code == 404
    for path in ("release", "export"):
        assert hr.get(f"/t/alpha/appraisal/cycles/{world.other.cycle.pk}/{path}/").status_code == 404


def test_the_employee_confirms(world, login):
    _release(world)
    client = login(world.users["employee"])
    answer = client.post(_result(world.appraisal), {"action": "confirm", "lock_version": 99})
    assert answer.status_code == 409
    version = _version(world.appraisal)
    assert (
        client.post(_result(world.appraisal), {"action": "confirm", "lock_version": version}).status_code
        == 302
    )
    with tenant_scope(world.cycle.tenant):
        done = Appraisal.objects.get(pk=world.appraisal.pk)
    assert done.stage == Stage.FINAL and done.confirmation == Confirmation.CONFIRMED
    page = client.get(_result(world.appraisal)).content.decode()
    assert 'id="result-confirm"' not in page and "Confirmed" in page


def test_the_employee_appeals_and_the_upper_manager_decides_from_the_queue(world, login):
    _release(world)
    client = login(world.users["colleague"])
    version = _version(world.colleague_appraisal)
    refused = client.post(
        _result(world.colleague_appraisal), {"action": "appeal", "reason": "", "lock_version": version}
    )
    assert refused.status_code == 400
    forged = client.post(
        _result(world.colleague_appraisal),
        {"action": "appeal", "reason": "r", "lock_version": version, "evidence": ["event:1"]},
    )
    assert forged.status_code == 400  # not one of the offered choices
    sent = client.post(
        _result(world.colleague_appraisal),
        {"action": "appeal", "reason": "I led the launch", "lock_version": version},
    )
    assert sent.status_code == 302
    upper = login(world.users["upper"])
    queue = upper.get("/t/alpha/appraisal/appeals/").content.decode()
    assert "cal Colleague" in queue and 'id="appeal-table"' in queue
    assert (
        "cal Colleague"
        not in login(world.users["manager"]).get("/t/alpha/appraisal/appeals/").content.decode()
    )
    upper = login(world.users["upper"])
    page = upper.get(_result(world.colleague_appraisal)).content.decode()
    assert 'id="decide-form"' in page
    with tenant_scope(world.cycle.tenant):
        appeal = Appeal.objects.get(appraisal=world.colleague_appraisal)
    body = {
        "action": "decide",
        "decision": "change",
        "grade": world.grades["A"].pk,
        "reason_code": "evidence",
        "note": "The launch counts",
        "lock_version": appeal.lock_version,
    }
    assert upper.post(_result(world.colleague_appraisal), body).status_code == 302
    with tenant_scope(world.cycle.tenant):
        decided = Appraisal.objects.get(pk=world.colleague_appraisal.pk)
    assert decided.stage == Stage.FINAL and decided.final_grade == world.grades["A"]
    page = login(world.users["colleague"]).get(_result(world.colleague_appraisal)).content.decode()
    assert "Appeal decided" in page and "The launch counts" in page
    assert (
        "cal Colleague" not in login(world.users["upper"]).get("/t/alpha/appraisal/appeals/").content.decode()
    )


def test_the_manager_records_the_meeting_and_a_development_note(world, login):
    client = login(world.users["manager"])
    early = client.post(_result(world.appraisal), {"action": "note", "kind": "training", "text": "Course"})
    assert early.status_code == 400
    _release(world)
    version = _version(world.appraisal)
    body = {"action": "meeting", "held_at": "2020-01-02T10:00", "note": "Went well", "lock_version": version}
    assert client.post(_result(world.appraisal), body).status_code == 302
    assert (
        client.post(
            _result(world.appraisal), {"action": "note", "kind": "training", "text": "Leadership course"}
        ).status_code
        == 302
    )
    page = login(world.users["employee"]).get(_result(world.appraisal)).content.decode()
    assert "Went well" in page and "Leadership course" in page and 'id="note-form"' not in page


def test_release_page_and_export(world, login):
    hr = login(world.users["hr"])
    url = f"/t/alpha/appraisal/cycles/{world.cycle.pk}/release/"
    page = hr.get(url).content.decode()
    assert 'id="release-submit"' in page
    assert login(world.users["auditor"]).post(url).status_code == 403
    assert login(world.users["manager"]).get(url).status_code == 403
    hr = login(world.users["hr"])
    assert hr.post(url).status_code == 302
    assert hr.post(url).status_code == 400  # nothing ready any more
    export = f"/t/alpha/appraisal/cycles/{world.cycle.pk}/export/"
    assert login(world.users["manager"]).get(export).status_code == 403
    UserProfile.objects.update_or_create(user=world.users["auditor"], defaults={"language": "zh-hans"})
    answer = login(world.users["auditor"]).get(export)
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("员工编号", "姓名") and rows[1][9] == "待确认"  # the reader's language
    assert len(rows) == 4 and rows[1][1] in {"cal Employee", "cal Colleague", "cal Person 00"}
    assert {row[4] for row in rows[1:]} == {"A", "B", "C"}


def test_appeal_queue_query_count(world, login, django_assert_max_num_queries):
    _release(world)
    with tenant_scope(world.cycle.tenant):
        for appraisal, user in ((world.appraisal, "employee"), (world.colleague_appraisal, "colleague")):
            appeal_raise(actor=world.users[user], appraisal=appraisal, reason="r")
    client = login(world.users["upper"])
    client.get("/t/alpha/appraisal/appeals/")
    with django_assert_max_num_queries(10):
        page = client.get("/t/alpha/appraisal/appeals/")
    assert page.content.decode().count("data-appeal=") == 2
