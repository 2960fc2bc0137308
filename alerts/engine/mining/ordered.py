"""The events frame in case and time order as arrays, and the statistics every analysis shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alerts.engine.eventlog.frame import ACTIVITY, CASE, START, TIMESTAMP, nanoseconds

NS_PER_SECOND = 1e9
STATS = ("median_seconds", "mean_seconds", "p90_seconds")


@dataclass(frozen=True)
class Ordered:
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


def ordered(events: pd.DataFrame) -> Ordered:
    case = events[CASE].cat.codes.to_numpy()
    done = nanoseconds(events[TIMESTAMP])
    same = case[1:] == case[:-1]
    # In order when each case's events are together (one run per case) and in time order within it.
    contiguous = len(case) == 0 or 1 + np.count_nonzero(~same) == np.count_nonzero(np.bincount(case))
    if not (contiguous and np.all(done[1:][same] >= done[:-1][same])):
        order = np.lexsort((done, case))  # stable: ties keep the frame's order
        events = events.iloc[order].reset_index(drop=True)
        case, done = case[order], done[order]
        same = case[1:] == case[:-1]
    has_start = events[START].notna().to_numpy()
    began = np.where(has_start, nanoseconds(events[START]), done) if has_start.any() else done
    return Ordered(events, case, events[ACTIVITY].cat.codes.to_numpy(), done, began, has_start, same)


def gaps(log: Ordered) -> np.ndarray:
    """Seconds from each event's completion to its successor's start (n - 1 of them; meaningful where
    same_case)."""
    return np.maximum(log.began[1:] - log.done[:-1], 0) / NS_PER_SECOND


def time_stats(keys: np.ndarray, seconds: np.ndarray) -> pd.DataFrame:
    """Median, mean and p90 of `seconds` per key (NaN seconds ignored), indexed by key."""
    grouped = pd.Series(seconds).groupby(keys, sort=True)
    stats = grouped.agg(["median", "mean"])
    stats["p90"] = grouped.quantile(0.9)
    stats.columns = list(STATS)
    return stats


def distinct_cases(keys: np.ndarray, cases: np.ndarray) -> pd.Series:
    """How many distinct cases each key occurs in."""
    return pd.DataFrame({"key": keys, "case": cases}).drop_duplicates().groupby("key").size()


def named_counts(codes: np.ndarray, names: pd.Index) -> pd.Series:
    counts = pd.Series(codes).value_counts()
    return pd.Series(counts.to_numpy(), index=names.take(counts.index.to_numpy()), name="cases")
