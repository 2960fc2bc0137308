"""Daily series: robust STL on the business calendar, so a Spring Festival dip is not an anomaly (pure)."""

from __future__ import annotations

import numpy as np

from alerts.engine.daily import daily_verdicts, masked_days
from collab.calendar.engine import BusinessCalendar
from collab.calendar.official import china_calendar

DATES = np.arange(np.datetime64("2025-11-03"), np.datetime64("2026-03-16"))
CHINA = china_calendar([2025, 2026])
WEEKENDS_ONLY = BusinessCalendar()  # the same week, no holidays: what a calendar without 春节 would do
WEEKDAY_PROFILE = np.array([10.0, 5, 0, -5, -10, 0, 0])  # Monday first


def weekdays(dates: np.ndarray) -> np.ndarray:
    return (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday


def working_day_series(rows: int, seed: int) -> np.ndarray:
    """Approvals a day: a weekday profile, noise σ = 2, next to nothing on days off (holidays included)."""
    rng = np.random.default_rng(seed)
    values = 200 + WEEKDAY_PROFILE[weekdays(DATES)] + rng.normal(0, 2, (rows, DATES.size))
    values[:, ~CHINA.is_working_day(DATES)] = 5
    return values


def test_a_spring_festival_dip_does_not_alert_on_a_working_day_kpi():
    values = working_day_series(5, seed=1)
    holiday = (DATES >= np.datetime64("2026-02-15")) & (DATES <= np.datetime64("2026-02-23"))
    verdicts = daily_verdicts(values, DATES, CHINA, direction="higher_better")
    assert not verdicts.flagged[:, holiday].any()
    assert (verdicts.status[:, holiday] == 3).all()  # day off: no verdict
    assert not verdicts.flagged.any()
    # The make-up Saturdays are working days, judged like any other.
    make_up = np.isin(DATES, np.array(["2026-02-14", "2026-02-28"], dtype="datetime64[D]"))
    assert (verdicts.status[:, make_up] == 0).all()
    # A calendar without the holidays sees the dip: every weekday of the break is flagged.
    blind = daily_verdicts(values, DATES, WEEKENDS_ONLY, direction="higher_better")
    holiday_weekdays = holiday & WEEKENDS_ONLY.is_working_day(DATES)
    assert blind.flagged[:, holiday_weekdays].all()


def test_a_spring_festival_dip_does_not_alert_on_an_every_day_kpi():
    """Orders a day: weekends are ordinary days (judged), the holiday break is masked."""
    rng = np.random.default_rng(2)
    values = 500 + 20 * np.sin(2 * np.pi * weekdays(DATES) / 7) + rng.normal(0, 3, (4, DATES.size))
    masked = masked_days(DATES, CHINA, working_days_only=False)
    values[:, masked] *= 0.3
    # New Year (Thursday 1 to Saturday 3 January; Sunday 4 is a make-up day) and 春节 (15 to 23 February).
    assert [str(d) for d in DATES[masked]] == ["2026-01-01", "2026-01-02", "2026-01-03"] + [
        f"2026-02-{d}" for d in range(15, 24)
    ]
    verdicts = daily_verdicts(values, DATES, CHINA, working_days_only=False, direction="higher_better")
    saturday = DATES == np.datetime64("2026-03-07")
    assert (verdicts.status[:, saturday] == 0).all()  # an ordinary weekend day is judged
    assert not verdicts.flagged[:, masked].any() and not verdicts.flagged.any()
    blind = daily_verdicts(values, DATES, WEEKENDS_ONLY, working_days_only=False, direction="higher_better")
    assert blind.flagged[:, masked].any(axis=0).sum() >= 5


def test_a_spike_on_a_working_day_is_found_with_its_band():
    values = working_day_series(3, seed=4)
    spike = int(np.flatnonzero(DATES == np.datetime64("2026-03-10"))[0])
    values[1, spike] += 20  # 10 σ
    verdicts = daily_verdicts(values, DATES, CHINA, direction="lower_better")
    assert np.argwhere(verdicts.flagged).tolist() == [[1, spike]]
    record = verdicts.records()[DATES.size + spike]
    assert record["method"] == "stl" and record["value"] > record["upper"]
    assert abs(record["expected"] - (200 + WEEKDAY_PROFILE[1])) < 3  # a Tuesday
    # The same spike in the good direction is not an alert.
    assert not daily_verdicts(values, DATES, CHINA, direction="higher_better").flagged[1, spike]


def test_a_short_daily_series_gets_no_verdict_and_says_how_much_is_missing():
    dates = DATES[:12]  # 3 November to 14 November 2025: 10 working days
    values = working_day_series(1, seed=5)[:, :12]
    verdicts = daily_verdicts(values, dates, CHINA)
    assert not verdicts.flagged.any()
    working = CHINA.is_working_day(dates)
    assert (verdicts.status[0, working] == 1).all() and verdicts.missing[0, 0] == 15 - 10
