"""Model invariants of the goals app: constraints, clean() checks, tenant walls, measurement history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from collab.tenancy import TenantScopeMissing, tenant_scope
from goals.models import KPI, Goal, Measurement, ObjectiveLink, Perspective
from tests.factories.goals import (
    GoalFactory,
    KPIFactory,
    MeasurementFactory,
    ObjectiveFactory,
    ObjectiveLinkFactory,
    OrgUnitFactory,
    PeriodFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db


def test_perspectives_are_the_four_bsc_perspectives():
    assert Perspective.values == ["financial", "customer", "internal_process", "learning_growth"]


def test_kpi_code_unique_per_tenant_only(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        KPIFactory(code="REV")
        with pytest.raises(IntegrityError), transaction.atomic():
            KPIFactory(code="REV")
    with tenant_scope(tenant_b):
        assert KPIFactory(code="REV").tenant_id == tenant_b.pk


def test_kpi_cap_must_be_positive(scope_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        KPIFactory(cap=Decimal("0"))
    kpi = KPIFactory.build(cap=Decimal("0"), owner_unit=OrgUnitFactory())
    with pytest.raises(ValidationError) as error:
        kpi.full_clean()
    assert "cap" in error.value.message_dict


def test_kpi_defaults(scope_a):
    kpi = KPIFactory()
    fresh = KPI.objects.get(pk=kpi.pk)
    assert fresh.cap == Decimal("1.20")
    assert fresh.is_active and not fresh.is_collaborative
    assert fresh.process_tag == ""


def test_kpi_refuses_other_tenants_owner_unit(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign_unit = OrgUnitFactory()
    with tenant_scope(tenant_a):
        kpi = KPI(code="X", name="x", perspective=Perspective.CUSTOMER, owner_unit=foreign_unit)
        with pytest.raises(ValidationError) as error:
            kpi.save()
        assert "owner_unit" in error.value.message_dict
        assert not KPI.objects.filter(code="X").exists()


def test_objective_link_refuses_self_link(scope_a):
    objective = ObjectiveFactory()
    link = ObjectiveLink(cause=objective, effect=objective)
    with pytest.raises(ValidationError):
        link.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_objective_link_unique_and_same_period(scope_a):
    link = ObjectiveLinkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveLink.objects.create(cause=link.cause, effect=link.effect)
    other_period = ObjectiveFactory(period=PeriodFactory(year=2090))
    with pytest.raises(ValidationError) as error:
        ObjectiveLink(cause=link.cause, effect=other_period).full_clean()
    assert "effect" in error.value.message_dict


def test_objective_name_unique_per_period(scope_a):
    objective = ObjectiveFactory(name="Grow margin")
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveFactory(name="Grow margin", period=objective.period)
    ObjectiveFactory(name="Grow margin", period=PeriodFactory(year=2091))


def test_goal_factory_materialises_path_and_depth(scope_a):
    root = GoalFactory()
    child = GoalFactory(parent=root)
    grandchild = GoalFactory(parent=child)
    assert root.path == f"/{root.pk}/" and root.depth == 0
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/" and grandchild.depth == 2
    subtree = Goal.objects.filter(path__startswith=root.path)
    assert set(subtree.values_list("pk", flat=True)) == {root.pk, child.pk, grandchild.pk}


def test_goal_clean_refuses_parent_of_other_period_and_cycles(scope_a):
    root = GoalFactory()
    child = GoalFactory(parent=root)
    other = GoalFactory(period=PeriodFactory(year=2092))
    child.parent = other
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "parent" in error.value.message_dict
    root.parent = child
    with pytest.raises(ValidationError):
        root.full_clean()
    root.parent = root
    with pytest.raises(ValidationError):
        root.full_clean()


def test_goal_position_must_belong_to_unit(scope_a):
    goal = GoalFactory()
    goal.position = PositionFactory()
    with pytest.raises(ValidationError) as error:
        goal.full_clean()
    assert "position" in error.value.message_dict
    goal.position = PositionFactory(org_unit=goal.org_unit)
    goal.full_clean()


def test_goal_weight_range(scope_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalFactory(weight=Decimal("100.01"))
    goal = GoalFactory.build(weight=Decimal("-1"))
    with pytest.raises(ValidationError):
        goal.clean_fields(exclude=["period", "org_unit", "kpi"])


def test_goal_refuses_other_tenants_unit_and_parent(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign_goal = GoalFactory()
        foreign_unit = foreign_goal.org_unit
    with tenant_scope(tenant_a):
        goal = GoalFactory()
        goal.org_unit = foreign_unit
        goal.parent = foreign_goal
        with pytest.raises(ValidationError) as error:
            goal.save()  # the tenant wall of every save (TenantOwned) names each key that points out
        assert {"org_unit", "parent"} <= set(error.value.message_dict)


def test_measurement_unique_per_kpi_and_period(scope_a):
    measurement = MeasurementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(kpi=measurement.kpi, period=measurement.period, target=1)


def test_measurement_history_keeps_each_change_and_fails_closed(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        measurement = MeasurementFactory(actual=None)
        measurement.actual = Decimal("81")
        measurement.save()
        values = [row.actual for row in measurement.history.order_by("history_id")]
        assert values == [None, Decimal("81")]
        assert {row.tenant_id for row in Measurement.history.all()} == {tenant_a.pk}
    with tenant_scope(tenant_b):
        assert Measurement.history.count() == 0
        assert Measurement.history.model.objects.count() == 0
    with pytest.raises(TenantScopeMissing):
        Measurement.history.count()
