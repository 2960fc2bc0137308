"""Appraisal list and detail pages: each role's list (keyset pages, constant queries), the employee's
self-assessment in the page, the manager's assessment with its evidence, the departure bound as a field error,
a stale save (409), the employee never seeing the manager's draft or submission before release, and 404 for
another tenant's or another person's appraisal. Tenant B is in the room."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone, translation

from appraisal.models import Appraisal, CycleStage, Stage
from collab.tenancy import tenant_scope
from tests.factories.appraisal import AppraisalFactory
from tests.factories.appraisal_assessment import assessment_world
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db

P = "/t/alpha/appraisal"
SECRET = "Quietly the best of the team"


@pytest.fixture
def other(tenant_b):
    with tenant_scope(tenant_b):
        return assessment_world(tenant_b, prefix="zz")[0]


def _world(tenant, current=Stage.SELF_ASSESSMENT, **kwargs):
    with tenant_scope(tenant):
        return assessment_world(tenant, current=current, **kwargs)


def _rows(response) -> set[int]:
    content = response.content.decode()
    return {int(part.split('"', 1)[0]) for part in content.split('data-appraisal="')[1:]}


def test_each_role_lists_its_appraisals(tenant_a, other, client, login):
    world, _goals = _world(tenant_a)
    mine, colleague = world.appraisal.pk, world.colleague_appraisal.pk
    login(world.users["employee"])
    assert _rows(client.get(f"{P}/")) == {mine}
    assert _rows(client.get(f"{P}/?view=team")) == {mine}  # not theirs to choose: their own list
    login(world.users["manager"])
    assert _rows(client.get(f"{P}/")) == {mine, colleague}
    login(world.users["outsider"])
    page = client.get(f"{P}/")
    assert page.status_code == 200 and _rows(page) == set() and b'id="appraisal-empty"' in page.content
    login(world.users["hr"])
    assert _rows(client.get(f"{P}/")) == {mine, colleague}  # the latest cycle by default
    assert _rows(client.get(f"{P}/?view=cycle&cycle={world.cycle.pk}&stage=calibration")) == set()
    filtered = client.get(f"{P}/?view=cycle&unit={world.unit.pk}&stage=self_assessment")
    assert _rows(filtered) == {mine, colleague}
    bad = client.get(f"{P}/?view=cycle&cycle={other.cycle.pk}")
    assert bad.status_code == 200 and _rows(bad) == set()
    login(world.users["auditor"])
    assert _rows(client.get(f"{P}/?view=cycle&cycle={world.cycle.pk}")) == {mine, colleague}


def test_the_lists_page_by_keyset_in_constant_queries(tenant_a, client, login, django_assert_max_num_queries):
    world, _goals = _world(tenant_a, goals=0)
    with tenant_scope(tenant_a):
        for _index in range(30):
            person = EmployeeFactory(org_unit=world.unit, manager=world.manager)
            AppraisalFactory(cycle=world.cycle, employee=person, stage=Stage.SELF_ASSESSMENT)
    for key, url in (("hr", f"{P}/?view=cycle"), ("manager", f"{P}/?view=team")):
        login(world.users[key])
        with django_assert_max_num_queries(9, info=url):
            first = client.get(url)
        assert len(_rows(first)) == 25 and b"more follow" in first.content
        link = first.content.decode().split('rel="next" href="', 1)[1].split('"', 1)[0]
        following = f"{P}/" + link.replace("&amp;", "&")
        with django_assert_max_num_queries(9, info=following):
            second = client.get(following)
        assert len(_rows(second)) == 7 and not _rows(first) & _rows(second)


def test_another_persons_or_tenants_appraisal_is_a_404(tenant_a, other, client, login):
    world, _goals = _world(tenant_a)
    login(world.users["employee"])
    assert client.get(f"{P}/{world.colleague_appraisal.pk}/").status_code == 404
    assert client.get(f"{P}/{other.appraisal.pk}/").status_code == 404
    assert client.get(f"{P}/999999999/").status_code == 404
    login(world.users["outsider"])
    assert client.get(f"{P}/{world.appraisal.pk}/").status_code == 404
    login(world.users["hr"])
    assert client.get(f"{P}/{other.appraisal.pk}/").status_code == 404


def test_the_employee_self_assesses_in_the_page(tenant_a, client, login):
    world, (first, second) = _world(tenant_a)
    url = f"{P}/{world.appraisal.pk}/"
    login(world.users["employee"])
    page = client.get(url)
    assert b'id="self-form"' in page.content and b'id="appraisal-formula"' in page.content
    assert b'id="manager-hidden"' in page.content and b'id="assessment-evidence"' not in page.content
    data = {
        "section": "self",
        "lock_version": 1,
        "summary": "My half",
        f"goal_{first.pk}_comment": "Done",
        f"goal_{first.pk}_rating": "4",
        f"goal_{second.pk}_comment": "",
        f"goal_{second.pk}_rating": "",
    }
    missing = client.post(url, {**data, "action": "submit"})
    assert missing.status_code == 400 and b"Comment on this goal before submitting." in missing.content
    saved = client.post(url, {**data, "action": "save"})
    assert saved.status_code == 302
    stale = client.post(url, {**data, "action": "save", "summary": "Other"})
    assert stale.status_code == 409
    data.update({"lock_version": 2, f"goal_{second.pk}_comment": "Half"})
    done = client.post(url, {**data, "action": "submit"})
    assert done.status_code == 302
    with tenant_scope(tenant_a):
        assert Appraisal.objects.get(pk=world.appraisal.pk).stage == Stage.MANAGER_ASSESSMENT
    after = client.get(url)
    assert b'id="self-form"' not in after.content and b'id="self-view"' in after.content
    login(world.users["manager"])
    seen = client.get(url)
    assert b"My half" in seen.content and b'id="manager-form"' in seen.content
    login(world.users["colleague"])
    assert client.post(url, {**data, "action": "save"}).status_code == 404


def test_the_manager_assesses_and_the_employee_sees_nothing_before_release(tenant_a, client, login):
    # the self-assessment's deadline has passed: the manager assesses without it
    world, _goals = _world(tenant_a, current=Stage.MANAGER_ASSESSMENT)
    url = f"{P}/{world.appraisal.pk}/"
    grades = world.grades
    login(world.users["employee"])
    closed = client.get(url)
    assert b'id="self-closed"' in closed.content
    assert client.post(url, {"section": "manager", "grade": grades["B"].pk}).status_code == 403
    login(world.users["manager"])
    page = client.get(url)
    assert b'id="evidence-total"' in page.content and b'data-grade="B"' in page.content
    base = {"section": "manager", "reason": "Solid year", "comment": SECRET, "departure_reason": ""}
    far = client.post(url, {**base, "grade": grades["S"].pk, "lock_version": 1, "action": "save"})
    assert far.status_code == 400 and b"is-invalid" in far.content and b"grades away" in far.content
    draft = client.post(url, {**base, "grade": grades["A"].pk, "lock_version": 1, "action": "save"})
    assert draft.status_code == 302
    unexplained = client.post(url, {**base, "grade": grades["A"].pk, "lock_version": 2, "action": "submit"})
    assert unexplained.status_code == 400 and b"Explain why the grade departs" in unexplained.content
    login(world.users["employee"])
    hidden = client.get(url)
    assert SECRET.encode() not in hidden.content and b'id="manager-hidden"' in hidden.content
    login(world.users["manager"])
    done = client.post(url, {**base, "grade": grades["A"].pk, "lock_version": 2, "action": "submit",
                             "departure_reason": "Led the migration"})  # fmt: skip
    assert done.status_code == 302
    for key in ("manager", "hr", "auditor"):
        login(world.users[key])
        shown = client.get(url)
        assert SECRET.encode() in shown.content and b'id="result-score"' in shown.content, key
    login(world.users["employee"])
    assert SECRET.encode() not in client.get(url).content
    with tenant_scope(tenant_a):
        released_at = timezone.now() - timedelta(hours=1)
        Appraisal.objects.filter(pk=world.appraisal.pk).update(released_at=released_at)
    released = client.get(url)
    assert SECRET.encode() in released.content and b'id="manager-grade"' in released.content


def test_the_detail_page_reads_in_constant_queries(tenant_a, client, login, django_assert_max_num_queries):
    world, _goals = _world(tenant_a, current=Stage.MANAGER_ASSESSMENT)
    for key in ("manager", "hr", "employee"):
        login(world.users[key])
        with django_assert_max_num_queries(20, info=key):
            assert client.get(f"{P}/{world.appraisal.pk}/").status_code == 200


def test_the_pages_speak_chinese(tenant_a, client, login):
    tenant_a.locale = "zh-hans"
    tenant_a.save()
    world, _goals = _world(tenant_a, current=Stage.MANAGER_ASSESSMENT)
    login(world.users["manager"])
    listed = client.get(f"{P}/")
    assert "我的团队" in listed.content.decode()
    url = f"{P}/{world.appraisal.pk}/"
    page = client.get(url).content.decode()
    assert "结果的计算方式" in page and "建议等级" in page and "本期协作情况" in page
    refused = client.post(url, {"section": "manager", "grade": world.grades["S"].pk, "lock_version": 1,
                                "action": "save"})  # fmt: skip
    assert refused.status_code == 400
    assert "S与建议等级B相差2级；最多允许相差1级。" in refused.content.decode()


def test_the_stage_deadline_is_shown_in_the_tenants_time_zone(tenant_a, client, login):
    tenant_a.timezone = "America/Los_Angeles"
    tenant_a.save()
    world, _goals = _world(tenant_a)
    with tenant_scope(tenant_a):
        deadline = CycleStage.objects.get(cycle=world.cycle, stage=Stage.SELF_ASSESSMENT).deadline
    with translation.override("en"):
        local = timezone.localtime(deadline, ZoneInfo("America/Los_Angeles"))
        expected = formats.date_format(local, "DATETIME_FORMAT")
    login(world.users["employee"])
    shown = client.get(f"{P}/{world.appraisal.pk}/").content.decode()
    block = shown.split('id="appraisal-deadline">', 1)[1].split("</dd>", 1)[0]
    assert expected in block and "America/Los_Angeles" in block
