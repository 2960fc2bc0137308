"""KPI buckets as consecutive integers (what `alerts.engine.anomaly.series_matrix` takes), pure.

A bucket is named by its first day: the day itself, the week's Monday, the month's first. `bucket_index`
numbers them (a month as year · 12 + month − 1, a week as its Monday's ordinal // 7, a day as its ordinal);
`last_complete` is the bucket a check expects data for on a given day: yesterday, last week, last month."""

from __future__ import annotations

import datetime as dt

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
SEASON = {DAILY: 0, WEEKLY: 52, MONTHLY: 12}
# How many buckets of history a check reads: the anomaly window plus two seasons where there is one.
HISTORY = {DAILY: 60, WEEKLY: 2 * 52 + 14, MONTHLY: 2 * 12 + 14}


def bucket_start(day: dt.date, granularity: str) -> dt.date:
    if granularity == MONTHLY:
        return day.replace(day=1)
    if granularity == WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    return day


def bucket_index(day: dt.date, granularity: str) -> int:
    day = bucket_start(day, granularity)
    if granularity == MONTHLY:
        return day.year * 12 + day.month - 1
    if granularity == WEEKLY:
        return day.toordinal() // 7
    return day.toordinal()


def index_day(index: int, granularity: str) -> dt.date:
    """The first day of bucket `index` (the inverse of `bucket_index`)."""
    if granularity == MONTHLY:
        return dt.date(index // 12, index % 12 + 1, 1)
    if granularity == WEEKLY:
        return dt.date.fromordinal(index * 7 + 1)  # Mondays are 7k + 1 (1 January of year 1 was one)
    return dt.date.fromordinal(index)


def last_complete(today: dt.date, granularity: str) -> dt.date:
    """The latest bucket that has ended before `today`."""
    return index_day(bucket_index(today, granularity) - 1, granularity)
