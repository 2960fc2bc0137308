"""Business calendar factories. Use them inside `tenant_scope(tenant)`: rows take the scoped tenant."""

from __future__ import annotations

import datetime as dt

import factory

from collab.models import CalendarDay, CalendarDayKind


class CalendarDayFactory(factory.django.DjangoModelFactory):
    """One of the tenant's own days (default: a day off on consecutive dates from 1 March 2027)."""

    class Meta:
        model = CalendarDay

    date = factory.Sequence(lambda n: dt.date(2027, 3, 1) + dt.timedelta(days=n))
    kind = CalendarDayKind.HOLIDAY
    name = factory.Sequence(lambda n: f"Company day {n}")
