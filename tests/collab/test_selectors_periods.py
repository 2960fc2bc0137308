"""Periods in calendar order and the one rule for the period a page opens on (a second tenant in the room)."""

from __future__ import annotations

import pytest

from collab.models import Period
from collab.selectors.periods import default_period, period_start_key, periods_ordered
from collab.tenancy import tenant_scope
from tests.factories.org import PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("year", 2025, None, None), 202501),
        (("quarter", 2025, 3, None), 202507),
        (("month", 2025, None, 11), 202511),
        (("quarter", 2025, 1, None), 202501),
    ],
)
def test_period_start_key(args, key):
    assert period_start_key(*args) == key


@pytest.fixture
def periods(scope_a, tenant_b):
    with tenant_scope(tenant_b):
        PeriodFactory(year=2030, status=Period.Status.ACTIVE)  # another tenant's newest never counts
    return {
        "y2025": PeriodFactory(year=2025, status=Period.Status.CLOSED),
        "y2026": PeriodFactory(year=2026, status=Period.Status.ACTIVE),
        "q1": PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=1, status=Period.Status.CLOSED),
        "jan": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=1, status=Period.Status.CLOSED),
        "nov": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=11, status=Period.Status.ACTIVE),
        "dec": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=12, status=Period.Status.PLANNING),
    }


def test_calendar_order_puts_a_month_before_the_quarter_and_year_that_start_with_it(periods):
    labels = [p.label for p in periods_ordered()]
    assert labels == ["2025", "2026-01", "2026 Q1", "2026", "2026-11", "2026-12"]


def test_the_readers_latest_period_with_data_wins_over_newer_periods_of_others(periods):
    every = periods_ordered()
    # The reader's own data is in January and Q1; the company is busy in November. Of the two that start
    # together, the month wins (the finest: the one being worked on).
    assert default_period(every, {periods["jan"].pk, periods["q1"].pk}) == periods["jan"]
    assert default_period(every, {periods["q1"].pk, periods["y2026"].pk}) == periods["q1"]
    assert default_period(every, {periods["y2025"].pk}) == periods["y2025"]


def test_without_data_the_active_period_that_started_last_then_open_then_any(periods):
    every = periods_ordered()
    assert default_period(every) == periods["nov"]
    Period.objects.filter(status=Period.Status.ACTIVE).update(status=Period.Status.CLOSED)
    assert default_period(periods_ordered()) == periods["dec"]  # planning: not closed
    Period.objects.update(status=Period.Status.CLOSED)
    assert default_period(periods_ordered()) == periods["dec"]
    assert default_period([]) is None


def test_period_ids_with_probes_each_period_in_the_tenant(scope_a, tenant_b):
    from collab.selectors.periods import period_ids_with
    from goals.models import Goal
    from tests.factories.goals import GoalFactory

    quiet, busy = PeriodFactory(year=2024), PeriodFactory(year=2025)
    with tenant_scope(tenant_b):
        other = PeriodFactory(year=2026)
    GoalFactory(period=busy)
    with tenant_scope(tenant_b):
        GoalFactory(period=other)
    assert period_ids_with(Goal.objects.all(), "kpi_id") == {busy.pk}
    assert quiet.pk not in period_ids_with(Goal.objects.all(), "kpi_id")
    with tenant_scope(tenant_b):
        assert period_ids_with(Goal.objects.all(), "kpi_id") == {other.pk}
