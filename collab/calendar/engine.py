"""A business calendar: which days are working days, and time limits that count working time only.

A tenant's calendar is a weekly pattern (Monday–Friday by default), a set of public holidays (days off that
would otherwise be working days) and a set of make-up working days (调休: weekend days that are working days).
The per-tenant, editable calendar is a model (`collab.models.calendar`, built into this module's calendar by
`collab.selectors.calendar.tenant_calendar`); this module takes its plain sets, so the SLA clock of an alert,
a stage's time limit, a dispute's deadline and the seasonal models all count the same days.

Timestamps are naive local wall times (numpy ``datetime64``) in the tenant's zone: the caller converts aware
datetimes before and after. Everything takes arrays and is vectorised: the working days of the calendar's span
are laid out once as a sorted array, and a date's working-day ordinal is a `searchsorted` into it.

Working time: each working day counts the hours from ``day_start`` to ``day_end`` (09:00–18:00 by default;
00:00–24:00 makes whole working days of 24 h). A timestamp before the day's start counts as the start, after
its end as the end; a non-working day counts nothing. Adding working hours that end exactly at a day's end
gives that day's end (a limit "due at 18:00"), not the next working day's start.

The official days (China's public holidays and 调休 days from the `holidays` package) are `official`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

SPAN_START = np.datetime64("1970-01-01", "D")
SPAN_END = np.datetime64("2101-01-01", "D")  # exclusive
SECONDS_PER_DAY = 86_400

# Weekday numbers as numpy's busday functions use them: Monday is 0.
MONDAY_TO_FRIDAY = "1111100"


def _day_array(days: Iterable[dt.date] | np.ndarray) -> np.ndarray:
    return np.unique(
        np.asarray(list(days) if not isinstance(days, np.ndarray) else days, dtype="datetime64[D]")
    )


def _seconds(moment: dt.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """A working-day calendar from plain sets: public ``holidays`` (days off) and make-up ``workdays`` (调休).

    A day is a working day when it is a make-up working day, or when the weekly pattern ``weekmask`` (seven
    characters, Monday first, "1" = working) says so and it is not a holiday. A date in both sets is a working
    day (the make-up list is the more specific one)."""

    holidays: Iterable[dt.date] = ()
    workdays: Iterable[dt.date] = ()
    weekmask: str = MONDAY_TO_FRIDAY
    day_start: dt.time = dt.time(9, 0)
    day_end: dt.time = dt.time(18, 0)
    _holidays: np.ndarray = field(init=False, repr=False)
    _workdays: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_holidays", _day_array(self.holidays))
        object.__setattr__(self, "_workdays", _day_array(self.workdays))
        if len(self.weekmask) != 7 or set(self.weekmask) - {"0", "1"}:
            raise ValueError("weekmask must be seven characters of 0 and 1, Monday first")
        if not (self.day_end > self.day_start or self.day_end == dt.time(0, 0)):
            raise ValueError("day_end must be after day_start (00:00 as the end means midnight)")

    @property
    def day_seconds(self) -> int:
        """Working seconds in one working day."""
        end = _seconds(self.day_end) or SECONDS_PER_DAY
        return end - _seconds(self.day_start)

    @cached_property
    def _working_days(self) -> np.ndarray:
        """Every working day of the span, sorted: the table every ordinal is read from."""
        days = np.arange(SPAN_START, SPAN_END, dtype="datetime64[D]")
        return days[self._is_working(days)]

    def _is_working(self, days: np.ndarray) -> np.ndarray:
        by_pattern = np.is_busday(days, weekmask=self.weekmask, holidays=self._holidays)
        return by_pattern | np.isin(days, self._workdays)

    def is_working_day(self, dates) -> np.ndarray:
        """Booleans, one per date (anything numpy reads as ``datetime64[D]``; a timestamp is its day)."""
        return self._is_working(np.asarray(dates, dtype="datetime64[D]"))

    def is_holiday(self, dates) -> np.ndarray:
        """Booleans: the date is one of the public holidays (a make-up working day never is)."""
        days = np.asarray(dates, dtype="datetime64[D]")
        return np.isin(days, self._holidays) & ~np.isin(days, self._workdays)

    def _ordinal(self, days: np.ndarray) -> np.ndarray:
        """How many working days of the span come before each day (a working day's index in the table)."""
        if days.size and (days.min() < SPAN_START or days.max() >= SPAN_END):
            raise ValueError(f"dates must lie in [{SPAN_START}, {SPAN_END})")
        return np.searchsorted(self._working_days, days, side="left")

    def add_working_days(self, dates, days) -> np.ndarray:
        """The date ``days`` working days after each date (before it when negative), as ``datetime64[D]``.

        A date that is not a working day first rolls forward to the next working day (numpy's
        ``busday_offset`` with ``roll="forward"``): zero days gives the date or the next working day."""
        start = np.asarray(dates, dtype="datetime64[D]")
        index = self._ordinal(start) + np.asarray(days, dtype=np.int64)
        if index.size and (index.min() < 0 or index.max() >= self._working_days.size):
            raise ValueError("the result falls outside the calendar's span")
        return self._working_days[index]

    def working_days_between(self, start, end) -> np.ndarray:
        """Working days in ``[start, end)`` (negative when ``end`` is before ``start``), one per pair."""
        return self._ordinal(np.asarray(end, dtype="datetime64[D]")) - self._ordinal(
            np.asarray(start, dtype="datetime64[D]")
        )

    def _working_seconds(self, moments: np.ndarray) -> np.ndarray:
        """Working seconds from the span's start to each moment: the clock every working-time sum reads."""
        days = moments.astype("datetime64[D]")
        into_day = (moments - days).astype("timedelta64[s]").astype(np.int64)
        start = _seconds(self.day_start)
        worked_today = np.clip(into_day - start, 0, self.day_seconds)
        worked_today = np.where(self._is_working(days), worked_today, 0)
        return self._ordinal(days).astype(np.int64) * self.day_seconds + worked_today

    def working_time_between(self, start, end) -> np.ndarray:
        """Working time from ``start`` to ``end`` (``timedelta64[s]``, negative when ``end`` comes first)."""
        begin = self._working_seconds(np.asarray(start, dtype="datetime64[s]"))
        finish = self._working_seconds(np.asarray(end, dtype="datetime64[s]"))
        return (finish - begin).astype("timedelta64[s]")

    def add_working_time(self, moments, duration) -> np.ndarray:
        """The moment at which ``duration`` of working time after each moment has passed (``datetime64[s]``).

        ``duration`` is a ``timedelta64`` (or seconds); it must not be negative. A moment outside working
        hours starts counting at the next working hour, so an alert raised on the eve of 春节 with a 4-hour
        limit is due 4 working hours into the first working day after the holiday."""
        seconds = np.asarray(duration)
        seconds = (
            seconds.astype("timedelta64[s]").astype(np.int64)
            if np.issubdtype(seconds.dtype, np.timedelta64)
            else seconds.astype(np.int64)
        )
        if seconds.size and seconds.min() < 0:
            raise ValueError("duration must not be negative")
        target = self._working_seconds(np.asarray(moments, dtype="datetime64[s]")) + seconds
        index, into_day = np.divmod(target, self.day_seconds)
        # Exactly at a day's end: that day's end, not the next working day's start.
        at_end = (into_day == 0) & (seconds > 0)
        index = np.where(at_end, index - 1, index)
        into_day = np.where(at_end, self.day_seconds, into_day)
        if index.size and index.max() >= self._working_days.size:
            raise ValueError("the result falls outside the calendar's span")
        day = self._working_days[index].astype("datetime64[s]")
        return day + (into_day + _seconds(self.day_start)).astype("timedelta64[s]")
