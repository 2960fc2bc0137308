"""Measures derived from the collaboration event log (绩效颗粒化), per unit and period, as pure functions.

Times are seconds since the epoch (floats; NaN for "none"); a period is a half-open window [start, end) of
such seconds (the selector computes its bounds in the tenant's time zone). Windows may overlap (a month, its
quarter and its year): each is measured on its own.

The exact meaning of each measure:

- **Median response time** (`median_response_hours`), of the unit that was *asked* (a request's `to_unit`),
  over the requests that *occurred* in the period and have been answered. A request is answered at the
  earliest of its own `done_at` and the `occurred_at` of its first response (a response event whose `answers`
  is the request); its response time is that minus the request's `occurred_at`, never below 0. Collab has no
  business calendar, so these are **calendar hours** (nights and weekends count). Requests not answered yet
  are counted (`requests`, `answered`) but have no time.
- **On-time delivery rate** (`on_time_rate`), of the unit that *delivers* (a deliverable's `from_unit`), over
  the deliverables *due* in the period (`due_at` in the window) that are either done or already overdue at
  `now` (one due later and not yet done is not decided and not counted). On time: `done_at <= due_at`.
  Deliverables without a due date are not counted.
- **Meeting participation** (`participation_rate`), of the unit *invited* (a meeting's `to_unit`; `from_unit`
  organises), over the meetings that occurred in the period: attended / invited. A meeting whose attendance
  was not recorded (`attended` None) counts as invited and not attended.

A rate is a fraction in [0, 1]; None where its denominator is 0 (nothing to measure is not 0 %).

The same measures per **person** (`by="person"`) read the people in place of the units: the person asked (a
request's `to_person`), the person delivering (a deliverable's `from_person`), the person invited (a
meeting's `to_person`). Events that name no such person count for nobody.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

REQUEST = "request"
RESPONSE = "response"
DELIVERABLE = "deliverable"
MEETING = "meeting"

# The measures a KPI may take as its data source (see feedback.services.event_kpis), and their units.
MEASURES = ("median_response_hours", "on_time_rate", "participation_rate")


@dataclass(frozen=True)
class Window:
    key: Hashable  # the period's id
    start: float
    end: float


@dataclass
class Measures:
    """One unit in one period."""

    requests: int = 0
    answered: int = 0
    median_response_hours: float | None = None
    deliverables_due: int = 0
    delivered_on_time: int = 0
    meetings_invited: int = 0
    meetings_attended: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return self.delivered_on_time / self.deliverables_due if self.deliverables_due else None

    @property
    def participation_rate(self) -> float | None:
        return self.meetings_attended / self.meetings_invited if self.meetings_invited else None

    def value(self, measure: str) -> float | None:
        return getattr(self, measure)


EVENT_COLUMNS = ("id", "kind", "from_unit", "to_unit", "occurred", "due", "done", "answers", "attended")
# The rows of a measure by person: the people in the places of the units.
PERSON_EVENT_COLUMNS = ("id", "kind", "from_person", "to_person", "occurred", "due", "done", "answers",
                        "attended")  # fmt: skip
# Who a measure is of, by subject: (the side asked and invited, the side delivering).
SIDES = {"unit": ("to_unit", "from_unit"), "person": ("to_person", "from_person")}


def events_frame(
    rows: Sequence[Sequence] | pd.DataFrame, columns: Sequence[str] = EVENT_COLUMNS
) -> pd.DataFrame:
    """Rows of `columns` (EVENT_COLUMNS or PERSON_EVENT_COLUMNS; answers: the answered request's id or None;
    attended: True/False/None) as the frame `event_measures` reads."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(rows, columns=list(columns))
    for name in ("occurred", "due", "done"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame["answers"] = pd.to_numeric(frame["answers"], errors="coerce").astype("float64")
    frame["attended"] = frame["attended"].map({True: 1.0, False: 0.0}).astype("float64")
    return frame


def _layers(windows: Sequence[Window]) -> list[list[Window]]:
    """The windows split into layers of non-overlapping ones (months, quarters, years…), each sorted."""
    layers: list[list[Window]] = []
    for window in sorted(windows, key=lambda w: (w.end - w.start, w.start)):
        for layer in layers:
            if all(window.end <= other.start or window.start >= other.end for other in layer):
                layer.append(window)
                break
        else:
            layers.append([window])
    return [sorted(layer, key=lambda w: w.start) for layer in layers]


def _assign(times: np.ndarray, layer: list[Window]) -> np.ndarray:
    """The index in `layer` of the window holding each time, -1 for none (NaN: none)."""
    starts = np.array([w.start for w in layer])
    ends = np.array([w.end for w in layer])
    index = np.searchsorted(starts, times, side="right") - 1
    safe = np.clip(index, 0, len(layer) - 1)
    inside = (index >= 0) & (times < ends[safe]) & ~np.isnan(times)
    return np.where(inside, index, -1)


def _answer_times(frame: pd.DataFrame) -> pd.Series:
    """For each request (indexed like `frame`), when it was answered (NaN: not yet)."""
    responses = frame[(frame["kind"] == RESPONSE) & frame["answers"].notna()]
    first = responses.groupby("answers")["occurred"].min()
    requests = frame["kind"] == REQUEST
    by_response = frame.loc[requests, "id"].astype("float64").map(first)
    return np.fmin(frame.loc[requests, "done"], by_response)


def _rows(stats: pd.DataFrame, *columns: str):
    """(index, *values) of an aggregate, without a Python object per cell (`iterrows` is slow)."""
    return zip(stats.index, *(stats[column].to_numpy() for column in columns), strict=True)


def event_measures(
    frame: pd.DataFrame, windows: Sequence[Window], *, now: float, by: str = "unit"
) -> dict[tuple[Hashable, Hashable], Measures]:
    """{(subject, window key): Measures} for every unit (`by="unit"`) or person (`by="person"`) with something
    to measure in a window."""
    asked, delivering = SIDES[by]
    out: dict[tuple[Hashable, Hashable], Measures] = {}
    if frame.empty or not windows:
        return out

    def cell(subject, key) -> Measures:
        found = out.get((subject, key))
        if found is None:
            found = out[(subject, key)] = Measures()
        return found

    requests = frame[frame["kind"] == REQUEST]
    answered_at = _answer_times(frame)
    hours = ((answered_at - requests["occurred"]) / 3600.0).clip(lower=0.0)
    requests = pd.DataFrame({"subject": requests[asked], "t": requests["occurred"], "hours": hours})
    due = frame[(frame["kind"] == DELIVERABLE) & frame["due"].notna()]
    decided = due["done"].notna() | (due["due"] <= now)
    due = due[decided]
    deliverables = pd.DataFrame(
        {"subject": due[delivering], "t": due["due"], "on_time": (due["done"] <= due["due"]).astype("int64")}
    )
    meetings = frame[frame["kind"] == MEETING]
    meetings = pd.DataFrame(
        {"subject": meetings[asked], "t": meetings["occurred"],
         "attended": (meetings["attended"] == 1.0).astype("int64")}
    )  # fmt: skip

    for layer in _layers(windows):
        keys = [w.key for w in layer]

        def grouped(data: pd.DataFrame, layer=layer) -> pd.core.groupby.DataFrameGroupBy:
            slot = _assign(data["t"].to_numpy(dtype="float64"), layer)
            data = data.assign(slot=slot)
            return data[data["slot"] >= 0].groupby(["subject", "slot"], sort=False)

        if not requests.empty:
            stats = grouped(requests)["hours"].agg(["size", "count", "median"])
            for (subject, slot), size, count, median in _rows(stats, "size", "count", "median"):
                measures = cell(subject, keys[slot])
                measures.requests, measures.answered = int(size), int(count)
                measures.median_response_hours = None if count == 0 else float(median)
        if not deliverables.empty:
            stats = grouped(deliverables)["on_time"].agg(["size", "sum"])
            for (subject, slot), size, on_time in _rows(stats, "size", "sum"):
                measures = cell(subject, keys[slot])
                measures.deliverables_due, measures.delivered_on_time = int(size), int(on_time)
        if not meetings.empty:
            stats = grouped(meetings)["attended"].agg(["size", "sum"])
            for (subject, slot), size, attended in _rows(stats, "size", "sum"):
                measures = cell(subject, keys[slot])
                measures.meetings_invited, measures.meetings_attended = int(size), int(attended)
    return out
