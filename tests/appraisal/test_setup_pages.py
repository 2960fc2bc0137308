"""HR's appraisal set-up pages: settings (HR edits, auditors read), cycles (create, rules, launch), the
progress board (filters, reminders, a reopened stage). Another tenant's cycle or appraisal is a 404; lists
keep a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    CycleStatus,
    Grade,
    ParticipantRule,
    Stage,
    StageReopening,
)
from appraisal.services.policy import policy_of_tenant
from collab.models import AuditEvent, Notification
from collab.selectors.audit.events import tenant_zone
from collab.tenancy import tenant_scope
from tests.factories.appraisal import CycleFactory, appraisal_world, date_stages

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def world(scope_a, tenant_a):
    return appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT)


@pytest.fixture
def bravo(tenant_b):
    with tenant_scope(tenant_b):
        return appraisal_world(tenant_b, prefix="zz", current=Stage.SELF_ASSESSMENT)


def _settings_post(policy, **changes):
    data = {"distribution_mode": "enforce", "departure_bound": 1, "confirmation_days": 7,
            "appeal_manager_days": 5, "appeal_hr_days": 5, "reminder_days": 3,
            "lock_version": policy.lock_version,
            "rules-0-grade_codes": "A", "rules-0-bound": "at_most", "rules-0-percent": "25"}  # fmt: skip
    for i, (code, band) in enumerate((("A", "90"), ("B", "60"), ("C", "0"))):
        data |= {f"grades-{i}-code": code, f"grades-{i}-name": f"Grade {code}", f"grades-{i}-description": "",
                 f"grades-{i}-min_score": band, f"grades-{i}-value": str(100 - 10 * i)}  # fmt: skip
    return data | changes


def test_hr_edits_the_settings_and_auditors_only_read_them(scope_a, tenant_a, login):
    from tests.factories import make_member

    hr = make_member(tenant_a, "hr_admin", username="hr")
    auditor = make_member(tenant_a, "auditor", username="aud")
    employee = make_member(tenant_a, "employee", username="emp")
    client = login(hr)
    page = client.get(url("appraisal-settings"))
    assert page.status_code == 200 and b'name="grades-4-code"' in page.content  # the default S-D scale
    policy = policy_of_tenant()
    bad = client.post(url("appraisal-settings"), _settings_post(policy, **{"grades-1-min_score": "95"}))
    assert bad.status_code == 400 and b"is-invalid" in bad.content
    saved = client.post(url("appraisal-settings"), _settings_post(policy))
    assert saved.status_code == 302
    assert list(Grade.objects.order_by("order").values_list("code", flat=True)) == ["A", "B", "C"]
    stale = client.post(url("appraisal-settings"), _settings_post(policy))
    assert stale.status_code == 409
    reader = login(auditor).get(url("appraisal-settings"))
    assert reader.status_code == 200 and b"appraisal-settings-save" not in reader.content
    assert login(auditor).post(url("appraisal-settings"), _settings_post(policy)).status_code == 403
    assert login(employee).get(url("appraisal-settings")).status_code == 403


def test_hr_creates_a_cycle_adds_a_rule_and_launches_it(world, tenant_a, login, bravo):
    client = login(world.users["hr"])
    zone = tenant_zone(tenant_a.timezone)
    assert client.get(url("appraisal-cycle-create")).status_code == 200
    start = timezone.localtime(timezone.now(), zone).replace(second=0, microsecond=0) - dt.timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M"
    data = {"name": "By page", "period": world.period.pk, "weight_scorecard": "60", "weight_review": "10",
            "weight_manager": "30", "goal_setting_opens": start.strftime(fmt),
            "goal_setting_deadline": (start + dt.timedelta(days=10)).strftime(fmt),
            "check_ins_opens": (start + dt.timedelta(days=5)).strftime(fmt),
            "check_ins_deadline": (start + dt.timedelta(days=20)).strftime(fmt)}  # fmt: skip
    overlapping = client.post(url("appraisal-cycle-create"), data)
    assert overlapping.status_code == 400 and "stages follow one another" in overlapping.content.decode()
    data["check_ins_opens"] = (start + dt.timedelta(days=11)).strftime(fmt)
    created = client.post(url("appraisal-cycle-create"), data)
    assert created.status_code == 302
    cycle = AppraisalCycle.objects.get(name="By page")
    assert created["Location"] == url("appraisal-cycle-detail", pk=cycle.pk)
    # The tenant's time zone: the deadline typed is the deadline stored.
    stored = cycle.stages.get(stage="goal_setting").deadline
    assert timezone.localtime(stored, zone).strftime(fmt) == data["goal_setting_deadline"]
    detail = client.get(url("appraisal-cycle-detail", pk=cycle.pk))
    assert detail.status_code == 200 and "60%" in detail.content.decode()
    refused = client.post(url("appraisal-cycle-detail", pk=cycle.pk), {"action": "launch", "lock_version": 1})
    assert refused.status_code == 400 and b"cycle-errors" in refused.content
    rule = {"action": "add_rule", "lock_version": 1, "org_unit": world.unit.pk, "include_sub_units": "on"}
    added = client.post(url("appraisal-cycle-detail", pk=cycle.pk), rule)
    assert added.status_code == 302 and ParticipantRule.objects.get(cycle=cycle).org_unit == world.unit
    foreign = client.post(url("appraisal-cycle-detail", pk=cycle.pk),
                          {"action": "add_rule", "lock_version": 2, "org_unit": bravo.unit.pk})  # fmt: skip
    assert foreign.status_code == 400
    launch = {"action": "launch", "lock_version": 2}
    launched = client.post(url("appraisal-cycle-detail", pk=cycle.pk), launch)
    assert launched.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.ACTIVE
    # The unit has the manager, the employee and the colleague.
    assert Appraisal.objects.filter(cycle=cycle).count() == 3


def test_pages_of_another_tenants_cycle_are_404(world, login, bravo):
    client = login(world.users["hr"])
    names = ("appraisal-cycle-detail", "appraisal-board", "appraisal-cycle-edit", "appraisal-cycle-delete")
    for name in names:
        assert client.get(url(name, pk=bravo.cycle.pk)).status_code == 404
    remind = client.post(url("appraisal-board", pk=world.cycle.pk),
                         {"action": "remind", "appraisal": bravo.appraisal.pk})  # fmt: skip
    assert remind.status_code == 404
    assert login(world.users["employee"]).get(url("appraisal-cycle-list")).status_code == 403
    assert login(world.users["manager"]).get(url("appraisal-board", pk=world.cycle.pk)).status_code == 403


def test_a_draft_is_edited_and_deleted_through_the_pages(scope_a, tenant_a, login):
    world = appraisal_world(tenant_a)
    draft = CycleFactory(period=world.period, name="Draft", status=CycleStatus.DRAFT)
    date_stages(draft)
    client = login(world.users["hr"])
    form = client.get(url("appraisal-cycle-edit", pk=draft.pk))
    assert form.status_code == 200 and b'name="goal_setting_opens"' in form.content
    world.cycle.status = CycleStatus.CLOSED
    world.cycle.save()
    assert client.get(url("appraisal-cycle-edit", pk=world.cycle.pk)).status_code == 302  # closed
    stale = client.post(url("appraisal-cycle-delete", pk=draft.pk), {"lock_version": 99})
    assert stale.status_code == 409
    assert client.post(url("appraisal-cycle-delete", pk=draft.pk), {"lock_version": 1}).status_code == 302
    assert not AppraisalCycle.objects.filter(pk=draft.pk).exists()


def test_hr_moves_a_launched_cycles_dates_ahead_and_nothing_else(world, login, bravo):
    cycle = world.cycle
    client = login(world.users["hr"])
    page = client.get(url("appraisal-cycle-edit", pk=cycle.pk))
    assert page.status_code == 200 and b'id="cycle-launched-note"' in page.content
    assert b'name="name"' in page.content and b'disabled' in page.content
    zone = tenant_zone(world.period.tenant.timezone)
    windows = {s.stage: s for s in cycle.stages.all()}
    local = lambda moment: timezone.localtime(moment, zone).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    data = {"lock_version": cycle.lock_version, "name": "Renamed", "weight_manager": "90"}
    for stage, row in windows.items():
        data[f"{stage}_opens"] = local(row.opens_at)
        data[f"{stage}_deadline"] = local(row.deadline)
    later = windows[Stage.SELF_ASSESSMENT].deadline + dt.timedelta(days=2)
    data["self_assessment_deadline"] = local(later)
    data["goal_setting_opens"] = "2020-01-01T00:00"  # disabled: an opened stage's opening stays
    overlap = client.post(url("appraisal-cycle-edit", pk=cycle.pk), data)
    # the next stage opens before the new deadline: the order of stages is kept, shown on the field
    assert overlap.status_code == 400
    assert "manager_assessment_opens" in overlap.context["form"].errors
    data["manager_assessment_opens"] = local(later)
    saved = client.post(url("appraisal-cycle-edit", pk=cycle.pk), data)
    assert saved.status_code == 302, saved.context["form"].errors
    cycle.refresh_from_db()
    rows = {s.stage: s for s in cycle.stages.all()}
    assert local(rows[Stage.SELF_ASSESSMENT].deadline) == local(later)
    assert rows[Stage.GOAL_SETTING].opens_at == windows[Stage.GOAL_SETTING].opens_at
    assert cycle.name == "ap cycle" and cycle.weight_manager != 90
    assert AuditEvent.objects.filter(action="appraisal_cycle.reschedule").count() == 1
    assert client.get(url("appraisal-cycle-edit", pk=bravo.cycle.pk)).status_code == 404


def test_the_board_filters_reminds_and_reopens(world, login, bravo, django_assert_max_num_queries):
    client = login(world.users["hr"])
    board = url("appraisal-board", pk=world.cycle.pk)
    page = client.get(board)
    assert page.status_code == 200 and page.content.decode().count("data-appraisal=") == 2
    filtered = client.get(board, {"unit": world.outsider.org_unit_id})
    assert b"board-empty" in filtered.content
    assert client.get(board, {"unit": bravo.unit.pk}).status_code == 200  # not a valid choice: unfiltered
    reminded = client.post(board, {"action": "remind", "appraisal": world.appraisal.pk})
    assert reminded.status_code == 302
    assert Notification.objects.get().recipient == world.users["employee"]
    client.post(board, {"action": "remind", "appraisal": world.appraisal.pk})
    assert Notification.objects.count() == 1  # not twice the same day
    until = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    no_reason = client.post(board, {"action": "reopen", "appraisal": world.appraisal.pk,
                                    "stage": "goal_setting", "until": until, "reason": ""})  # fmt: skip
    assert no_reason.status_code == 400 and b"reopen-errors" in no_reason.content
    reopen = {"action": "reopen", "appraisal": world.appraisal.pk, "stage": "goal_setting", "until": until,
              "reason": "Back from leave"}  # fmt: skip
    reopened = client.post(board, reopen)
    assert reopened.status_code == 302
    assert StageReopening.objects.get().reason == "Back from leave"
    assert AuditEvent.objects.filter(action="appraisal.stage_reopen").count() == 1
    auditor = login(world.users["auditor"])
    assert auditor.get(board).status_code == 200
    remind = {"action": "remind", "appraisal": world.colleague_appraisal.pk}
    assert auditor.post(board, remind).status_code == 403


def test_lists_keep_a_constant_number_of_queries(world, tenant_a, login, django_assert_max_num_queries):
    from tests.factories.appraisal import AppraisalFactory
    from tests.factories.org import EmployeeFactory

    client = login(world.users["hr"])
    for n in range(3):
        CycleFactory(period=world.period, name=f"More {n}")
    for _n in range(6):
        person = EmployeeFactory(org_unit=world.unit, manager=world.manager)
        AppraisalFactory(cycle=world.cycle, employee=person)
    with django_assert_max_num_queries(6):
        assert client.get(url("appraisal-cycle-list")).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(url("appraisal-board", pk=world.cycle.pk)).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(url("appraisal-board", pk=world.cycle.pk), {"overdue": "on"}).status_code == 200
