"""Time and design: service and waiting time, conformance to the designed stages, per-case facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alerts.engine.eventlog.frame import ACTIVITY, CASE, OFFSET, START_OFFSET, UNIT
from alerts.engine.mining.ordered import NS_PER_SECOND, STATS, distinct_cases, gaps, ordered, time_stats

# ---------------------------------------------------------------------------------------------------------
# Service and waiting time


@dataclass(frozen=True)
class ServiceAndWaiting:
    """activities: activity, events, timed (events with a start), service_median/mean/p90_seconds,
    waiting_median/mean/p90_seconds (the wait before the activity; the first event of a case has none).
    cases: case, timed, service_seconds, waiting_seconds (sums over the timed events).
    timed_share: events with a start / all events (0: the log has no start timestamps)."""

    activities: pd.DataFrame
    cases: pd.DataFrame
    timed_share: float


def service_and_waiting(events: pd.DataFrame) -> ServiceAndWaiting:
    log = ordered(events)
    timed = log.has_start
    service = np.where(timed, np.maximum(log.done - log.began, 0) / NS_PER_SECOND, np.nan)
    waiting = np.full(len(log.case), np.nan)
    waiting[1:] = np.where(log.same_case & timed[1:], gaps(log), np.nan)
    names = log.activities
    per_activity = pd.DataFrame({"events": 1, "timed": timed}).groupby(log.activity).sum()
    for label, seconds in (("service", service), ("waiting", waiting)):
        stats = time_stats(log.activity, seconds)
        stats.columns = [f"{label}_{column}" for column in STATS]
        per_activity = per_activity.join(stats)
    per_activity.insert(0, "activity", names.take(per_activity.index.to_numpy()).to_numpy())
    per_case = (
        pd.DataFrame({"timed": timed, "service_seconds": service, "waiting_seconds": waiting})
        .groupby(log.case)
        .sum(min_count=1)
    )
    per_case["timed"] = per_case["timed"].astype(np.int64)
    per_case.insert(0, "case", log.frame[CASE].cat.categories.take(per_case.index.to_numpy()).to_numpy())
    return ServiceAndWaiting(
        activities=per_activity.reset_index(drop=True),
        cases=per_case.reset_index(drop=True),
        timed_share=float(timed.mean()) if len(timed) else 0.0,
    )


# ---------------------------------------------------------------------------------------------------------
# Conformance to the designed stages


@dataclass(frozen=True)
class Conformance:
    """cases: case, events, in_order, out_of_order, outside_design, skipped_stages, fitness, follows_design,
    stage_reached (the furthest designed stage, None if none). follows_share: cases that follow the design /
    all cases. mean_fitness. outside: activity, events, cases — the activities the design does not name."""

    cases: pd.DataFrame
    follows_share: float
    mean_fitness: float
    outside: pd.DataFrame


def conformance(
    events: pd.DataFrame, stages: Sequence[str], stage_of: Mapping[str, str] | None = None
) -> Conformance:
    """Replays each case against the designed order of `stages`; `stage_of` maps activity names to stage
    names (an activity not in it is its own stage name; one that names no stage is outside the design).

    An event is in order when its stage is not before the furthest stage the case had reached (staying in a
    stage — rework inside it — is in order), out of order when it goes back. Stages passed over on the way
    to the furthest stage reached (from the first one) are skipped; stages not reached yet are not (the case
    may still be running). fitness = events in order / (events + skipped stages): 1 for a case that follows
    the design, lower for each event out of order or outside the design and each stage skipped.
    A case follows the design when its fitness is 1.
    """
    log = ordered(events)
    position = {name: index for index, name in enumerate(stages)}
    mapping = stage_of or {}
    names = log.activities
    stage_by_activity = np.array(
        [position.get(mapping.get(name, name), -1) for name in names], dtype=np.int64
    )
    stage = stage_by_activity[log.activity] if len(names) else np.zeros(0, np.int64)
    inside = stage >= 0
    reached = pd.Series(stage).groupby(log.case, sort=False).cummax().to_numpy()  # outside events are -1
    before = np.r_[-1, reached[:-1]]
    before[np.r_[True, ~log.same_case]] = -1  # nothing reached before a case's first event
    in_order = inside & (stage >= before)
    out_of_order = inside & (stage < before)
    skipped = np.where(in_order, np.maximum(stage - before - 1, 0), 0)
    per_case = (
        pd.DataFrame(
            {
                "events": 1,
                "in_order": in_order,
                "out_of_order": out_of_order,
                "outside_design": ~inside,
                "skipped_stages": skipped,
                "reached": stage,
            }  # fmt: skip
        )
        .groupby(log.case)
        .agg(
            events=("events", "sum"),
            in_order=("in_order", "sum"),
            out_of_order=("out_of_order", "sum"),
            outside_design=("outside_design", "sum"),
            skipped_stages=("skipped_stages", "sum"),
            reached=("reached", "max"),
        )
    )
    per_case["fitness"] = per_case["in_order"] / (per_case["events"] + per_case["skipped_stages"])
    per_case["follows_design"] = per_case["fitness"] >= 1.0
    stage_names = np.array(list(stages) + [None], dtype=object)
    per_case["stage_reached"] = stage_names[per_case.pop("reached").to_numpy()]  # -1 → None
    per_case.insert(0, "case", log.frame[CASE].cat.categories.take(per_case.index.to_numpy()).to_numpy())
    outside_codes = log.activity[~inside]
    outside = pd.DataFrame(
        {
            "events": pd.Series(outside_codes).value_counts(),
            "cases": distinct_cases(outside_codes, log.case[~inside]),
        }
    )
    outside.insert(0, "activity", names.take(outside.index.to_numpy()).to_numpy())
    outside = outside.sort_values(["events", "activity"], ascending=[False, True], kind="stable")
    return Conformance(
        cases=per_case.reset_index(drop=True),
        follows_share=float(per_case["follows_design"].mean()) if len(per_case) else 0.0,
        mean_fitness=float(per_case["fitness"].mean()) if len(per_case) else 0.0,
        outside=outside.reset_index(drop=True).astype({"events": np.int64, "cases": np.int64}),
    )


# ---------------------------------------------------------------------------------------------------------
# Per-case facts (for the risk model)


def case_durations(events: pd.DataFrame) -> pd.DataFrame:
    """case, events, started (the first event's start, else its completion; UTC), ended (the last
    completion; UTC), started_offset_minutes / ended_offset_minutes (as written), duration_seconds,
    first_activity, last_activity, last_unit — one row per case, in case order."""
    log = ordered(events)
    frame = log.frame
    first = np.flatnonzero(np.r_[True, ~log.same_case])
    last = np.r_[first[1:] - 1, len(log.case) - 1] if len(first) else first
    started_from_start = log.has_start[first]
    started = np.where(started_from_start, log.began[first], log.done[first])
    start_offsets = np.where(
        started_from_start,
        frame[START_OFFSET].to_numpy(dtype=np.float64, na_value=0)[first],
        frame[OFFSET].to_numpy()[first],
    )
    return pd.DataFrame(
        {
            "case": frame[CASE].cat.categories.take(log.case[first]).to_numpy(),
            "events": last - first + 1,
            "started": pd.to_datetime(started, utc=True),
            "ended": pd.to_datetime(log.done[last], utc=True),
            "started_offset_minutes": start_offsets.astype(np.int16),
            "ended_offset_minutes": frame[OFFSET].to_numpy()[last],
            "duration_seconds": (log.done[last] - started) / NS_PER_SECOND,
            "first_activity": frame[ACTIVITY].to_numpy()[first],
            "last_activity": frame[ACTIVITY].to_numpy()[last],
            "last_unit": frame[UNIT].to_numpy()[last],
        }
    )
