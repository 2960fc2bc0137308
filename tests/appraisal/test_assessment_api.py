"""The `appraisals` API: lists under the access rule (constant queries, keyset), what each relation reads (the
employee's manager part null until release), the submit-self and submit-manager actions with drafts
(`submit: false`), gates, the departure bound, stale versions, and 404 for another tenant's ids. Tenant B is
in the room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appraisal.models import Appraisal, Stage
from collab.tenancy import tenant_scope
from tests.factories.appraisal import AppraisalFactory
from tests.factories.appraisal_assessment import assessment_world
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/t/alpha/appraisals"
SECRET = "Draft words the employee must not read"


@pytest.fixture
def other(tenant_b):
    with tenant_scope(tenant_b):
        return assessment_world(tenant_b, prefix="zz")[0]


def _world(tenant, current=Stage.SELF_ASSESSMENT, **kwargs):
    with tenant_scope(tenant):
        return assessment_world(tenant, current=current, **kwargs)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_reader_lists_what_they_may_read(tenant_a, other, api_client_for, django_assert_max_num_queries):
    world, _goals = _world(tenant_a)
    mine, colleague = world.appraisal.pk, world.colleague_appraisal.pk
    assert _ids(api_client_for(world.users["employee"]).get(f"{API}/")) == {mine}
    assert _ids(api_client_for(world.users["employee"]).get(f"{API}/?view=team")) == set()
    assert _ids(api_client_for(world.users["manager"]).get(f"{API}/")) == {mine, colleague}
    assert _ids(api_client_for(world.users["outsider"]).get(f"{API}/")) == set()
    hr = api_client_for(world.users["hr"])
    assert _ids(hr.get(f"{API}/")) == {mine, colleague}
    assert _ids(hr.get(f"{API}/?view=cycle&stage=calibration")) == set()
    assert _ids(hr.get(f"{API}/?view=cycle&unit={world.unit.pk}")) == {mine, colleague}
    assert _ids(hr.get(f"{API}/?cycle={other.cycle.pk}")) == set()
    assert hr.get(f"{API}/?view=nobody").status_code == 400
    assert hr.get(f"{API}/?unit=x").status_code == 400
    with tenant_scope(tenant_a):
        for _index in range(50):
            person = EmployeeFactory(org_unit=world.unit, manager=world.manager)
            AppraisalFactory(cycle=world.cycle, employee=person, stage=Stage.SELF_ASSESSMENT)
    with django_assert_max_num_queries(9):
        first = hr.get(f"{API}/?view=cycle")
    assert len(first.json()["results"]) == 50
    with django_assert_max_num_queries(9):
        following = hr.get(first.json()["next"])
    assert len(_ids(following)) == 2 and not _ids(first) & _ids(following)


def test_another_tenants_or_persons_appraisal_is_a_404(tenant_a, other, api_client_for):
    world, _goals = _world(tenant_a)
    employee = api_client_for(world.users["employee"])
    for pk in (world.colleague_appraisal.pk, other.appraisal.pk, 999999999):
        assert employee.get(f"{API}/{pk}/").status_code == 404
        body = {"lock_version": 1, "summary": "x", "submit": False}
        assert employee.post(f"{API}/{pk}/submit-self/", body, format="json").status_code == 404
    manager = api_client_for(world.users["manager"])
    body = {"lock_version": 1, "grade": other.grades["B"].pk, "submit": False}
    foreign = manager.post(f"{API}/{world.colleague_appraisal.pk}/submit-manager/", body, format="json")
    assert foreign.status_code == 404 and "grade" in foreign.json()


def test_the_employee_drafts_and_submits_through_the_api(tenant_a, api_client_for):
    world, (first, second) = _world(tenant_a)
    url = f"{API}/{world.appraisal.pk}"
    employee = api_client_for(world.users["employee"])
    read = employee.get(f"{url}/").json()
    assert read["self_assessment"]["goals"][0]["comment"] == "" and read["manager_assessment"] is None
    assert read["formula"] == {
        "weight_scorecard": "50.00",
        "weight_review": "20.00",
        "weight_manager": "30.00",
    }
    assert read["relations"] == ["employee"] and read["stage_deadline"]
    draft = employee.post(
        f"{url}/submit-self/",
        {
            "lock_version": 1,
            "submit": False,
            "summary": "My half",
            "goals": {str(first.pk): {"comment": "Done", "rating": 5}},
        },
        format="json",
    )
    assert draft.status_code == 200, draft.content
    assert draft.json()["stage"] == Stage.SELF_ASSESSMENT and draft.json()["lock_version"] == 2
    manager = api_client_for(world.users["manager"])
    assert manager.get(f"{url}/").json()["self_assessment"] is None  # an unsent draft is the employee's
    assert manager.post(f"{url}/submit-self/", {"lock_version": 2}, format="json").status_code == 403
    missing = employee.post(f"{url}/submit-self/", {"lock_version": 2}, format="json")
    assert missing.status_code == 400 and f"goals-{second.pk}-comment" in missing.json()
    stale = employee.post(f"{url}/submit-self/", {"lock_version": 1, "submit": False}, format="json")
    assert stale.status_code == 409
    bad = employee.post(
        f"{url}/submit-self/", {"lock_version": 2, "goals": {str(first.pk): {"rating": 9}}}, format="json"
    )
    assert bad.status_code == 400
    done = employee.post(
        f"{url}/submit-self/",
        {
            "lock_version": 2,
            "goals": {str(second.pk): {"comment": "Half", "rating": None}},
        },
        format="json",
    )
    assert done.status_code == 200 and done.json()["stage"] == Stage.MANAGER_ASSESSMENT
    assert manager.get(f"{url}/").json()["self_assessment"]["summary"] == "My half"
    again = employee.post(f"{url}/submit-self/", {"lock_version": 3, "summary": "x"}, format="json")
    assert again.status_code == 400 and "stage" in again.json()


def test_the_manager_assesses_and_the_employee_reads_nothing_before_release(tenant_a, api_client_for):
    world, _goals = _world(tenant_a, current=Stage.MANAGER_ASSESSMENT)
    url = f"{API}/{world.appraisal.pk}"
    grades = world.grades
    manager, employee = api_client_for(world.users["manager"]), api_client_for(world.users["employee"])
    far = manager.post(
        f"{url}/submit-manager/", {"lock_version": 1, "grade": grades["S"].pk, "submit": False}, format="json"
    )
    assert far.status_code == 400 and list(far.json()) == ["grade"]
    draft = manager.post(
        f"{url}/submit-manager/",
        {
            "lock_version": 1,
            "grade": grades["A"].pk,
            "reason": "Strong",
            "comment": SECRET,
            "submit": False,
        },
        format="json",
    )
    assert draft.status_code == 200 and draft.json()["manager_assessment"]["comment"] == SECRET
    assert draft.json()["manager_assessment"]["submitted_at"] is None
    hidden = employee.get(f"{url}/")
    assert hidden.json()["manager_assessment"] is None and SECRET not in hidden.content.decode()
    hr = api_client_for(world.users["hr"])
    assert hr.get(f"{url}/").json()["manager_assessment"] is None  # a draft is the manager's alone
    unexplained = manager.post(f"{url}/submit-manager/", {"lock_version": 2}, format="json")
    assert unexplained.status_code == 400 and list(unexplained.json()) == ["departure_reason"]
    assert employee.post(f"{url}/submit-manager/", {"lock_version": 2}, format="json").status_code == 403
    done = manager.post(
        f"{url}/submit-manager/", {"lock_version": 2, "departure_reason": "Led the move"}, format="json"
    )
    assert done.status_code == 200, done.content
    part = done.json()["manager_assessment"]
    assert done.json()["stage"] == Stage.CALIBRATION
    assert part["grade"]["code"] == "A" and part["suggested_grade"]["code"] == "B"
    assert (part["scorecard_total"], part["review_part"], part["result_score"]) == ("92.00", "70.00", "87.00")
    assert part["left_out"] == []
    assert hr.get(f"{url}/").json()["manager_assessment"]["result_score"] == "87.00"
    assert employee.get(f"{url}/").json()["manager_assessment"] is None
    with tenant_scope(tenant_a):
        released_at = timezone.now() - timedelta(hours=1)
        Appraisal.objects.filter(pk=world.appraisal.pk).update(released_at=released_at)
    assert employee.get(f"{url}/").json()["manager_assessment"]["comment"] == SECRET
