"""The alert state machine, the cool-down, silences' windows and buckets: pure functions on plain values."""

from __future__ import annotations

import datetime as dt

from alerts.engine import states
from alerts.engine.buckets import bucket_index, index_day, last_complete
from alerts.engine.silences import silence_holds
from alerts.engine.states import Memory, Params, may_notify, reset, transition


def run(outcomes, params=None, memory=None):
    params, memory = params or Params(), memory or Memory()
    trail = []
    for outcome in outcomes:
        step = transition(memory, outcome, params)
        memory = step.memory
        trail.append((memory.state, step.open, step.resolve))
    return trail, memory


def test_n_of_m_then_recovery():
    params = Params(breaches_needed=2, breach_window=3, recovery=2)
    trail, memory = run(["breach", "ok", "breach", "breach", "ok", "ok", "breach"], params)
    assert [t[0] for t in trail] == ["pending", "normal", "firing", "firing", "firing", "resolved", "pending"]
    assert [t[1] for t in trail].count(True) == 1 and trail[5][2] is True
    assert memory.recent == (True,)  # the ring was cleared on resolution


def test_a_breach_during_recovery_restarts_the_count():
    trail, _memory = run(["breach", "ok", "breach", "ok", "ok"], Params(recovery=2))
    assert [t[0] for t in trail] == ["firing", "firing", "firing", "firing", "resolved"]


def test_no_data_policies():
    firing = transition(Memory(), "breach", Params()).memory
    assert transition(firing, "no_data", Params()).memory == Memory(
        state="no_data", recent=(True,), firing=True
    )
    assert transition(firing, "no_data", Params(no_data="resolve")).resolve
    assert transition(Memory(), "no_data", Params(no_data="alert")).open


def test_errors_break_and_reset_keeps_an_open_alert():
    trail, memory = run(["breach", "error", "error", "error", "breach"], Params(error_limit=3))
    assert [t[0] for t in trail] == ["firing", "error", "error", "broken", "broken"]
    assert memory.firing and memory.consecutive_errors == 3
    assert reset(memory) == Memory(state="firing", firing=True)
    trail, _memory = run(["error", "ok", "error"], Params(error_limit=2))
    assert [t[0] for t in trail] == ["error", "normal", "error"]  # a success clears the count


def test_too_short_changes_nothing():
    pending = transition(Memory(), "breach", Params(breaches_needed=2, breach_window=2)).memory
    assert transition(pending, "too_short", Params()).memory == pending


def test_cool_down():
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert may_notify(None, moment, 60)
    assert not may_notify(moment, moment + dt.timedelta(minutes=59), 60)
    assert may_notify(moment, moment + dt.timedelta(minutes=60), 60)


def test_silence_windows():
    zone = dt.timezone(dt.timedelta(hours=8))
    start, end = dt.datetime(2026, 3, 1, tzinfo=zone), dt.datetime(2026, 4, 1, tzinfo=zone)
    monday_23 = dt.datetime(2026, 3, 2, 23, tzinfo=zone)
    tuesday_03 = dt.datetime(2026, 3, 3, 3, tzinfo=zone)
    tuesday_23 = dt.datetime(2026, 3, 3, 23, tzinfo=zone)
    window = {"starts_at": start, "ends_at": end, "weekdays": [0], "window_start": dt.time(22),
              "window_end": dt.time(6)}  # fmt: skip
    assert silence_holds(monday_23, **window) and silence_holds(tuesday_03, **window)  # over midnight
    assert not silence_holds(tuesday_23, **window)
    assert silence_holds(tuesday_23, starts_at=start, ends_at=end)
    assert not silence_holds(end, starts_at=start, ends_at=end)  # the end is the end


def test_buckets():
    assert last_complete(dt.date(2026, 1, 15), "monthly") == dt.date(2025, 12, 1)
    assert last_complete(dt.date(2026, 1, 15), "weekly") == dt.date(2026, 1, 5)  # last week's Monday
    assert last_complete(dt.date(2026, 1, 15), "daily") == dt.date(2026, 1, 14)
    for granularity in ("daily", "weekly", "monthly"):
        day = index_day(bucket_index(dt.date(2026, 7, 9), granularity), granularity)
        assert bucket_index(day, granularity) == bucket_index(dt.date(2026, 7, 9), granularity)
    assert states.BROKEN == "broken"
