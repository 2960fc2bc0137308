"""KPI library services: validation, stale saves, deletion rules, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from goals.models import KPI, Perspective
from goals.services.kpis import default_aggregation, kpi_create, kpi_delete, kpi_update
from tests.factories.goals import GoalFactory, KPIFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


def _data(unit, **extra):
    data = {"code": "REV", "name": "Revenue", "perspective": Perspective.FINANCIAL, "owner_unit": unit}
    data.update(extra)
    return data


def test_create_strips_text_saves_and_audits(scope_a, hr_a):
    unit = OrgUnitFactory()
    kpi = kpi_create(actor=hr_a, data=_data(unit, code="  REV ", is_collaborative=True))
    assert kpi.code == "REV" and kpi.is_collaborative and kpi.lock_version == 1
    event = AuditEvent.objects.get(action="kpi.create")
    assert event.object_id == str(kpi.pk) and event.after["code"] == "REV"
    assert event.actor == hr_a


def test_create_refuses_duplicate_code_with_a_field_error(scope_a, hr_a):
    unit = OrgUnitFactory()
    kpi_create(actor=hr_a, data=_data(unit))
    with pytest.raises(ValidationError) as error:
        kpi_create(actor=hr_a, data=_data(unit, name="Other"))
    assert "code" in error.value.message_dict
    assert KPI.objects.count() == 1


def test_same_code_in_another_tenant_is_fine(tenant_a, tenant_b, hr_a, hr_b):
    with tenant_scope(tenant_a):
        kpi_create(actor=hr_a, data=_data(OrgUnitFactory()))
    with tenant_scope(tenant_b):
        assert kpi_create(actor=hr_b, data=_data(OrgUnitFactory())).tenant_id == tenant_b.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cap", Decimal("0")),
        ("cap", Decimal("-1")),
        ("direction", "sideways"),
        ("process_tag", "cash_to_cash"),
    ],
)
def test_create_refuses_invalid_values(scope_a, hr_a, field, value):
    with pytest.raises(ValidationError) as error:
        kpi_create(actor=hr_a, data=_data(OrgUnitFactory(), **{field: value}))
    assert field in error.value.message_dict
    assert not KPI.objects.exists() and not AuditEvent.objects.exists()


def test_create_refuses_other_tenants_owner_unit(tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory()
    with tenant_scope(tenant_a), pytest.raises(ValidationError) as error:
        kpi_create(actor=hr_a, data=_data(foreign))
    assert "owner_unit" in error.value.message_dict


def test_unknown_fields_are_refused(scope_a, hr_a):
    with pytest.raises(ValidationError):
        kpi_create(actor=hr_a, data=_data(OrgUnitFactory(), tenant=1))


def test_update_bumps_version_and_audits_before_after(scope_a, hr_a):
    kpi = KPIFactory(name="Old")
    updated = kpi_update(actor=hr_a, kpi=kpi, data={"name": "New"}, lock_version=kpi.lock_version)
    assert updated.name == "New" and updated.lock_version == 2
    event = AuditEvent.objects.get(action="kpi.update")
    assert event.before["name"] == "Old" and event.after["name"] == "New"


def test_stale_update_is_refused(scope_a, hr_a):
    kpi = KPIFactory(name="Old")
    kpi_update(actor=hr_a, kpi=kpi, data={"name": "First"}, lock_version=1)
    with pytest.raises(StaleEditError) as error:
        kpi_update(actor=hr_a, kpi=kpi, data={"name": "Second"}, lock_version=1)
    assert error.value.changed_by == "hr_a" and error.value.current_version == 2
    with pytest.raises(StaleEditError):  # a missing version is refused like a stale one
        kpi_update(actor=hr_a, kpi=kpi, data={"name": "Third"}, lock_version=None)
    assert KPI.objects.get(pk=kpi.pk).name == "First"


def test_saving_the_same_values_keeps_the_version_and_writes_no_audit(scope_a, hr_a):
    kpi = KPIFactory(name="Same", cap=Decimal("1.20"))
    before = AuditEvent.objects.count()
    same = kpi_update(actor=hr_a, kpi=kpi, data={"name": " Same ", "cap": Decimal("1.2")}, lock_version=1)
    assert same.lock_version == 1 and KPI.objects.get(pk=kpi.pk).lock_version == 1
    assert AuditEvent.objects.count() == before
    changed = kpi_update(actor=hr_a, kpi=kpi, data={"name": "Other"}, lock_version=1)
    assert changed.lock_version == 2 and changed.updated_by == hr_a


def test_update_to_an_existing_code_is_refused(scope_a, hr_a):
    KPIFactory(code="A")
    other = KPIFactory(code="B")
    with pytest.raises(ValidationError) as error:
        kpi_update(actor=hr_a, kpi=other, lock_version=other.lock_version, data={"code": "A"})
    assert "code" in error.value.message_dict


def test_delete_unused_kpi(scope_a, hr_a):
    kpi = KPIFactory()
    pk = kpi.pk
    kpi_delete(actor=hr_a, kpi=kpi)
    assert not KPI.objects.exists()
    assert AuditEvent.objects.filter(action="kpi.delete", object_id=str(pk)).exists()


def test_delete_refused_when_a_goal_uses_it(scope_a, hr_a):
    goal = GoalFactory()
    with pytest.raises(ValidationError):
        kpi_delete(actor=hr_a, kpi=goal.kpi)
    assert KPI.objects.filter(pk=goal.kpi_id).exists()
    assert not AuditEvent.objects.filter(action="kpi.delete").exists()


@pytest.mark.parametrize(
    ("unit", "name", "expected"),
    [
        ("%", "客户留存率", "average"),
        ("％", "Retention", "average"),
        ("", "投诉率", "average"),
        ("", "On-time delivery rate", "average"),
        ("ratio", "Current ratio", "average"),
        ("分", "客户满意度评分", "average"),
        ("万元", "销售额", "sum"),
        ("CNY", "Revenue", "sum"),
        ("次", "重大故障数", "sum"),
        ("", "New customers", "sum"),
    ],
)
def test_default_aggregation_follows_the_unit(unit, name, expected):
    assert default_aggregation(unit, name) == expected


def test_a_percentage_kpi_is_averaged_unless_told_otherwise(scope_a, hr_a, tenant_b, hr_b):
    """Issue 8, item 13: a percentage KPI's quarter and year used to be the sum of its months."""
    owner = OrgUnitFactory()

    def data(**extra):
        return {**_data(owner), **extra}

    rate = kpi_create(actor=hr_a, data=data(code="RET", name="客户留存率", unit="%"))
    assert rate.aggregation == KPI.Aggregation.AVERAGE
    blank = kpi_create(actor=hr_a, data=data(code="RET2", unit="%", aggregation=""))
    assert blank.aggregation == KPI.Aggregation.AVERAGE
    money = kpi_create(actor=hr_a, data=data(code="REV2", unit="万元"))
    assert money.aggregation == KPI.Aggregation.SUM
    chosen = kpi_create(actor=hr_a, data=data(code="RET3", unit="%", aggregation="last"))
    assert chosen.aggregation == KPI.Aggregation.LAST
    # an update that does not mention it keeps what is stored
    kpi_update(actor=hr_a, kpi=money, data={"unit": "%"}, lock_version=money.lock_version)
    money.refresh_from_db()
    assert money.aggregation == KPI.Aggregation.SUM
    with tenant_scope(tenant_b):
        assert not KPI.objects.filter(code="RET").exists()
