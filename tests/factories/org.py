"""Organisation factories. Use them inside `tenant_scope(tenant)`: rows take the scoped tenant.

`OrgUnitFactory` keeps the materialised path right: "/<ancestor ids>/<own id>/" and depth = number of
ancestors. Pass `parent=` to nest; `PositionFactory` and `EmployeeFactory` create a unit when none is given.
"""

from __future__ import annotations

import factory

from collab.models import Employee, OrgUnit, Period, Position
from collab.tenancy import current_tenant


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.DEPARTMENT
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.get("parent")
        if parent is not None and parent.tenant_id != current_tenant().pk:
            raise ValueError("OrgUnitFactory: the parent belongs to another tenant.")
        unit = model_class(*args, **kwargs)
        unit.path = "/"
        unit.depth = 0 if parent is None else parent.depth + 1
        unit.save()
        unit.path = f"{parent.path if parent is not None else '/'}{unit.pk}/"
        model_class.objects.filter(pk=unit.pk).update(path=unit.path)
        return unit


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    code = factory.Sequence(lambda n: f"P{n:05d}")
    title = factory.Sequence(lambda n: f"Position {n}")
    org_unit = factory.SubFactory(OrgUnitFactory)
    job_family = "general"
    level = "L3"


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employee_no = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"Employee {n}")
    email = factory.LazyAttribute(lambda e: f"{e.employee_no.lower()}@example.com")
    org_unit = factory.SubFactory(OrgUnitFactory)
    position = None
    manager = None


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    kind = Period.Kind.YEAR
    year = None  # a free year of the scoped tenant, chosen at creation (see _create)
    quarter = None
    month = None
    status = Period.Status.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A fixed sequence would sooner or later hit a year a test created explicitly (2025, 2030…) and
        # break the tenant's period uniqueness depending on test order; take the first year still free.
        if kwargs.get("year") is None:
            same_kind = Period.objects.filter(
                kind=kwargs["kind"], quarter=kwargs.get("quarter"), month=kwargs.get("month")
            )
            taken = set(same_kind.values_list("year", flat=True))
            kwargs["year"] = next(year for year in range(2000, 2101) if year not in taken)
        return super()._create(model_class, *args, **kwargs)


__all__ = ["EmployeeFactory", "OrgUnitFactory", "PeriodFactory", "PositionFactory"]
