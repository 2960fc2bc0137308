"""Process mining over a normalised event log (`alerts.engine.eventlog`'s frame), vectorised in pandas/numpy.

Every function takes the events frame (any row order: it is put in case and time order, stably, unless it
already is) and returns plain frames or dataclasses of frames; times are seconds (float), computed on UTC
instants, so a log written in several time zones measures correctly. Nothing here draws or stores.

Definitions used throughout:

- **directly follows**: b directly follows a when b is the next event after a in the same case;
- **gap** (the time on an edge or hand-over, the waiting time before an event): from a's completion to b's
  start when b has a start timestamp, else to b's completion; never below 0 (a b that started before a
  completed waited for nothing);
- **p90**: the 90th percentile with linear interpolation between the closest ranks (numpy's default);
- **rework**: an activity done again in a case (its second and later executions); a **repeat** when the
  same resource did it as the previous time, a **redo** when another resource did; `unattributed` when
  either execution names no resource;
- **hand-over**: consecutive events of a case done by two different units (both named);
- **service time**: completion − start of an event that has a start; **waiting time**: the gap before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alerts.engine.eventlog import ACTIVITY, CASE, OFFSET, RESOURCE, START, START_OFFSET, TIMESTAMP, UNIT

_NS_PER_SECOND = 1e9
_STATS = ("median_seconds", "mean_seconds", "p90_seconds")


@dataclass(frozen=True)
class _Ordered:
    """The columns of an events frame in case and time order, as arrays."""

    frame: pd.DataFrame
    case: np.ndarray  # int codes
    activity: np.ndarray  # int codes
    done: np.ndarray  # completion instants, int64 nanoseconds
    began: np.ndarray  # start instants where known, else the completion (int64 nanoseconds)
    has_start: np.ndarray  # bool
    same_case: np.ndarray  # bool, len n - 1: event i + 1 is in the case of event i

    @property
    def activities(self) -> pd.Index:
        return self.frame[ACTIVITY].cat.categories


def _ordered(events: pd.DataFrame) -> _Ordered:
    case = events[CASE].cat.codes.to_numpy()
    done = _nanoseconds(events[TIMESTAMP])
    same = case[1:] == case[:-1]
    # In order when each case's events are together (one run per case) and in time order within it.
    contiguous = len(case) == 0 or 1 + np.count_nonzero(~same) == np.count_nonzero(np.bincount(case))
    if not (contiguous and np.all(done[1:][same] >= done[:-1][same])):
        order = np.lexsort((done, case))  # stable: ties keep the frame's order
        events = events.iloc[order].reset_index(drop=True)
        case, done = case[order], done[order]
        same = case[1:] == case[:-1]
    has_start = events[START].notna().to_numpy()
    began = np.where(has_start, _nanoseconds(events[START]), done) if has_start.any() else done
    return _Ordered(events, case, events[ACTIVITY].cat.codes.to_numpy(), done, began, has_start, same)


def _nanoseconds(instants: pd.Series) -> np.ndarray:
    return instants.dt.tz_convert(None).to_numpy("datetime64[ns]").view(np.int64)


def _gaps(log: _Ordered) -> np.ndarray:
    """Seconds from each event's completion to its successor's start (n - 1 of them; meaningful where
    same_case)."""
    return np.maximum(log.began[1:] - log.done[:-1], 0) / _NS_PER_SECOND


def _time_stats(keys: np.ndarray, seconds: np.ndarray) -> pd.DataFrame:
    """Median, mean and p90 of `seconds` per key (NaN seconds ignored), indexed by key."""
    grouped = pd.Series(seconds).groupby(keys, sort=True)
    stats = grouped.agg(["median", "mean"])
    stats["p90"] = grouped.quantile(0.9)
    stats.columns = list(_STATS)
    return stats


def _distinct_cases(keys: np.ndarray, cases: np.ndarray) -> pd.Series:
    """How many distinct cases each key occurs in."""
    return pd.DataFrame({"key": keys, "case": cases}).drop_duplicates().groupby("key").size()


# ---------------------------------------------------------------------------------------------------------
# Directly-follows graph


@dataclass(frozen=True)
class DirectlyFollows:
    """edges: source, target (activity names), events (times b directly followed a), cases (cases in which it
    did), median_seconds, mean_seconds, p90_seconds (the gap); sorted by events, most first.
    start_activities / end_activities: cases that start / end with each activity (Series by name)."""

    edges: pd.DataFrame
    start_activities: pd.Series
    end_activities: pd.Series

    def counts(self) -> dict[tuple[str, str], int]:
        """{(source, target): events}: the frequency graph."""
        return dict(zip(zip(self.edges["source"], self.edges["target"], strict=True), self.edges["events"],
                        strict=True))  # fmt: skip


def directly_follows(events: pd.DataFrame) -> DirectlyFollows:
    log = _ordered(events)
    names = log.activities
    same = log.same_case
    pair = log.activity[:-1][same].astype(np.int64) * len(names) + log.activity[1:][same]
    stats = _time_stats(pair, _gaps(log)[same])
    stats.insert(0, "cases", _distinct_cases(pair, log.case[1:][same]))
    stats.insert(0, "events", pd.Series(pair).value_counts())
    keys = stats.index.to_numpy()
    edges = stats.reset_index(drop=True)
    edges.insert(0, "target", names.take(keys % len(names)).to_numpy())
    edges.insert(0, "source", names.take(keys // len(names)).to_numpy())
    edges = edges.sort_values(["events", "source", "target"], ascending=[False, True, True], kind="stable")
    first = np.r_[True, ~same] if len(log.case) else np.zeros(0, bool)
    last = np.r_[~same, True] if len(log.case) else np.zeros(0, bool)
    return DirectlyFollows(
        edges=edges.reset_index(drop=True),
        start_activities=_named_counts(log.activity[first], names),
        end_activities=_named_counts(log.activity[last], names),
    )


def _named_counts(codes: np.ndarray, names: pd.Index) -> pd.Series:
    counts = pd.Series(codes).value_counts()
    return pd.Series(counts.to_numpy(), index=names.take(counts.index.to_numpy()), name="cases")


# ---------------------------------------------------------------------------------------------------------
# Variants


@dataclass(frozen=True)
class Variants:
    """variants: variant (0 = the most frequent), activities (tuple of names), length, cases, coverage (share
    of all cases), cumulative_coverage. case_variant: the variant of each case (Series indexed by case id)."""

    variants: pd.DataFrame
    case_variant: pd.Series

    def cases_of(self, variant: int) -> list[str]:
        return self.case_variant.index[self.case_variant.to_numpy() == variant].tolist()


def variants(events: pd.DataFrame) -> Variants:
    """Cases grouped by their exact sequence of activities. Cases of one length are compared as rows of one
    matrix (`np.unique` over rows), so the work is one vectorised pass per distinct case length."""
    log = _ordered(events)
    starts = np.flatnonzero(np.r_[True, ~log.same_case])
    lengths = np.diff(np.r_[starts, len(log.case)])
    by_length = np.argsort(lengths, kind="stable")
    variant_of_case = np.empty(len(starts), dtype=np.int64)
    found = 0
    bounds = np.r_[0, np.flatnonzero(np.diff(lengths[by_length])) + 1, len(by_length)]
    for low, high in zip(bounds[:-1], bounds[1:], strict=False):
        same_length = by_length[low:high]
        length = lengths[same_length[0]]
        rows = log.activity[(starts[same_length][:, None] + np.arange(length)).ravel()].reshape(-1, length)
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        variant_of_case[same_length] = found + inverse.ravel()
        found += len(unique)
    counts = np.bincount(variant_of_case, minlength=found)
    first_case = np.full(found, len(starts))
    np.minimum.at(first_case, variant_of_case, np.arange(len(starts)))
    rank_order = np.lexsort((first_case, -counts))  # most cases first; ties in order of first appearance
    rank = np.empty(found, dtype=np.int64)
    rank[rank_order] = np.arange(found)
    names = log.activities.to_numpy()
    representatives = first_case[rank_order]
    table = pd.DataFrame(
        {
            "variant": np.arange(found),
            "activities": [
                tuple(names[log.activity[starts[c] : starts[c] + lengths[c]]]) for c in representatives
            ],
            "length": lengths[representatives],
            "cases": counts[rank_order],
        }
    )
    table["coverage"] = table["cases"] / len(starts)
    table["cumulative_coverage"] = table["coverage"].cumsum()
    case_ids = log.frame[CASE].cat.categories.take(log.case[starts])
    return Variants(table, pd.Series(rank[variant_of_case], index=case_ids, name="variant"))


# ---------------------------------------------------------------------------------------------------------
# Rework


@dataclass(frozen=True)
class Rework:
    """activities: activity, executions, rework (executions after the first in a case), repeats, redos,
    unattributed, cases (with rework of it). cases: per case with rework: rework, repeats, redos,
    unattributed. share: cases with rework / all cases."""

    activities: pd.DataFrame
    cases: pd.DataFrame
    share: float


def rework(events: pd.DataFrame) -> Rework:
    log = _ordered(events)
    resource = log.frame[RESOURCE].cat.codes.to_numpy()
    # Each (case, activity)'s executions in time order: a stable sort keeps the time order within the pair.
    order = np.lexsort((log.activity, log.case))
    case, activity, who = log.case[order], log.activity[order], resource[order]
    again = np.r_[False, (case[1:] == case[:-1]) & (activity[1:] == activity[:-1])]
    previous = np.r_[-1, who[:-1]]
    known = (who >= 0) & (previous >= 0)
    repeat = again & known & (who == previous)
    redo = again & known & (who != previous)
    unattributed = again & ~known
    names = log.activities
    per_activity = (
        pd.DataFrame(
            {"executions": 1, "rework": again, "repeats": repeat, "redos": redo, "unattributed": unattributed}
        )
        .groupby(activity)
        .sum()
    )
    per_activity["cases"] = _distinct_cases(activity[again], case[again])
    per_activity = per_activity.fillna({"cases": 0}).astype(np.int64)
    per_activity.insert(0, "activity", names.take(per_activity.index.to_numpy()).to_numpy())
    per_case = (
        pd.DataFrame({"rework": again, "repeats": repeat, "redos": redo, "unattributed": unattributed})[again]
        .groupby(case[again])
        .sum()
    )
    per_case.insert(0, "case", log.frame[CASE].cat.categories.take(per_case.index.to_numpy()).to_numpy())
    cases_total = len(np.unique(log.case))
    return Rework(
        activities=per_activity.sort_values("rework", ascending=False, kind="stable").reset_index(drop=True),
        cases=per_case.reset_index(drop=True),
        share=len(per_case) / cases_total if cases_total else 0.0,
    )


# ---------------------------------------------------------------------------------------------------------
# Hand-overs between units


def handovers(events: pd.DataFrame) -> pd.DataFrame:
    """source_unit, target_unit, handovers, cases, median/mean/p90_seconds of the waiting time at the
    hand-over; most hand-overs first. Empty when the log names no units."""
    log = _ordered(events)
    unit = log.frame[UNIT].cat.codes.to_numpy()
    units = log.frame[UNIT].cat.categories
    moved = log.same_case & (unit[:-1] >= 0) & (unit[1:] >= 0) & (unit[:-1] != unit[1:])
    pair = unit[:-1][moved].astype(np.int64) * max(len(units), 1) + unit[1:][moved]
    stats = _time_stats(pair, _gaps(log)[moved])
    stats.insert(0, "cases", _distinct_cases(pair, log.case[1:][moved]))
    stats.insert(0, "handovers", pd.Series(pair).value_counts())
    keys = stats.index.to_numpy()
    table = stats.reset_index(drop=True)
    table.insert(0, "target_unit", units.take(keys % max(len(units), 1)).to_numpy())
    table.insert(0, "source_unit", units.take(keys // max(len(units), 1)).to_numpy())
    table = table.astype({"handovers": np.int64, "cases": np.int64})
    return table.sort_values(["handovers", "source_unit", "target_unit"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)  # fmt: skip


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
    log = _ordered(events)
    timed = log.has_start
    service = np.where(timed, np.maximum(log.done - log.began, 0) / _NS_PER_SECOND, np.nan)
    waiting = np.full(len(log.case), np.nan)
    waiting[1:] = np.where(log.same_case & timed[1:], _gaps(log), np.nan)
    names = log.activities
    per_activity = pd.DataFrame({"events": 1, "timed": timed}).groupby(log.activity).sum()
    for label, seconds in (("service", service), ("waiting", waiting)):
        stats = _time_stats(log.activity, seconds)
        stats.columns = [f"{label}_{column}" for column in _STATS]
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
    log = _ordered(events)
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
            "cases": _distinct_cases(outside_codes, log.case[~inside]),
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
    log = _ordered(events)
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
            "duration_seconds": (log.done[last] - started) / _NS_PER_SECOND,
            "first_activity": frame[ACTIVITY].to_numpy()[first],
            "last_activity": frame[ACTIVITY].to_numpy()[last],
            "last_unit": frame[UNIT].to_numpy()[last],
        }
    )
