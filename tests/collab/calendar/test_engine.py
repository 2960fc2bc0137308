"""The business calendar: working days with holidays and 调休, the SLA clock over 春节 (pure, no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from collab.calendar.engine import BusinessCalendar
from collab.calendar.official import china_calendar, china_days_off

D = np.datetime64


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# The 2026 Spring Festival as the State Council announced it: off Sunday 15 to Monday 23 February,
# Saturday 14 and Saturday 28 February are working days. Written out here so the arithmetic does not
# depend on the data package.
SPRING_FESTIVAL_2026 = BusinessCalendar(
    holidays={day(f"2026-02-{d}") for d in (16, 17, 18, 19, 20, 23)},
    workdays={day("2026-02-14"), day("2026-02-28")},
)


def test_working_days_over_the_spring_festival_and_make_up_saturdays():
    dates = np.arange(D("2026-02-12"), D("2026-03-03"))
    working = {str(d) for d in dates[SPRING_FESTIVAL_2026.is_working_day(dates)]}
    assert working == {
        "2026-02-12", "2026-02-13", "2026-02-14",  # Thursday, Friday, the make-up Saturday
        "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28",  # Tuesday … make-up Saturday
        "2026-03-02",
    }  # fmt: skip
    assert not SPRING_FESTIVAL_2026.is_working_day(D("2026-03-01"))  # an ordinary Sunday
    assert SPRING_FESTIVAL_2026.is_holiday(dates).sum() == 6


def test_a_date_in_both_sets_is_a_working_day():
    calendar = BusinessCalendar(holidays={day("2026-02-14")}, workdays={day("2026-02-14")})
    assert calendar.is_working_day(D("2026-02-14"))
    assert not calendar.is_holiday(D("2026-02-14"))


def test_adding_working_days_skips_the_holiday_and_counts_the_make_up_saturday():
    calendar = SPRING_FESTIVAL_2026
    starts = np.array(
        ["2026-02-13", "2026-02-14", "2026-02-27", "2026-02-28", "2026-02-17"], dtype="datetime64[D]"
    )
    after_one = calendar.add_working_days(starts, 1)
    assert [str(d) for d in after_one] == [
        "2026-02-14",
        "2026-02-24",
        "2026-02-28",
        "2026-03-02",
        "2026-02-25",
    ]
    # A day off rolls forward first: zero days from inside the holiday is the first working day after it.
    assert str(calendar.add_working_days(D("2026-02-17"), 0)) == "2026-02-24"
    assert str(calendar.add_working_days(D("2026-02-24"), -1)) == "2026-02-14"
    # 9–14 February: Monday to Friday and the make-up Saturday; 24–28: Tuesday to Saturday.
    assert calendar.working_days_between(D("2026-02-09"), D("2026-03-02")) == 11
    assert calendar.working_days_between(D("2026-03-02"), D("2026-02-09")) == -11


def test_the_sla_clock_does_not_run_over_the_holiday():
    calendar = SPRING_FESTIVAL_2026  # 09:00–18:00
    moments = np.array(
        ["2026-02-13T16:00", "2026-02-14T17:00", "2026-02-13T20:00", "2026-02-13T17:00", "2026-02-18T10:00"],
        dtype="datetime64[s]",
    )
    hours = np.array([4, 2, 1, 1, 3]) * np.timedelta64(1, "h")
    due = calendar.add_working_time(moments, hours)
    assert [str(d) for d in due] == [
        "2026-02-14T11:00:00",  # 2 h on Friday, 2 h on the make-up Saturday
        "2026-02-24T10:00:00",  # 1 h on Saturday, then nothing until Tuesday 24
        "2026-02-14T10:00:00",  # raised after hours: counts from the next working hour
        "2026-02-13T18:00:00",  # ends exactly at the day's end: due that evening, not Saturday morning
        "2026-02-24T12:00:00",  # raised inside the holiday
    ]
    spent = calendar.working_time_between(moments[0], D("2026-02-24T10:00", "s"))
    assert spent == np.timedelta64(12, "h")  # 2 h Friday + 9 h Saturday + 1 h Tuesday
    assert calendar.working_time_between(D("2026-02-24T10:00", "s"), moments[0]) == -np.timedelta64(12, "h")
    # Adding the working time between two moments lands on the later one.
    assert calendar.add_working_time(moments[0], spent) == D("2026-02-24T10:00", "s")
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_time(moments[0], -np.timedelta64(1, "h"))


def test_a_whole_day_calendar_counts_24_hours_a_working_day():
    calendar = BusinessCalendar(holidays={day("2026-02-16")}, day_start=dt.time(0), day_end=dt.time(0))
    assert calendar.day_seconds == 86_400
    due = calendar.add_working_time(D("2026-02-13T12:00", "s"), np.timedelta64(24, "h"))
    assert due == D("2026-02-17T12:00", "s")  # Friday noon + 12 h, then Tuesday (Monday is the holiday)


def test_dates_outside_the_span_and_bad_settings_are_refused():
    with pytest.raises(ValueError, match="dates must lie"):
        SPRING_FESTIVAL_2026.add_working_days(D("1960-01-01"), 1)
    with pytest.raises(ValueError, match="weekmask"):
        BusinessCalendar(weekmask="11111")
    with pytest.raises(ValueError, match="day_end"):
        BusinessCalendar(day_start=dt.time(18), day_end=dt.time(9))


def test_the_china_data_source_has_the_spring_festival_and_its_make_up_days():
    days_off, make_up = china_days_off([2026])
    assert {day(f"2026-02-{d}") for d in (16, 17, 18, 19, 20, 23)} <= days_off
    assert {day("2026-02-14"), day("2026-02-28")} <= make_up
    assert all(d.year == 2026 and d.weekday() >= 5 for d in make_up)
    calendar = china_calendar([2026])
    assert calendar.is_working_day(D("2026-02-14")) and not calendar.is_working_day(D("2026-02-17"))
    assert str(calendar.add_working_days(D("2026-09-30"), 1)) == "2026-10-08"  # National Day week
