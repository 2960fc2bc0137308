"""Factories of the goals area. Call them inside `tenant_scope(tenant)` (the tenant comes from the scope)."""

from __future__ import annotations

from decimal import Decimal

import factory

from goals.models import KPI, Goal, Measurement, Objective, ObjectiveLink, Perspective
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    period = factory.SubFactory(PeriodFactory)
    perspective = Perspective.FINANCIAL
    name = factory.Sequence(lambda n: f"Objective {n}")
    order = factory.Sequence(lambda n: n)


class ObjectiveLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveLink

    cause = factory.SubFactory(ObjectiveFactory)
    effect = factory.SubFactory(
        ObjectiveFactory, period=factory.SelfAttribute("..cause.period"), perspective=Perspective.CUSTOMER
    )


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    code = factory.Sequence(lambda n: f"K{n:04d}")
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    direction = KPI.Direction.HIGHER_BETTER
    perspective = Perspective.FINANCIAL
    owner_unit = factory.SubFactory(OrgUnitFactory)
    cap = Decimal("1.20")
    frequency = KPI.Frequency.MONTHLY
    aggregation = KPI.Aggregation.SUM


class GoalFactory(factory.django.DjangoModelFactory):
    """A goal node; `parent=` puts it under another node of the same period. `path` ("/1/4/9/") and
    `depth` are computed like the tree services do."""

    class Meta:
        model = Goal

    parent = None
    period = factory.LazyAttribute(lambda g: g.parent.period if g.parent else PeriodFactory())
    org_unit = factory.SubFactory(OrgUnitFactory)
    position = None
    kpi = factory.SubFactory(KPIFactory, owner_unit=factory.SelfAttribute("..org_unit"))
    weight = Decimal("100")
    order = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.get("parent")
        goal = model_class(*args, **kwargs)
        goal.path = "/"
        goal.depth = 0 if parent is None else parent.depth + 1
        goal.save()
        goal.path = f"{parent.path if parent is not None else '/'}{goal.pk}/"
        model_class.objects.filter(pk=goal.pk).update(path=goal.path)
        return goal


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KPIFactory)
    period = factory.SubFactory(PeriodFactory)
    target = Decimal("90")
    actual = Decimal("81")


__all__ = [
    "GoalFactory",
    "KPIFactory",
    "MeasurementFactory",
    "ObjectiveFactory",
    "ObjectiveLinkFactory",
    "OrgUnitFactory",
    "PeriodFactory",
    "PositionFactory",
]
