"""The calibrations, appeals and appraisals (answers) APIs: who lists and opens what, HR creates, a member
changes a grade and closes (warn and enforce), the employee confirms or appeals, the upper manager decides;
another tenant's ids are 404 in paths and bodies; list queries constant."""

from __future__ import annotations

import pytest

from appraisal.models import Appraisal, AppraisalPolicy, DistributionMode, Stage
from appraisal.services.appeals import appeal_raise
from appraisal.services.calibration import calibration_create
from appraisal.services.release import cycle_release
from collab.tenancy import tenant_scope
from tests.factories.appraisal_calibration import calibration_world

pytestmark = pytest.mark.django_db

A = "/api/v1/t/alpha"


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = calibration_world(tenant_b, prefix="zz")
        other.session = calibration_create(actor=None, cycle=other.cycle, name="Bravo", org_unit=other.unit)
    with tenant_scope(tenant_a):
        world = calibration_world(tenant_a)
        world.session = calibration_create(
            actor=world.users["hr"],
            cycle=world.cycle,
            name="Team",
            org_unit=world.unit,
            include_managers=True,
        )
    world.other = other
    return world


def _version(appraisal) -> int:
    with tenant_scope(appraisal.cycle.tenant):
        return Appraisal.objects.get(pk=appraisal.pk).lock_version


def test_list_and_retrieve_under_the_rule(world, api_client_for, django_assert_max_num_queries):
    url = f"{A}/calibrations/"
    for key in ("hr", "auditor", "manager"):
        answer = api_client_for(world.users[key]).get(url)
        assert [row["name"] for row in answer.json()["results"]] == ["Team"], key
    for key in ("employee", "committee", "upper"):
        assert api_client_for(world.users[key]).get(url).json()["results"] == [], key
        assert api_client_for(world.users[key]).get(f"{url}{world.session.pk}/").status_code == 404
    hr = api_client_for(world.users["hr"])
    assert hr.get(f"{url}{world.other.session.pk}/").status_code == 404
    assert hr.get(f"{url}?cycle=x").status_code == 400
    detail = hr.get(f"{url}{world.session.pk}/").json()
    assert len(detail["people"]) == 10 and detail["guideline_met"] is True
    assert [row["rule"] for row in detail["guideline"]][0] == "S ≤ 10 %"
    assert detail["members"][0]["username"] == "cal-manager"
    with django_assert_max_num_queries(8):
        assert hr.get(url).status_code == 200
    with tenant_scope(world.cycle.tenant):
        for index in range(3):
            calibration_create(actor=None, cycle=world.cycle, name=f"More {index}", levels=["X"])
    with django_assert_max_num_queries(8):
        assert len(hr.get(url).json()["results"]) == 4


