"""Reads of process KPIs: the latest point and static health per KPI, the series verdict (a planted spike
flagged with its band, a short series saying how many points it still needs, a gap that stays a gap, the
chart's bound), and daily series judged on the business calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from alerts.models import ProcessStage
from alerts.selectors.kpis import bucket_day, bucket_number, process_kpis, series_verdict, stage_kpis
from tests.factories.alerts import make_kpi, make_process, monthly_points
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
CALM = [12.0, 12.4, 11.8, 12.1, 12.6, 11.9, 12.3, 12.0, 12.2, 11.7, 12.5, 12.1]


@pytest.fixture
def stage(scope_a):
    return ProcessStage.objects.get(process=make_process(OrgUnitFactory(name="Sales")), order=1)


def test_latest_value_and_static_health_per_kpi(stage, django_assert_max_num_queries):
    make_kpi(stage, code="A", points=monthly_points([10, 25]))  # amber 20, red 30: 25 is amber
    make_kpi(stage, code="B", points=monthly_points([31]))
    make_kpi(stage, code="C")
    process = stage.process
    with django_assert_max_num_queries(1):
        by_stage = stage_kpis(process)
    rows = {kpi.code: (kpi.latest_value, kpi.health) for kpi in by_stage[stage.pk]}
    assert rows == {"A": (25, "amber"), "B": (31, "red"), "C": (None, "no_data")}
    assert [k.code for k in process_kpis(stage=stage)] == ["A", "B", "C"]


def test_a_planted_spike_is_flagged_with_its_band(stage):
    kpi = make_kpi(stage, points=monthly_points([*CALM, *CALM, 19.0]), amber=None, red=None)
    verdict = series_verdict(kpi)
    latest = verdict.latest
    assert latest["status"] == "verdict" and latest["flagged"] and latest["missing"] == 0
    assert latest["expected"] == pytest.approx(12.1, abs=0.3) and latest["upper"] < 19.0
    assert latest["score"] > 3.5 and verdict.health == "none"
    assert [b["status"] for b in verdict.buckets[:8]] == ["too_short"] * 8
    assert verdict.has_band and verdict.chart()["values"][-1] == 19.0


def test_a_drop_is_no_anomaly_when_lower_is_better(stage):
    kpi = make_kpi(stage, points=monthly_points([*CALM, 5.0]), amber=None, red=None)
    assert series_verdict(kpi).latest["flagged"] is False


def test_a_short_series_says_how_many_points_it_needs_and_gaps_stay_gaps(stage):
    points = monthly_points([12, 13, 12, 14, 12])
    kpi = make_kpi(stage, points=[points[0], points[1], points[3], points[4]])  # the third month is missing
    verdict = series_verdict(kpi)
    assert [b["value"] for b in verdict.buckets] == [12, 13, None, 14, 12]
    assert verdict.latest["status"] == "too_short" and verdict.latest["missing"] == 5  # 3 of 8 there
    assert not verdict.has_band and verdict.latest["expected"] is None


def test_the_chart_reads_a_bounded_number_of_latest_buckets(stage):
    values = [float(10 + i % 3) for i in range(40)]
    kpi = make_kpi(stage, points=monthly_points(values))
    verdict = series_verdict(kpi, buckets=24)
    assert len(verdict.buckets) == 24 and verdict.buckets[-1]["at"] == dt.date(2026, 10, 1)
    assert series_verdict(make_kpi(stage, code="EMPTY")).latest is None


def test_daily_series_are_judged_on_the_business_calendar(stage):
    start = dt.date(2026, 6, 1)
    days = [start + dt.timedelta(days=i) for i in range(70)]
    rows = [(day, 100.0 + (day.toordinal() % 5)) for day in days]
    rows[-1] = (days[-1], 400.0)
    kpi = make_kpi(stage, code="DAILY", granularity="daily", amber=None, red=None, points=rows)
    latest = series_verdict(kpi).latest
    assert latest["at"] == days[-1]
    if days[-1].weekday() < 5:
        assert latest["status"] == "verdict" and latest["flagged"]
    else:
        assert latest["status"] == "day_off"


@pytest.mark.parametrize(
    "granularity,day",
    [("monthly", dt.date(2026, 3, 1)), ("weekly", dt.date(2026, 11, 2)), ("daily", dt.date(2026, 2, 17))],
)
def test_bucket_numbers_step_by_one_and_come_back(granularity, day):
    number = bucket_number(day, granularity)
    assert bucket_day(number, granularity) == day
    assert bucket_number(bucket_day(number + 1, granularity), granularity) == number + 1
