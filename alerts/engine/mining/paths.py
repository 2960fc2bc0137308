"""The paths cases take: the directly-follows graph, variants, rework and hand-overs between units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alerts.engine.eventlog.frame import CASE, RESOURCE, UNIT
from alerts.engine.mining.ordered import distinct_cases, gaps, named_counts, ordered, time_stats

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
    log = ordered(events)
    names = log.activities
    same = log.same_case
    pair = log.activity[:-1][same].astype(np.int64) * len(names) + log.activity[1:][same]
    stats = time_stats(pair, gaps(log)[same])
    stats.insert(0, "cases", distinct_cases(pair, log.case[1:][same]))
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
        start_activities=named_counts(log.activity[first], names),
        end_activities=named_counts(log.activity[last], names),
    )


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
    log = ordered(events)
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
    log = ordered(events)
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
    per_activity["cases"] = distinct_cases(activity[again], case[again])
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
    log = ordered(events)
    unit = log.frame[UNIT].cat.codes.to_numpy()
    units = log.frame[UNIT].cat.categories
    moved = log.same_case & (unit[:-1] >= 0) & (unit[1:] >= 0) & (unit[:-1] != unit[1:])
    pair = unit[:-1][moved].astype(np.int64) * max(len(units), 1) + unit[1:][moved]
    stats = time_stats(pair, gaps(log)[moved])
    stats.insert(0, "cases", distinct_cases(pair, log.case[1:][moved]))
    stats.insert(0, "handovers", pd.Series(pair).value_counts())
    keys = stats.index.to_numpy()
    table = stats.reset_index(drop=True)
    table.insert(0, "target_unit", units.take(keys % max(len(units), 1)).to_numpy())
    table.insert(0, "source_unit", units.take(keys // max(len(units), 1)).to_numpy())
    table = table.astype({"handovers": np.int64, "cases": np.int64})
    return table.sort_values(["handovers", "source_unit", "target_unit"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)  # fmt: skip