def test_hr_creates_and_a_member_calibrates_and_closes(world, api_client_for):
    hr = api_client_for(world.users["hr"])
    body = {
        "cycle": world.cycle.pk,
        "name": "Levels",
        "levels": ["M9"],
        "members": [world.users["committee"].pk],
    }
    assert (
        api_client_for(world.users["manager"]).post(f"{A}/calibrations/", body, format="json").status_code
        == 403
    )
    assert (
        hr.post(f"{A}/calibrations/", {**body, "cycle": world.other.cycle.pk}, format="json").status_code
        == 404
    )
    made = hr.post(f"{A}/calibrations/", body, format="json")
    assert made.status_code == 201 and made.json()["people"] == []
    manager = api_client_for(world.users["manager"])
    url = f"{A}/calibrations/{world.session.pk}/"
    target = world.others[3]
    change = {
        "appraisal": target.pk,
        "grade": world.grades["S"].pk,
        "reason_code": "evidence",
        "reason": "Big project",
        "lock_version": _version(target),
    }
    foreign = manager.post(
        f"{url}change-grade/", {**change, "grade": world.other.grades["S"].pk}, format="json"
    )
    assert foreign.status_code == 404
    unknown = manager.post(f"{url}change-grade/", {**change, "extra": 1}, format="json")
    assert unknown.status_code == 400
    changed = manager.post(f"{url}change-grade/", change, format="json")
    assert changed.status_code == 200 and changed.json()["current_grade"] == "S"
    assert manager.post(f"{url}change-grade/", change, format="json").status_code == 409
    auditor = api_client_for(world.users["auditor"])
    assert auditor.post(f"{url}close/", {"lock_version": 1}, format="json").status_code == 403
    with tenant_scope(world.cycle.tenant):
        AppraisalPolicy.objects.update(distribution_mode=DistributionMode.ENFORCE)
    enforced = manager.post(f"{url}close/", {"lock_version": 1, "note": "please"}, format="json")
    assert enforced.status_code == 400 and "grades" in enforced.json()
    with tenant_scope(world.cycle.tenant):
        AppraisalPolicy.objects.update(distribution_mode=DistributionMode.WARN)
    unexplained = manager.post(f"{url}close/", {"lock_version": 1}, format="json")
    assert unexplained.status_code == 400 and "note" in unexplained.json()
    closed = manager.post(
        f"{url}close/",
        {"lock_version": 1, "note": "Exceptional year", "attended": [world.users["manager"].pk]},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["members"][0]["attended"] is True


def test_the_employee_confirms_or_appeals_and_the_upper_manager_decides(world, api_client_for):
    with tenant_scope(world.cycle.tenant):
        world.session.status = "closed"
        world.session.save()
        cycle_release(actor=world.users["hr"], cycle=world.cycle)
    employee = api_client_for(world.users["employee"])
    url = f"{A}/appraisals/{world.appraisal.pk}/"
    assert (
        employee.post(
            f"{A}/appraisals/{world.colleague_appraisal.pk}/confirm/", {"lock_version": 1}, format="json"
        ).status_code
        == 404
    )
    assert (
        employee.post(
            f"{A}/appraisals/{world.other.appraisal.pk}/confirm/", {"lock_version": 1}, format="json"
        ).status_code
        == 404
    )
    assert employee.post(f"{url}confirm/", {"lock_version": 0}, format="json").status_code == 409
    confirmed = employee.post(f"{url}confirm/", {"lock_version": _version(world.appraisal)}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["stage"] == Stage.FINAL
    assert (
        confirmed.json()["confirmation"] == "confirmed" and confirmed.json()["final_source"] == "assessment"
    )
    again = employee.post(
        f"{url}appeal/", {"lock_version": _version(world.appraisal), "reason": "x"}, format="json"
    )
    assert again.status_code == 400 and "stage" in again.json()
    colleague = api_client_for(world.users["colleague"])
    curl = f"{A}/appraisals/{world.colleague_appraisal.pk}/appeal/"
    bad = colleague.post(
        curl,
        {
            "lock_version": _version(world.colleague_appraisal),
            "reason": "r",
            "evidence": [{"kind": "event", "id": 999999}],
        },
        format="json",
    )
    assert bad.status_code == 400 and "evidence" in bad.json()
    sent = colleague.post(
        curl, {"lock_version": _version(world.colleague_appraisal), "reason": "Unfair"}, format="json"
    )
    assert sent.status_code == 200 and sent.json()["confirmation"] == "appealed"
    upper = api_client_for(world.users["upper"])
    queue = upper.get(f"{A}/appeals/").json()["results"]
    assert len(queue) == 1 and queue[0]["status"] == "at_upper_manager"
    appeal = queue[0]
    assert api_client_for(world.users["manager"]).get(f"{A}/appeals/").json()["results"] == []
    assert (
        colleague.get(f"{A}/appeals/{appeal['id']}/").status_code == 200
    )  # their own, through the appraisal
    assert api_client_for(world.users["employee"]).get(f"{A}/appeals/{appeal['id']}/").status_code == 404
    decide = {"lock_version": appeal["lock_version"], "decision": "escalate", "note": "HR should look"}
    assert (
        api_client_for(world.users["hr"])
        .post(f"{A}/appeals/{appeal['id']}/decide/", decide, format="json")
        .status_code
        == 400
    )
    passed = upper.post(f"{A}/appeals/{appeal['id']}/decide/", decide, format="json")
    assert passed.status_code == 200 and passed.json()["status"] == "at_hr"
    hr = api_client_for(world.users["hr"])
    final = hr.post(
        f"{A}/appeals/{appeal['id']}/decide/",
        {
            "lock_version": passed.json()["lock_version"],
            "decision": "change",
            "note": "Fair",
            "grade": world.grades["B"].pk,
            "reason_code": "evidence",
        },
        format="json",
    )
    assert final.status_code == 200, final.json()
    assert final.json()["status"] == "decided" and final.json()["grade"] == "B"


def test_other_tenants_appeals_are_404(world, api_client_for):
    with tenant_scope(world.other.cycle.tenant):
        world.other.session.status = "closed"
        world.other.session.save()
        cycle_release(actor=None, cycle=world.other.cycle)
        appeal = appeal_raise(
            actor=world.other.users["employee"], appraisal=world.other.appraisal, reason="r"
        )
    hr = api_client_for(world.users["hr"])
    assert hr.get(f"{A}/appeals/{appeal.pk}/").status_code == 404
    body = {"lock_version": 1, "decision": "uphold", "note": "x"}
    assert hr.post(f"{A}/appeals/{appeal.pk}/decide/", body, format="json").status_code == 404


def test_a_member_notes_potential(world, api_client_for):
    url = f"{A}/calibrations/{world.session.pk}/set-potential/"
    body = {"appraisal": world.appraisal.pk, "potential": "high", "lock_version": _version(world.appraisal)}
    assert api_client_for(world.users["employee"]).post(url, body, format="json").status_code == 404
    answer = api_client_for(world.users["manager"]).post(url, body, format="json")
    assert answer.status_code == 200 and answer.json()["potential"] == "high"
    bad = api_client_for(world.users["manager"]).post(url, {**body, "potential": "huge"}, format="json")
    assert bad.status_code == 400 and "potential" in bad.json()
    foreign = {**body, "appraisal": world.other.appraisal.pk}
    assert api_client_for(world.users["hr"]).post(url, foreign, format="json").status_code == 404
