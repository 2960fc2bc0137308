"""The event measures engine against a naive computation (hypothesis), and its documented edge cases."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.engine.events import PERSON_EVENT_COLUMNS, Window, event_measures, events_frame

HOUR = 3600.0
WINDOWS = [Window("m1", 0, 100 * HOUR), Window("m2", 100 * HOUR, 200 * HOUR), Window("q", 0, 200 * HOUR)]
UNITS = (1, 2, 3)
times = st.integers(min_value=-20, max_value=220).map(lambda h: h * HOUR)
maybe_times = st.none() | times


@st.composite
def logs(draw):
    rows = []
    for index in range(draw(st.integers(min_value=0, max_value=25))):
        kind = draw(st.sampled_from(["request", "response", "deliverable", "meeting", "comment"]))
        from_unit, to_unit = draw(st.sampled_from(UNITS)), draw(st.sampled_from(UNITS))
        occurred = draw(times)
        due = draw(maybe_times) if kind in ("request", "deliverable") else None
        done = draw(maybe_times) if kind in ("request", "deliverable") else None
        if done is not None and done < occurred:
            done = occurred
        if due is not None and due < occurred:
            due = occurred
        answers = None
        requests = [row[0] for row in rows if row[1] == "request"]
        if kind == "response" and requests:
            answers = draw(st.sampled_from(requests))
            occurred = max(occurred, next(row[4] for row in rows if row[0] == answers))
        attended = draw(st.sampled_from([True, False, None])) if kind == "meeting" else None
        rows.append((index + 1, kind, from_unit, to_unit, occurred, due, done, answers, attended))
    return rows


def naive(rows, windows, now):
    out = {}
    by_id = {row[0]: row for row in rows}
    for window in windows:
        inside = lambda t, w=window: t is not None and w.start <= t < w.end  # noqa: E731
        for unit in UNITS:
            hours, requests = [], 0
            for pk, kind, _f, to_unit, occurred, _due, done, _a, _att in rows:
                if kind == "request" and to_unit == unit and inside(occurred):
                    requests += 1
                    answers = [r[4] for r in rows if r[1] == "response" and r[7] == pk]
                    candidates = [t for t in [done, *answers] if t is not None]
                    if candidates:
                        hours.append(max(0.0, (min(candidates) - occurred) / HOUR))
            due_rows = [
                r
                for r in rows
                if r[1] == "deliverable"
                and r[2] == unit
                and inside(r[5])
                and (r[6] is not None or r[5] <= now)
            ]
            meetings = [r for r in rows if r[1] == "meeting" and r[3] == unit and inside(r[4])]
            if requests or due_rows or meetings:
                out[(unit, window.key)] = (
                    requests,
                    len(hours),
                    statistics.median(hours) if hours else None,
                    len(due_rows),
                    sum(1 for r in due_rows if r[6] is not None and r[6] <= r[5]),
                    len(meetings),
                    sum(1 for r in meetings if r[8] is True),
                )
    del by_id
    return out


@settings(max_examples=150, deadline=None)
@given(rows=logs(), now=times)
def test_matches_a_naive_computation(rows, now):
    computed = event_measures(events_frame(rows), WINDOWS, now=now)
    got = {
        key: (
            m.requests,
            m.answered,
            m.median_response_hours,
            m.deliverables_due,
            m.delivered_on_time,
            m.meetings_invited,
            m.meetings_attended,
        )
        for key, m in computed.items()
    }
    expected = naive(rows, WINDOWS, now)
    assert got.keys() == expected.keys()
    for key, values in expected.items():
        assert got[key][:2] == values[:2] and got[key][3:] == values[3:], key
        if values[2] is None:
            assert got[key][2] is None
        else:
            assert abs(got[key][2] - values[2]) < 1e-9


def test_rates_and_edges():
    rows = [
        (1, "request", 1, 2, 0.0, None, 7200.0, None, None),  # done after 2 h …
        (2, "response", 2, 1, 3600.0, None, None, 1, None),  # … but answered after 1 h: the earlier counts
        (3, "request", 1, 2, 100.0, None, None, None, None),  # open: counted, no time
        (4, "deliverable", 2, 1, 0.0, 5000.0, 4000.0, None, None),  # on time
        (5, "deliverable", 2, 1, 0.0, 6000.0, None, None, None),  # due later than now, not done: undecided
        (6, "deliverable", 2, 1, 0.0, 5200.0, None, None, None),  # overdue, not done: late
        (7, "meeting", 1, 2, 10.0, None, None, None, True),
        (8, "meeting", 1, 2, 20.0, None, None, None, None),  # attendance not recorded: not attended
    ]
    measures = event_measures(events_frame(rows), [Window("p", 0.0, 10000.0)], now=5500.0)
    unit2 = measures[(2, "p")]
    assert (unit2.requests, unit2.answered, unit2.median_response_hours) == (2, 1, 1.0)
    assert (unit2.deliverables_due, unit2.delivered_on_time, unit2.on_time_rate) == (2, 1, 0.5)
    assert (unit2.meetings_invited, unit2.meetings_attended, unit2.participation_rate) == (2, 1, 0.5)
    assert (1, "p") not in measures  # unit 1 asked, organised and received deliverables: nothing measured
    assert event_measures(events_frame([]), [Window("p", 0.0, 1.0)], now=0.0) == {}


@settings(max_examples=60, deadline=None)
@given(rows=logs(), now=times)
def test_by_person_groups_like_by_unit(rows, now):
    """The same rows read as people in the units' places give the same measures: one rule for both."""
    by_unit = event_measures(events_frame(rows), WINDOWS, now=now)
    by_person = event_measures(events_frame(rows, PERSON_EVENT_COLUMNS), WINDOWS, now=now, by="person")
    assert by_person == by_unit


def test_by_person_counts_only_the_people_named():
    rows = [
        # person 10 asked twice (one answered after 2 h), 11 once; a request to nobody counts for nobody
        (1, "request", 20, 10, 0.0, None, 7200.0, None, None),
        (2, "request", 20, 10, 0.0, None, None, None, None),
        (3, "request", 20, 11, 0.0, None, 3600.0, None, None),
        (4, "request", 20, None, 0.0, None, 60.0, None, None),
        # 10 delivers on time, nobody's deliverable is late
        (5, "deliverable", 10, 20, 0.0, 5000.0, 4000.0, None, None),
        (6, "deliverable", None, 20, 0.0, 5000.0, None, None, None),
        # 11 invited and attended; the organiser (20) is not measured on it
        (7, "meeting", 20, 11, 10.0, None, None, None, True),
    ]
    measures = event_measures(
        events_frame(rows, PERSON_EVENT_COLUMNS), [Window("p", 0.0, 10000.0)], now=5500.0, by="person"
    )
    assert set(measures) == {(10, "p"), (11, "p")}
    ten, eleven = measures[(10, "p")], measures[(11, "p")]
    assert (ten.requests, ten.answered, ten.median_response_hours) == (2, 1, 2.0)
    assert (ten.deliverables_due, ten.on_time_rate, ten.meetings_invited) == (1, 1.0, 0)
    assert (eleven.requests, eleven.median_response_hours, eleven.participation_rate) == (1, 1.0, 1.0)
