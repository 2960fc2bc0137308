"""Factories of the goals area. Call them inside `tenant_scope(tenant)` (the tenant comes from the scope)."""

from __future__ import annotations

from decimal import Decimal

import factory

from collab.models import OrgUnit, Period, Position
from goals.models import KPI, Goal, Measurement, Objective, ObjectiveLink, Perspective


class _MaterialisedPath(factory.django.DjangoModelFactory):
    """Compute `path`/`depth` from the parent once the row has an id (like the services do)."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def materialise(self, create, extracted, **kwargs):
        if not create:
            return
        parent = self.parent
        self.path = f"{parent.path if parent else '/'}{self.pk}/"
        self.depth = parent.depth + 1 if parent else 0
        type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)


class UnitFactory(_MaterialisedPath):
    """An org unit for goals tests (the org area's factories may replace it)."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.DEPARTMENT
    parent = None


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    code = factory.Sequence(lambda n: f"P{n:04d}")
    title = factory.Sequence(lambda n: f"Position {n}")
    org_unit = factory.SubFactory(UnitFactory)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("kind", "year", "quarter", "month")

    kind = Period.Kind.YEAR
    year = factory.Sequence(lambda n: 2000 + n % 100)
    quarter = None
    month = None
    status = Period.Status.ACTIVE


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
    owner_unit = factory.SubFactory(UnitFactory)
    cap = Decimal("1.20")
    frequency = KPI.Frequency.MONTHLY
    aggregation = KPI.Aggregation.SUM


class GoalFactory(_MaterialisedPath):
    """A goal node; `parent=` puts it under another node of the same period."""

    class Meta:
        model = Goal

    parent = None
    period = factory.LazyAttribute(lambda g: g.parent.period if g.parent else PeriodFactory())
    org_unit = factory.SubFactory(UnitFactory)
    position = None
    kpi = factory.SubFactory(KPIFactory, owner_unit=factory.SelfAttribute("..org_unit"))
    weight = Decimal("100")
    order = factory.Sequence(lambda n: n)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KPIFactory)
    period = factory.SubFactory(PeriodFactory)
    target = Decimal("90")
    actual = Decimal("81")
