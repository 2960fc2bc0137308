"""Organisation services: tree path maths, moves, deletes, positions, employees, the period flow."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from collab.models import AuditEvent, Employee, OrgUnit, Period, Position
from collab.services.org.employees import employee_create, employee_update
from collab.services.org.periods import (
    ensure_period_open,
    period_advance,
    period_create,
    period_delete,
    period_update,
)
from collab.services.org.positions import position_create, position_delete, position_update
from collab.services.org.units import (
    org_unit_create,
    org_unit_delete,
    org_unit_move,
    org_unit_rename,
    org_unit_update,
)
from collab.tenancy import tenant_scope
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db


def _unit(code, parent=None, actor=None):
    return org_unit_create(
        actor=actor, code=code, name=f"Unit {code}", kind="department", parent=parent
    )


def _tree():
    """G → (A → (A1 → A1a), A2), B"""
    g = _unit("G")
    a = _unit("A", g)
    a1 = _unit("A1", a)
    a1a = _unit("A1a", a1)
    a2 = _unit("A2", a)
    b = _unit("B", g)
    return g, a, a1, a1a, a2, b


def _fresh(*units):
    return [OrgUnit.objects.get(pk=u.pk) for u in units]


def test_create_computes_path_and_depth(scope_a, hr_a):
    g = org_unit_create(actor=hr_a, code="G", name="Group", kind="group")
    a = org_unit_create(actor=hr_a, code="A", name="Dept", kind="department", parent=g)
    t = org_unit_create(actor=hr_a, code="T", name="Team", kind="team", parent=a)
    g, a, t = _fresh(g, a, t)
    assert g.path == f"/{g.pk}/" and g.depth == 0
    assert a.path == f"/{g.pk}/{a.pk}/" and a.depth == 1
    assert t.path == f"/{g.pk}/{a.pk}/{t.pk}/" and t.depth == 2 and t.tenant_id == scope_a.pk
    event = AuditEvent.objects.filter(action="org_unit.create", object_id=str(t.pk)).get()
    assert event.actor == hr_a and event.after["code"] == "T"


def test_create_validates_fields(scope_a):
    with pytest.raises(ValidationError) as error:
        org_unit_create(actor=None, code="", name="x" * 300, kind="castle")
    assert {"code", "name", "kind"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        org_unit_create(actor=None, code="A\x00", name="ok", kind="team")
    assert "code" in error.value.message_dict
    _unit("DUP")
    with pytest.raises(ValidationError) as error:
        _unit("DUP")
    assert "already exists" in error.value.message_dict["code"][0]
    assert OrgUnit.objects.count() == 1


def test_same_code_allowed_in_another_tenant(scope_a, tenant_b):
    _unit("G")
    with tenant_scope(tenant_b):
        _unit("G")
        assert OrgUnit.objects.count() == 1


def test_parent_of_another_tenant_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = _unit("B1")
    with tenant_scope(tenant_a):
        with pytest.raises(ValidationError) as error:
            _unit("A1", foreign)
        assert "parent" in error.value.message_dict
        assert not OrgUnit.objects.exists()


def test_move_rewrites_the_whole_subtree(scope_a, hr_a):
    g, a, a1, a1a, a2, b = _tree()
    org_unit_move(actor=hr_a, unit=a1, lock_version=a1.lock_version, parent=b)
    g, a, a1, a1a, a2, b = _fresh(g, a, a1, a1a, a2, b)
    assert a1.parent_id == b.pk
    assert a1.path == f"/{g.pk}/{b.pk}/{a1.pk}/" and a1.depth == 2
    assert a1a.path == f"/{g.pk}/{b.pk}/{a1.pk}/{a1a.pk}/" and a1a.depth == 3
    # Untouched siblings keep their place.
    assert a2.path == f"/{g.pk}/{a.pk}/{a2.pk}/" and a.path == f"/{g.pk}/{a.pk}/"
    event = AuditEvent.objects.get(action="org_unit.move")
    assert event.before["parent"] == a.pk and event.after["parent"] == b.pk


def test_move_to_root_and_back_up_the_tree(scope_a):
    g, a, a1, a1a, a2, b = _tree()
    org_unit_move(actor=None, unit=a, lock_version=a.lock_version, parent=None)
    a, a1, a1a = _fresh(a, a1, a1a)
    assert a.parent_id is None and a.path == f"/{a.pk}/" and a.depth == 0
    assert a1a.path == f"/{a.pk}/{a1.pk}/{a1a.pk}/" and a1a.depth == 2
    org_unit_move(actor=None, unit=a1a, lock_version=a1a.lock_version, parent=a)
    (a1a,) = _fresh(a1a)
    assert a1a.path == f"/{a.pk}/{a1a.pk}/" and a1a.depth == 1


def test_move_uses_one_update_for_the_subtree(scope_a, django_assert_max_num_queries):
    g, a, a1, a1a, a2, b = _tree()
    for i in range(30):
        _unit(f"X{i}", a1a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        org_unit_move(actor=None, unit=a, lock_version=a.lock_version, parent=b)
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "REPLACE" in updates[0].upper()
    moved = OrgUnit.objects.filter(code__startswith="X")
    assert all(u.path.startswith(f"/{g.pk}/{b.pk}/{a.pk}/{a1.pk}/{a1a.pk}/") and u.depth == 5 for u in moved)


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_move_under_itself_or_a_descendant_is_refused(scope_a, target):
    g, a, a1, a1a, a2, b = _tree()
    parent = {"self": a, "child": a1, "grandchild": a1a}[target]
    before = list(OrgUnit.objects.values_list("pk", "path", "depth", "parent_id"))
    with pytest.raises(ValidationError) as error:
        org_unit_move(actor=None, unit=a, lock_version=a.lock_version, parent=parent)
    message = error.value.message_dict["parent"][0]
    assert "under itself" in message or "its own sub-units" in message
    assert list(OrgUnit.objects.values_list("pk", "path", "depth", "parent_id")) == before
    assert not AuditEvent.objects.filter(action="org_unit.move").exists()


def test_move_with_a_stale_instance_uses_the_database_path(scope_a):
    g, a, a1, a1a, a2, b = _tree()
    stale_a1a = OrgUnit.objects.get(pk=a1a.pk)
    a = org_unit_move(actor=None, unit=a, lock_version=a.lock_version, parent=b)
    # stale_a1a still carries the old path; moving b under it must still be refused (b is now an ancestor).
    with pytest.raises(ValidationError):
        org_unit_move(actor=None, unit=a, lock_version=a.lock_version, parent=stale_a1a)
    org_unit_move(actor=None, unit=stale_a1a, lock_version=stale_a1a.lock_version, parent=g)
    (a1a,) = _fresh(a1a)
    assert a1a.path == f"/{g.pk}/{a1a.pk}/"


def test_rename_and_update(scope_a, hr_a):
    g = _unit("G")
    org_unit_rename(actor=hr_a, unit=g, lock_version=g.lock_version, name="  Holding  ")
    g.refresh_from_db()
    assert g.name == "Holding"
    with pytest.raises(ValidationError):
        org_unit_rename(actor=hr_a, unit=g, lock_version=g.lock_version, name="")
    _unit("OTHER")
    with pytest.raises(ValidationError) as error:
        org_unit_update(actor=hr_a, unit=g, lock_version=g.lock_version, code="OTHER")
    assert "code" in error.value.message_dict
    assert AuditEvent.objects.filter(action="org_unit.update").count() == 1


def test_delete_refuses_units_in_use(scope_a):
    g, a, a1, a1a, a2, b = _tree()
    with pytest.raises(ValidationError, match="sub-units"):
        org_unit_delete(actor=None, unit=a)
    PositionFactory(org_unit=b)
    with pytest.raises(ValidationError, match="positions"):
        org_unit_delete(actor=None, unit=b)
    EmployeeFactory(org_unit=a2)
    with pytest.raises(ValidationError, match="employees"):
        org_unit_delete(actor=None, unit=a2)
    org_unit_delete(actor=None, unit=a1a)
    assert not OrgUnit.objects.filter(pk=a1a.pk).exists()
    assert AuditEvent.objects.filter(action="org_unit.delete", object_id=str(a1a.pk)).exists()


def test_factory_paths_match_service_paths(scope_a):
    root = OrgUnitFactory()
    child = OrgUnitFactory(parent=root)
    made = _unit("S", child)
    made.refresh_from_db()
    assert made.path == f"/{root.pk}/{child.pk}/{made.pk}/" and made.depth == 2


# ----- positions and employees ------------------------------------------------------------------------------
def test_position_crud(scope_a, hr_a):
    unit = OrgUnitFactory()
    other = OrgUnitFactory()
    position = position_create(actor=hr_a, code="P1", title="Engineer", org_unit=unit, level="L2")
    position_update(
        actor=hr_a, position=position, lock_version=position.lock_version, org_unit=other,
        title="Senior engineer",
    )
    position.refresh_from_db()
    assert position.org_unit == other and position.title == "Senior engineer" and position.level == "L2"
    with pytest.raises(ValidationError) as error:
        position_create(actor=hr_a, code="P1", title="Again", org_unit=unit)
    assert "code" in error.value.message_dict
    EmployeeFactory(org_unit=other, position=position)
    with pytest.raises(ValidationError, match="held by employees"):
        position_delete(actor=hr_a, position=position)


def test_position_unit_of_another_tenant_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory()
    with tenant_scope(tenant_a):
        with pytest.raises(ValidationError) as error:
            position_create(actor=None, code="P", title="T", org_unit=foreign)
        assert "org_unit" in error.value.message_dict
        assert not Position.objects.exists()


def test_employee_manager_rules(scope_a, hr_a):
    unit = OrgUnitFactory()
    boss = employee_create(actor=hr_a, employee_no="E1", name="Boss", org_unit=unit)
    mid = employee_create(actor=hr_a, employee_no="E2", name="Mid", org_unit=unit, manager=boss)
    low = employee_create(actor=hr_a, employee_no="E3", name="Low", org_unit=unit, manager=mid)
    with pytest.raises(ValidationError, match="own manager"):
        employee_update(actor=hr_a, employee=boss, lock_version=boss.lock_version, manager=boss)
    with pytest.raises(ValidationError, match="loop"):
        employee_update(actor=hr_a, employee=boss, lock_version=boss.lock_version, manager=low)
    boss.refresh_from_db()
    assert boss.manager is None
    employee_update(actor=hr_a, employee=low, lock_version=low.lock_version, manager=boss)
    low.refresh_from_db()
    assert low.manager == boss


def test_employee_manager_and_position_of_another_tenant_are_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign_boss = EmployeeFactory()
        foreign_position = PositionFactory()
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        for field, value in (("manager", foreign_boss), ("position", foreign_position)):
            with pytest.raises(ValidationError) as error:
                employee_create(
                    actor=None, employee_no="E", name="N", org_unit=unit, **{field: value}
                )
            assert field in error.value.message_dict
        assert not Employee.objects.exists()


def test_employee_validation(scope_a):
    unit = OrgUnitFactory()
    with pytest.raises(ValidationError) as error:
        employee_create(actor=None, employee_no="", name="N", org_unit=unit, email="not-an-email")
    assert {"employee_no", "email"} <= set(error.value.message_dict)
    employee_create(actor=None, employee_no="E1", name="N", org_unit=unit)
    with pytest.raises(ValidationError, match="already exists"):
        employee_create(actor=None, employee_no="E1", name="M", org_unit=unit)


def test_employee_user_must_be_a_member(scope_a, tenant_b, hr_a, hr_b):
    unit = OrgUnitFactory()
    with pytest.raises(ValidationError) as error:
        employee_create(actor=None, employee_no="E1", name="N", org_unit=unit, user=hr_b)
    assert "user" in error.value.message_dict
    first = employee_create(actor=None, employee_no="E1", name="N", org_unit=unit, user=hr_a)
    assert first.user == hr_a
    with pytest.raises(ValidationError, match="already linked"):
        employee_create(actor=None, employee_no="E2", name="M", org_unit=unit, user=hr_a)


# ----- periods ----------------------------------------------------------------------------------------------
def test_period_flow_only_moves_to_the_next_status(scope_a, hr_a):
    period = period_create(actor=hr_a, kind="quarter", year=2026, quarter=2)
    assert period.status == Period.Status.PLANNING and period.label == "2026 Q2"
    with pytest.raises(ValidationError, match="only move to"):
        period_advance(actor=hr_a, period=period, to_status="closed")
    for expected in ("active", "review", "closed"):
        period = period_advance(actor=hr_a, period=period, to_status=expected)
        assert period.status == expected
    with pytest.raises(ValidationError, match="closed"):
        period_advance(actor=hr_a, period=period)
    assert AuditEvent.objects.filter(action="period.advance").count() == 3


def test_period_validation_and_uniqueness(scope_a, tenant_b):
    with pytest.raises(ValidationError) as error:
        period_create(actor=None, kind="quarter", year=2026)
    assert "quarter" in error.value.message_dict
    with pytest.raises(ValidationError):
        period_create(actor=None, kind="month", year=1999, month=13)
    period_create(actor=None, kind="year", year=2026)
    with pytest.raises(ValidationError, match="already exists"):
        period_create(actor=None, kind="year", year=2026)
    with tenant_scope(tenant_b):
        period_create(actor=None, kind="year", year=2026)


def test_only_planning_periods_can_be_edited_or_deleted(scope_a):
    period = period_create(actor=None, kind="year", year=2030)
    period_update(actor=None, period=period, lock_version=period.lock_version, kind="month", month=3)
    period.refresh_from_db()
    assert period.label == "2030-03"
    period = period_advance(actor=None, period=period)
    with pytest.raises(ValidationError, match="planning"):
        period_update(actor=None, period=period, lock_version=period.lock_version, year=2031)
    with pytest.raises(ValidationError, match="planning"):
        period_delete(actor=None, period=period)
    fresh = period_create(actor=None, kind="year", year=2031)
    period_delete(actor=None, period=fresh)
    assert not Period.objects.filter(pk=fresh.pk).exists()


def test_ensure_period_open_guards_closed_periods_even_from_a_stale_instance(scope_a):
    period = PeriodFactory(status=Period.Status.REVIEW)
    ensure_period_open(period)
    stale = Period.objects.get(pk=period.pk)
    period_advance(actor=None, period=period)
    with pytest.raises(ValidationError) as error:
        ensure_period_open(stale)
    assert "closed" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as error:
        ensure_period_open(stale, field="target_period")
    assert "target_period" in error.value.message_dict


def test_ensure_period_open_refuses_another_tenants_period(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = PeriodFactory()
    with tenant_scope(tenant_a), pytest.raises(ValidationError):
        ensure_period_open(foreign)


def test_saving_the_same_values_writes_no_audit_event(tenant_a, hr_a):
    """An "edited" event with no change in it would only be noise in the audit log."""
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory(code="U1", name="Unit one")
        position = PositionFactory(code="P1", title="Clerk", org_unit=unit)
        before = AuditEvent.objects.count()
        org_unit_update(
            actor=hr_a, unit=unit, lock_version=unit.lock_version, code="U1", name=" Unit one ",
            kind=unit.kind,
        )
        position_update(
            actor=hr_a, position=position, lock_version=position.lock_version, code="P1", title="Clerk",
            org_unit=unit,
        )
        assert AuditEvent.objects.count() == before
        position_update(
            actor=hr_a, position=position, lock_version=position.lock_version, title="Senior clerk",
            org_unit=unit,
        )
        event = AuditEvent.objects.latest("id")
        assert event.action == "position.update" and event.after["title"] == "Senior clerk"
