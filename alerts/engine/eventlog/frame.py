"""The events frame's columns, the errors and the column mapping, and turning parsed chunks into the frame."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import IO

import numpy as np
import pandas as pd

CASE = "case"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
OFFSET = "offset_minutes"
START = "start_timestamp"
START_OFFSET = "start_offset_minutes"
UNIT = "unit"
RESOURCE = "resource"
COLUMNS = (CASE, ACTIVITY, TIMESTAMP, OFFSET, START, START_OFFSET, UNIT, RESOURCE)

# The mapped fields a reader fills before normalising, and the one that says which lifecycle step a row is.
LIFECYCLE = "lifecycle"
TEXT_FIELDS = (CASE, ACTIVITY, TIMESTAMP, START, UNIT, RESOURCE, LIFECYCLE)
ROW = "_row"

UTC = "UTC"
NS = "datetime64[ns, UTC]"

Source = str | os.PathLike | IO[bytes]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it: a CSV/Excel row (header = 1) or an XES line; 0 for the whole file
    field: str  # one of the frame's fields (case, activity, timestamp, …) or "" for the whole row or file
    message: str


class EventLogError(ValueError):
    """The log could not be read; nothing of it is used."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        shown = "; ".join(f"row {e.row} {e.field}: {e.message}" for e in errors[:5])
        more = f" (and {self.total - 5} more)" if self.total > 5 else ""
        super().__init__(f"{self.total} error(s) in the event log: {shown}{more}")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a CSV or Excel file holds each field (its header as written); None: not in the file."""

    case: str
    activity: str
    timestamp: str
    start_timestamp: str | None = None
    unit: str | None = None
    resource: str | None = None
    lifecycle: str | None = None  # a column of transitions (start / complete / …), as in a BPI CSV export

    def columns(self) -> dict[str, str]:
        """{frame field: file header} for the fields that are mapped."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


class Errors:
    """Collects row errors up to a limit and counts all of them."""

    def __init__(self, limit: int):
        self.limit = limit
        self.listed: list[RowError] = []
        self.total = 0

    def add_rows(self, rows: np.ndarray, field: str, messages: pd.Series | str) -> None:
        self.total += len(rows)
        room = self.limit - len(self.listed)
        if room <= 0 or not len(rows):
            return
        texts = [messages] * min(room, len(rows)) if isinstance(messages, str) else list(messages[:room])
        self.listed += [
            RowError(int(row), field, text) for row, text in zip(rows[:room], texts, strict=False)
        ]

    def add(self, row: int, field: str, message: str) -> None:
        self.add_rows(np.array([row]), field, message)

    def raise_if_any(self) -> None:
        if self.total:
            raise EventLogError(sorted(self.listed, key=lambda e: (e.row, e.field)), self.total)


def finish(parts: list[pd.DataFrame], errors: Errors) -> pd.DataFrame:
    errors.raise_if_any()
    if not sum(len(part) for part in parts):
        errors.add(0, "", "the log holds no events")
        errors.raise_if_any()
    events = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    events, ignored = _pair_lifecycle(events)
    case_codes, case_names = pd.factorize(events[CASE])
    activity_codes, activity_names = pd.factorize(events[ACTIVITY])
    order = np.lexsort((nanoseconds(events[TIMESTAMP]), case_codes))  # stable: ties keep the file's order
    frame = pd.DataFrame(
        {
            CASE: pd.Categorical.from_codes(case_codes[order], categories=pd.Index(case_names, dtype=object)),
            ACTIVITY: pd.Categorical.from_codes(
                activity_codes[order], categories=pd.Index(activity_names, dtype=object)
            ),
            TIMESTAMP: events[TIMESTAMP].array.take(order),
            OFFSET: events[OFFSET].to_numpy()[order].astype(np.int16),
        }
    )
    if START in events:
        frame[START] = events[START].array.take(order)
        frame[START_OFFSET] = events[START_OFFSET].array.take(order)
    else:
        frame[START] = pd.Series(pd.NaT, index=frame.index, dtype=NS)
        none = np.ones(len(frame), dtype=bool)
        frame[START_OFFSET] = pd.arrays.IntegerArray(np.zeros(len(frame), np.int16), mask=none)
    for field in (UNIT, RESOURCE):
        named = events[field].to_numpy(dtype=object)[order] if field in events else None
        frame[field] = _categories(named, len(order))
    frame.attrs["ignored"] = ignored
    return frame


def _categories(values: np.ndarray | None, count: int) -> pd.Categorical:
    """Texts as a categorical, "" (not named) as missing; None: `count` missing values."""
    if values is None:
        return pd.Categorical.from_codes(np.full(count, -1), categories=pd.Index([], dtype=object))
    codes, names = pd.factorize(values)
    empty = np.flatnonzero(names == "")
    if len(empty):
        codes = np.where(codes == empty[0], -1, codes - (codes > empty[0]))
        names = np.delete(names, empty[0])
    return pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))


def nanoseconds(instants: pd.Series) -> np.ndarray:
    return instants.dt.tz_convert(None).to_numpy("datetime64[ns]").view(np.int64)


def _pair_lifecycle(events: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Completes, each with the start that precedes it (same case and activity) as its start timestamp."""
    if LIFECYCLE not in events:
        return events, {}
    # Transitions are few distinct texts: compare their lower-case forms once, not once per row.
    codes, written = pd.factorize(events[LIFECYCLE])
    lowered = np.array([text.lower() or "complete" for text in written], dtype=object)
    is_start = np.isin(codes, np.flatnonzero(lowered == "start"))
    is_step = is_start | np.isin(codes, np.flatnonzero(lowered == "complete"))
    other = pd.Series(lowered[codes[~is_step]]).value_counts()
    ignored = {str(transition): int(count) for transition, count in other.items()}
    steps = events[is_step].reset_index(drop=True)
    step_is_start = is_start[is_step]
    if step_is_start.any():
        case_codes = pd.factorize(steps[CASE])[0]
        activity_codes = pd.factorize(steps[ACTIVITY])[0]
        order = np.lexsort((nanoseconds(steps[TIMESTAMP]), activity_codes, case_codes))
        same_group = (case_codes[order][1:] == case_codes[order][:-1]) & (
            activity_codes[order][1:] == activity_codes[order][:-1]
        )
        # A complete whose predecessor in its (case, activity) group is a start.
        paired = np.flatnonzero(same_group & step_is_start[order][:-1] & ~step_is_start[order][1:]) + 1
        completes, their_starts = order[paired], order[paired - 1]
        starts = pd.Series(pd.NaT, index=steps.index, dtype=NS)
        starts.iloc[completes] = steps[TIMESTAMP].array.take(their_starts)
        start_offsets = pd.Series(pd.NA, index=steps.index, dtype="Int16")
        start_offsets.iloc[completes] = steps[OFFSET].to_numpy()[their_starts]
        if START in steps:  # a mapped start column wins over a start transition
            mapped = steps[START].notna()
            starts = steps[START].where(mapped, starts)
            start_offsets = steps[START_OFFSET].where(mapped, start_offsets)
        steps[START], steps[START_OFFSET] = starts, start_offsets
        unmatched = int(step_is_start.sum()) - len(paired)
        if unmatched:
            ignored["start"] = unmatched
    return steps[~step_is_start].drop(columns=LIFECYCLE).reset_index(drop=True), ignored
