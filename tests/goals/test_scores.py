"""goals.selectors.scores: a period's KPI values and goal progress from the database, in a fixed number of
queries, with month → quarter → year derivation by each KPI's aggregation rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.models import Period
from collab.tenancy import tenant_scope
from goals.models import KPI
from goals.selectors import scores
from tests.factories.goals import GoalFactory, KPIFactory, MeasurementFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


def month(year, m, status=Period.Status.ACTIVE):
    return PeriodFactory(kind=Period.Kind.MONTH, year=year, month=m, status=status)


def quarter(year, q):
    return PeriodFactory(kind=Period.Kind.QUARTER, year=year, quarter=q)


class TestKpiValues:
    def test_direct_measurements_both_directions_and_no_data(self, scope_a):
        period = month(2025, 3)
        high = KPIFactory()
        low = KPIFactory(direction=KPI.Direction.LOWER_BETTER)
        unmeasured = KPIFactory()
        no_actual = KPIFactory()
        MeasurementFactory(kpi=high, period=period, target=Decimal("90"), actual=Decimal("81"))
        MeasurementFactory(kpi=low, period=period, target=Decimal("80"), actual=Decimal("100"))
        MeasurementFactory(kpi=no_actual, period=period, target=Decimal("5"), actual=None)
        values = scores.kpi_values(period, [high, low, unmeasured, no_actual])
        assert values[high.pk].score == 90.0 and values[high.pk].band == "amber"
        assert values[low.pk].score == 80.0
        assert values[unmeasured.pk].score is None and values[unmeasured.pk].band == "none"
        assert values[no_actual.pk].score is None and values[no_actual.pk].target == 5.0

    def test_all_active_kpis_when_none_given(self, scope_a):
        period = month(2025, 1)
        active = KPIFactory()
        KPIFactory(is_active=False)
        assert set(scores.kpi_values(period)) == {active.pk}

    def test_quarter_derived_from_months_by_rule(self, scope_a):
        q1 = quarter(2025, 1)
        months = [month(2025, m) for m in (1, 2, 3, 4)]
        summed = KPIFactory(aggregation=KPI.Aggregation.SUM)
        averaged = KPIFactory(aggregation=KPI.Aggregation.AVERAGE)
        last = KPIFactory(aggregation=KPI.Aggregation.LAST)
        for index, period in enumerate(months[:3]):
            MeasurementFactory(kpi=summed, period=period, target=Decimal(10), actual=Decimal(8 + index))
            MeasurementFactory(kpi=averaged, period=period, target=90, actual=Decimal(80 + 10 * index))
            MeasurementFactory(kpi=last, period=period, target=Decimal(5 + index), actual=Decimal(index))
        MeasurementFactory(kpi=summed, period=months[3], target=Decimal(1000), actual=Decimal(1000))  # Q2
        values = scores.kpi_values(q1, [summed, averaged, last])
        assert (values[summed.pk].target, values[summed.pk].actual) == (30.0, 27.0)
        assert values[summed.pk].score == 90.0 and values[summed.pk].source_actual == "derived"
        assert (values[averaged.pk].target, values[averaged.pk].actual) == (90.0, 90.0)
        assert (values[last.pk].target, values[last.pk].actual) == (7.0, 2.0)

    def test_direct_quarter_value_wins(self, scope_a):
        q1 = quarter(2025, 1)
        kpi = KPIFactory()
        MeasurementFactory(kpi=kpi, period=month(2025, 1), target=Decimal(10), actual=Decimal(10))
        MeasurementFactory(kpi=kpi, period=q1, target=Decimal(40), actual=Decimal(20))
        value = scores.kpi_value(q1, kpi)
        assert (value.target, value.actual, value.source_target) == (40.0, 20.0, "direct")
        assert value.score == 50.0

    def test_year_from_quarters_and_months(self, scope_a):
        year = PeriodFactory(kind=Period.Kind.YEAR, year=2025)
        kpi = KPIFactory(aggregation=KPI.Aggregation.SUM)
        MeasurementFactory(kpi=kpi, period=month(2025, 1), target=Decimal(10), actual=Decimal(12))
        MeasurementFactory(kpi=kpi, period=quarter(2025, 2), target=Decimal(30), actual=Decimal(30))
        # Another year stays out.
        MeasurementFactory(kpi=kpi, period=month(2024, 1), target=Decimal(999), actual=Decimal(1))
        value = scores.kpi_value(year, kpi)
        assert (value.target, value.actual) == (40.0, 42.0)

    def test_one_query_for_given_kpis(self, scope_a, django_assert_num_queries):
        period = month(2025, 5)
        kpis = [KPIFactory() for _ in range(5)]
        for kpi in kpis:
            MeasurementFactory(kpi=kpi, period=period)
        with django_assert_num_queries(1):
            scores.kpi_values(period, kpis)


def build_tree(period, fanout=(2, 3), measured=True):
    """A root with `fanout[0]` children, each with `fanout[1]` leaves; every leaf measured at 100·i/… ."""
    root = GoalFactory(period=period)
    leaves = []
    for _ in range(fanout[0]):
        middle = GoalFactory(parent=root, weight=Decimal(50))
        for _ in range(fanout[1]):
            leaf = GoalFactory(parent=middle, weight=Decimal(10))
            leaves.append(leaf)
            if measured:
                MeasurementFactory(kpi=leaf.kpi, period=period, target=Decimal(100), actual=Decimal(80))
    return root, leaves


class TestPeriodScores:
    def test_three_levels_with_renormalisation(self, scope_a):
        period = month(2025, 6)
        unit = OrgUnitFactory()
        root = GoalFactory(period=period, org_unit=unit)
        sales = GoalFactory(parent=root, weight=Decimal(60))
        service = GoalFactory(parent=root, weight=Decimal(40))
        a = GoalFactory(parent=sales, weight=Decimal(50))
        b = GoalFactory(parent=sales, weight=Decimal(50))
        c = GoalFactory(parent=service, weight=Decimal(100))  # no measurement
        MeasurementFactory(kpi=a.kpi, period=period, target=Decimal(100), actual=Decimal(100))
        MeasurementFactory(kpi=b.kpi, period=period, target=Decimal(100), actual=Decimal(50))
        # The root's own KPI is measured too: shown beside the rolled-up value, never mixed into it.
        MeasurementFactory(kpi=root.kpi, period=period, target=Decimal(90), actual=Decimal(81))
        result = scores.period_scores(period)
        assert result.goal(sales.pk).progress == 75.0
        assert result.goal(service.pk).progress is None and result.goal(service.pk).band == "none"
        assert result.goal(c.pk).progress is None
        assert result.goal(root.pk).progress == 75.0  # renormalised over the child with data
        assert result.goal(root.pk).measured == 90.0 and result.goal(root.pk).measured_band == "amber"
        assert result.goal(root.pk).children == 2 and result.goal(root.pk).children_with_data == 1
        assert result.goal(a.pk).is_leaf and result.goal(a.pk).band == "green"
        assert result.goal(root.pk).as_dict()["progress"] == 75.0

    def test_empty_period(self, scope_a):
        result = scores.period_scores(month(2025, 7))
        assert result.goals == {} and result.kpis == {}

    def test_other_periods_and_tenants_stay_out(self, tenant_b, scope_a):
        period = month(2025, 8)
        other = month(2025, 9)
        goal = GoalFactory(period=period)
        GoalFactory(period=other)
        with tenant_scope(tenant_b):
            b_period = month(2025, 8)
            GoalFactory(period=b_period)
        assert set(scores.period_scores(period).goals) == {goal.pk}

    def test_queries_do_not_grow_with_the_tree(self, scope_a, django_assert_num_queries):
        small = month(2025, 10)
        big = month(2025, 11)
        build_tree(small, (1, 2))
        build_tree(big, (4, 6))
        with django_assert_num_queries(2):
            small_result = scores.period_scores(small)
        with django_assert_num_queries(2):
            big_result = scores.period_scores(big)
        assert len(big_result.goals) == 1 + 4 + 24 > len(small_result.goals)
        assert all(g.progress == 80.0 for g in big_result.goals.values())
