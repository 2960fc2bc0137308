"""Setting up a cycle as a draft, launching it (one appraisal a participant, frozen) and closing it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appraisal.models import Appraisal, AppraisalCycle, CycleStage, CycleStatus, ParticipantRule, Stage
from appraisal.selectors.cycles import stored_stages
from appraisal.services.cycles import cycle_close, cycle_create, cycle_delete, cycle_launch, cycle_update
from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _stages(start=NOW - dt.timedelta(days=1)):
    days = dt.timedelta(days=7)
    return [
        {"stage": stage, "opens_at": start + i * days,
         "deadline": start + (i + 1) * days - dt.timedelta(minutes=1)}
        for i, stage in enumerate((Stage.GOAL_SETTING, Stage.CHECK_INS, Stage.SELF_ASSESSMENT,
                                   Stage.MANAGER_ASSESSMENT, Stage.CALIBRATION))
    ]  # fmt: skip


@pytest.fixture
def org(tenant_a):
    with tenant_scope(tenant_a):
        hr = make_member(tenant_a, "hr_admin", username="hr")
        top = OrgUnitFactory(name="Top")
        sales = OrgUnitFactory(name="Sales", parent=top)
        east = OrgUnitFactory(name="East", parent=sales)
        other = OrgUnitFactory(name="Other", parent=top)
        analyst = PositionFactory(org_unit=sales, title="Analyst", job_family="Finance", level="P3")
        boss = EmployeeFactory(org_unit=sales, name="Boss")
        people = {
            "boss": boss,
            "ann": EmployeeFactory(org_unit=sales, position=analyst, manager=boss, name="Ann"),
            "eve": EmployeeFactory(org_unit=east, manager=boss, name="Eve"),
            "gone": EmployeeFactory(org_unit=east, manager=boss, name="Gone", is_active=False),
            "oli": EmployeeFactory(org_unit=other, name="Oli"),
        }
        yield {"hr": hr, "period": PeriodFactory(), "sales": sales, "east": east, "analyst": analyst,
               "people": people}  # fmt: skip


def _create(org, **overrides):
    data = {"name": "2026 H1", "period": org["period"], "weight_scorecard": "50", "weight_review": "20",
            "weight_manager": "30"}  # fmt: skip
    return cycle_create(
        actor=org["hr"], data={**data, **overrides.pop("data", {})},
        stages=overrides.pop("stages", _stages()),
        rules=overrides.pop("rules", [{"org_unit": org["sales"], "include_sub_units": True}]),
    )  # fmt: skip


def test_a_draft_is_created_with_stages_and_rules_and_audited(org, tenant_a):
    with tenant_scope(tenant_a):
        cycle = _create(org)
        assert cycle.status == CycleStatus.DRAFT and cycle.weight_manager == Decimal("30")
        assert CycleStage.objects.filter(cycle=cycle).count() == 5
        assert ParticipantRule.objects.get(cycle=cycle).org_unit == org["sales"]
        event = AuditEvent.objects.get(action="appraisal_cycle.create")
        assert event.after["rules"][0]["org_unit"] == org["sales"].pk


@pytest.mark.parametrize(
    ("change", "keys"),
    [
        ({"data": {"weight_manager": "40"}}, {"weight_scorecard"}),
        ({"data": {"name": "", "period": 10**9}}, {"name", "period"}),
        ({"stages": [{"stage": "final", "opens_at": NOW, "deadline": NOW}]}, {"stages-0-stage"}),
        ({"stages": [{"stage": "goal_setting", "opens_at": NOW, "deadline": NOW}]}, {"stages-0-deadline"}),
        ({"stages": [{"stage": "goal_setting", "opens_at": NOW, "deadline": NOW + dt.timedelta(days=5)},
                     {"stage": "check_ins", "opens_at": NOW + dt.timedelta(days=2),
                      "deadline": NOW + dt.timedelta(days=9)}]}, {"stages-1-opens_at"}),
        ({"stages": [{"stage": "goal_setting", "opens_at": "soon", "deadline": None}]},
         {"stages-0-opens_at", "stages-0-deadline"}),
        ({"rules": [{"include_sub_units": True}]}, {"rules-0-org_unit"}),
        ({"rules": [{"org_unit": 10**9}]}, {"rules-0-org_unit"}),
    ],
)  # fmt: skip
def test_a_bad_draft_is_refused_with_field_errors(org, tenant_a, change, keys):
    with tenant_scope(tenant_a):
        with pytest.raises(ValidationError) as refused:
            _create(org, **change)
        assert set(refused.value.message_dict) == keys
        assert not AppraisalCycle.objects.exists()


def test_stages_follow_the_stage_order_not_the_list_order(org, tenant_a):
    with tenant_scope(tenant_a):
        stages = _stages()
        cycle = _create(org, stages=list(reversed(stages)))
        assert CycleStage.objects.filter(cycle=cycle).count() == len(stages)


def test_another_tenants_unit_is_not_a_valid_rule(org, tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory(name="Foreign")
    with tenant_scope(tenant_a):
        with pytest.raises(ValidationError) as refused:
            _create(org, rules=[{"org_unit": foreign}])
        assert set(refused.value.message_dict) == {"rules-0-org_unit"}


def test_a_draft_is_edited_stale_refused_and_deleted(org, tenant_a):
    with tenant_scope(tenant_a):
        cycle = _create(org)
        version = cycle.lock_version
        saved = cycle_update(actor=org["hr"], cycle=cycle, lock_version=version, data={"name": "H1"},
                             rules=[{"position": org["analyst"]}])  # fmt: skip
        assert saved.name == "H1" and ParticipantRule.objects.get(cycle=cycle).position == org["analyst"]
        with pytest.raises(StaleEditError):
            cycle_update(actor=org["hr"], cycle=cycle, lock_version=version, data={"name": "H2"})
        version = saved.lock_version
        unchanged = cycle_update(actor=org["hr"], cycle=saved, lock_version=version, data={"name": "H1"})
        assert unchanged.lock_version == saved.lock_version
        cycle_delete(actor=org["hr"], cycle=saved, lock_version=saved.lock_version)
        assert not AppraisalCycle.objects.exists()
        assert AuditEvent.objects.filter(action="appraisal_cycle.delete").count() == 1


def test_launch_freezes_each_participant_once_and_moves_them_to_the_open_stage(org, tenant_a):
    people = org["people"]
    with tenant_scope(tenant_a):
        cycle = _create(org, rules=[{"org_unit": org["east"], "include_sub_units": False},
                                    {"job_family": "finance", "level": "p3"}])  # fmt: skip
        count = cycle_launch(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, now=NOW)
        # Eve by unit, Ann by job family and level; Gone is inactive, Boss and Oli match no rule.
        assert count == 2
        rows = {a.employee.name: a for a in Appraisal.objects.select_related("employee")}
        assert set(rows) == {"Ann", "Eve"}
        ann = rows["Ann"]
        assert (ann.manager, ann.org_unit, ann.position, ann.job_family, ann.level) == (
            people["boss"], org["sales"], org["analyst"], "Finance", "P3",
        )  # fmt: skip
        assert ann.stage == Stage.GOAL_SETTING
        cycle.refresh_from_db()
        assert cycle.status == CycleStatus.ACTIVE and cycle.launched_at == NOW
        # A later move changes nobody's frozen assessor; launching again changes nothing.
        people["ann"].manager = None
        people["ann"].save()
        assert cycle_launch(actor=org["hr"], cycle=cycle, lock_version=0, now=NOW) == 2
        assert Appraisal.objects.get(employee=people["ann"]).manager == people["boss"]
        assert AuditEvent.objects.filter(action="appraisal_cycle.launch").count() == 1
        with pytest.raises(ValidationError):
            cycle_update(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, data={"name": "x"})
        with pytest.raises(ValidationError):
            cycle_delete(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version)


def test_an_empty_launch_is_refused_clearly(org, tenant_a):
    with tenant_scope(tenant_a):
        cycle = _create(org, rules=[{"job_family": "Nobody"}])
        with pytest.raises(ValidationError) as refused:
            cycle_launch(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, now=NOW)
        assert "nobody would take part" in refused.value.message_dict["rules"][0]
        no_rules = _create(org, data={"name": "other"}, rules=[])
        with pytest.raises(ValidationError) as refused:
            cycle_launch(actor=org["hr"], cycle=no_rules, lock_version=no_rules.lock_version, now=NOW)
        assert set(refused.value.message_dict) == {"rules"}
        assert not Appraisal.objects.exists()
        assert AppraisalCycle.objects.filter(status=CycleStatus.DRAFT).count() == 2


def test_close_waits_for_every_result(org, tenant_a):
    with tenant_scope(tenant_a):
        cycle = _create(org)
        with pytest.raises(ValidationError):
            cycle_close(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version)
        cycle_launch(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, now=NOW)
        cycle.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            cycle_close(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version)
        assert "not final" in refused.value.message_dict["status"][0]
        Appraisal.objects.update(stage=Stage.FINAL)
        closed = cycle_close(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, now=NOW)
        assert closed.status == CycleStatus.CLOSED and closed.closed_at == NOW
        assert cycle_close(actor=org["hr"], cycle=cycle, lock_version=0).status == CycleStatus.CLOSED
        assert AuditEvent.objects.filter(action="appraisal_cycle.close").count() == 1
        assert timezone.is_aware(closed.closed_at)


def _moved(stages, stage, **dates):
    return [{**row, **dates} if row["stage"] == stage else row for row in stages]


def test_a_launched_cycle_moves_only_the_dates_still_ahead_and_everyone_moves_on(org, tenant_a):
    with tenant_scope(tenant_a):
        cycle = _create(org)
        cycle_launch(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, now=NOW)
        cycle.refresh_from_db()
        stages = _stages()
        # Goal setting (opened yesterday) closes "now" by a date already past; check-ins open now.
        past = NOW - dt.timedelta(hours=2)
        moved = _moved(_moved(stages, Stage.GOAL_SETTING, deadline=past), Stage.CHECK_INS, opens_at=past)
        saved = cycle_update(
            actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, data={"name": cycle.name},
            stages=moved, now=NOW,
        )  # fmt: skip
        rows = {s.stage: s for s in CycleStage.objects.filter(cycle=cycle)}
        assert rows[Stage.GOAL_SETTING].deadline == NOW and rows[Stage.CHECK_INS].opens_at == NOW
        assert saved.lock_version == cycle.lock_version + 1
        assert set(Appraisal.objects.values_list("stage", flat=True)) == {Stage.CHECK_INS}
        event = AuditEvent.objects.get(action="appraisal_cycle.reschedule")
        assert event.before["stages"][0][2] != event.after["stages"][0][2]
        # The same dates again change nothing.
        again = cycle_update(actor=org["hr"], cycle=saved, lock_version=saved.lock_version, data={},
                             stages=[{**row} for row in stored_stages(cycle)], now=NOW)  # fmt: skip
        assert again.lock_version == saved.lock_version


@pytest.mark.parametrize(
    ("change", "keys"),
    [
        # an opened stage keeps its opening
        (lambda s: _moved(s, Stage.GOAL_SETTING, opens_at=NOW - dt.timedelta(days=3)), {"stages-0-opens_at"}),
        # no stage added or dropped after launch
        (lambda s: s[:-1], {"stages"}),
        # a stage not opened yet cannot end before now
        (lambda s: _moved(s, Stage.CALIBRATION, deadline=NOW - dt.timedelta(days=1)), {"stages-4-deadline"}),
        # the order still holds: check-ins cannot open before goal setting's deadline
        (lambda s: _moved(s, Stage.CHECK_INS, opens_at=NOW + dt.timedelta(days=3)), {"stages-1-opens_at"}),
    ],
)
def test_a_launched_cycle_refuses_what_would_rewrite_its_past(org, tenant_a, change, keys):
    with tenant_scope(tenant_a):
        cycle = _create(org)
        cycle_launch(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, now=NOW)
        cycle.refresh_from_db()
        before = stored_stages(cycle)
        with pytest.raises(ValidationError) as refused:
            cycle_update(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version, data={},
                         stages=change(_stages()), now=NOW)  # fmt: skip
        assert set(refused.value.message_dict) == keys
        assert stored_stages(cycle) == before
        with pytest.raises(ValidationError) as refused:
            cycle_update(actor=org["hr"], cycle=cycle, lock_version=cycle.lock_version,
                         data={"weight_manager": "40", "weight_review": "10"}, now=NOW)  # fmt: skip
        assert set(refused.value.message_dict) == {"weight_manager", "weight_review"}
