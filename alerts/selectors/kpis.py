"""Reads of process KPIs for the pages and the API: the KPIs of a process or stage with their latest point
and static health, a KPI's points (keyset-paged), and the series verdict the KPI page draws — the latest
buckets with the expected band, the verdict on the latest point and how much history a verdict still needs.

A series is read as a regular sequence of buckets (days, weeks from Monday, months from the 1st): a bucket
without a point is a gap (NaN) for the engines, never a zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import OuterRef, QuerySet, Subquery

from alerts.engine.anomaly import STATUS_NAMES, evaluate, series_matrix
from alerts.engine.daily import daily_verdicts
from alerts.engine.health import health_names, threshold_health
from alerts.models import Granularity, Process, ProcessKpi, ProcessKpiPoint, ProcessStage
from collab.calendar.engine import BusinessCalendar
from collab.selectors.calendar import tenant_calendar
from collab.tenancy import current_tenant

# The chart (and the verdict behind it) reads at most this many latest buckets: three years of months or
# weeks, five months of days — more than the anomaly engine's window and two seasons of weeks need.
CHART_BUCKETS = 156
SEASONS = {Granularity.MONTHLY: 12, Granularity.WEEKLY: 52}


def _latest(field: str) -> Subquery:
    return Subquery(ProcessKpiPoint.objects.filter(kpi=OuterRef("pk")).order_by("-at").values(field)[:1])


def process_kpis(*, process: Process | None = None, stage: ProcessStage | int | None = None) -> QuerySet:
    """The tenant's KPIs (of one process or stage, when given) with their stage and process, and their
    latest point (`latest_at`, `latest_value`: None without points), by stage order, then code."""
    queryset = ProcessKpi.objects.select_related("stage", "stage__process").annotate(
        latest_at=_latest("at"), latest_value=_latest("value")
    )
    if process is not None:
        queryset = queryset.filter(stage__process=process)
    if stage is not None:
        queryset = queryset.filter(stage=stage)
    return queryset.order_by("stage__order", "code", "id")


def kpi_health(kpi: ProcessKpi, value) -> str:
    """The static health of `value` against the KPI's lines: no_data, none (no lines), green, amber, red."""
    codes = threshold_health(
        [np.nan if value is None else float(value)],
        amber=np.nan if kpi.amber is None else float(kpi.amber),
        red=np.nan if kpi.red is None else float(kpi.red),
        direction=kpi.direction,
    )
    return health_names(codes)[0]


def with_health(kpis) -> list[ProcessKpi]:
    """The KPIs (annotated by `process_kpis`) as a list, each with `health` of its latest value."""
    rows = list(kpis)
    for kpi in rows:
        kpi.health = kpi_health(kpi, getattr(kpi, "latest_value", None))
    return rows


def stage_kpis(process: Process) -> dict[int, list[ProcessKpi]]:
    """The process's KPIs by stage id, with their latest value and health (one query)."""
    by_stage: dict[int, list[ProcessKpi]] = {}
    for kpi in with_health(process_kpis(process=process)):
        by_stage.setdefault(kpi.stage_id, []).append(kpi)
    return by_stage


def stage_sections(process: Process) -> list[tuple[ProcessStage, list[ProcessKpi]]]:
    """Each stage of `process` (its prefetched stages, as `process_page` reads them) with its KPIs."""
    by_stage = stage_kpis(process)
    return [(stage, by_stage.get(stage.pk, [])) for stage in process.stages.all()]


def kpi_points(kpi: ProcessKpi, *, start: dt.date | None = None, end: dt.date | None = None,
               newest_first: bool = False) -> QuerySet:  # fmt: skip
    """A KPI's points in time order (the unique (tenant, kpi, at) index serves both directions)."""
    queryset = ProcessKpiPoint.objects.filter(kpi=kpi)
    if start is not None:
        queryset = queryset.filter(at__gte=start)
    if end is not None:
        queryset = queryset.filter(at__lte=end)
    return queryset.order_by("-at" if newest_first else "at")


# ------------------------------------------------------------------------------------------ buckets
def bucket_number(day: dt.date, granularity: str) -> int:
    """Buckets numbered so that consecutive buckets step by one (`anomaly.series_matrix`'s periods)."""
    if granularity == Granularity.MONTHLY:
        return day.year * 12 + day.month - 1
    if granularity == Granularity.WEEKLY:
        return day.toordinal() // 7  # Mondays' ordinals are 1 mod 7
    return day.toordinal()


def bucket_day(number: int, granularity: str) -> dt.date:
    """The first day of bucket `number` (the inverse of `bucket_number`)."""
    if granularity == Granularity.MONTHLY:
        return dt.date(number // 12, number % 12 + 1, 1)
    if granularity == Granularity.WEEKLY:
        return dt.date.fromordinal(number * 7 + 1)
    return dt.date.fromordinal(number)


def business_calendar(years) -> BusinessCalendar:
    """The business calendar daily verdicts are judged on: the tenant's own (its base's public holidays and
    调休 days with the tenant's changes), cached until the calendar changes."""
    return tenant_calendar(current_tenant(), years=years)


# ------------------------------------------------------------------------------------------ verdict
def _number(value) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 6)


@dataclass
class SeriesVerdict:
    """The latest buckets of a series (`buckets`: at, value — None in a gap —, expected, lower, upper,
    flagged, status), the verdict on the latest point (`latest`: None without points) and the static
    health of the latest value."""

    kpi: ProcessKpi
    buckets: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, Any] | None = None
    health: str = "no_data"

    @property
    def has_band(self) -> bool:
        return any(bucket["expected"] is not None for bucket in self.buckets)

    def chart(self) -> dict[str, Any]:
        """The chart's data (`static/js/kpi_charts.js`)."""
        return {
            "labels": [bucket["at"].isoformat() for bucket in self.buckets],
            "values": [bucket["value"] for bucket in self.buckets],
            "lower": [bucket["lower"] for bucket in self.buckets],
            "upper": [bucket["upper"] for bucket in self.buckets],
            "flagged": [bucket["flagged"] for bucket in self.buckets],
            "amber": None if self.kpi.amber is None else float(self.kpi.amber),
            "red": None if self.kpi.red is None else float(self.kpi.red),
            "unit": self.kpi.unit_label,
        }


def series_verdict(kpi: ProcessKpi, *, buckets: int = CHART_BUCKETS) -> SeriesVerdict:
    """The last `buckets` buckets of the KPI (up to its latest point) judged by the anomaly engine: robust
    z (seasonal differences once two seasons exist) for weekly and monthly series, STL on the business
    calendar for daily ones. Two queries at most: the points, and none else."""
    rows = list(kpi_points(kpi, newest_first=True).values_list("at", "value")[:buckets])
    verdict = SeriesVerdict(kpi=kpi)
    if not rows:
        return verdict
    granularity = kpi.granularity
    last = bucket_number(rows[0][0], granularity)
    rows = [(at, value) for at, value in rows if bucket_number(at, granularity) > last - buckets]
    periods = [bucket_number(at, granularity) for at, _value in rows]
    _keys, axis, matrix = series_matrix([kpi.pk] * len(rows), periods, [float(v) for _at, v in rows])
    days = [bucket_day(int(number), granularity) for number in axis.tolist()]
    if granularity == Granularity.DAILY:
        calendar = business_calendar(range(days[0].year, days[-1].year + 1))
        dates = np.array(days, dtype="datetime64[D]")
        judged = daily_verdicts(matrix, dates, calendar, direction=kpi.direction)
    else:
        judged = evaluate(matrix, direction=kpi.direction, season=SEASONS[granularity])
    for position, day in enumerate(days):
        verdict.buckets.append({
            "at": day, "value": _number(judged.value[0, position]),
            "expected": _number(judged.expected[0, position]), "lower": _number(judged.lower[0, position]),
            "upper": _number(judged.upper[0, position]), "flagged": bool(judged.flagged[0, position]),
            "status": STATUS_NAMES[int(judged.status[0, position])],
        })  # fmt: skip
    end = len(days) - 1
    verdict.latest = {
        **verdict.buckets[end],
        "score": _number(judged.score[0, end]),
        "missing": int(judged.missing[0, end]),
        "history": int(judged.history[0, end]),
    }
    score = verdict.latest["score"]
    verdict.latest["distance"] = None if score is None else abs(score)  # robust σ from the expected value
    verdict.health = kpi_health(kpi, verdict.latest["value"])
    return verdict
