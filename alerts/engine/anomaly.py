"""Anomaly verdicts on short monthly or weekly KPI series, vectorised across many series (DESIGN.md §7a).

Input is a matrix: one row per series, one column per period (consecutive months or weeks), NaN where a value
is missing; `series_matrix` builds it from the long rows an ORM query returns. A point at column t is judged
against the valid points of its history window, the ``window`` columns before it:

- **robust z** — expected value = median of the window, scale = 1.4826 · MAD (the MAD of normal noise is
  0.6745 σ), z = (value − expected) / scale;
- **seasonal differences** — once two full seasons precede t (t ≥ 2 · ``season``; 12 for monthly, 52 for
  weekly) the same is done on d_t = y_t − y_{t−season}: with m the median of the window's differences and
  1.4826 · their MAD the error of one reference, y_t is expected at the mean of y_{t−season} + m and
  y_{t−2·season} + 2m, whose error is √(3/4) of one reference's (on the benchmark's planted series: recall
  0.85 → 0.89, level shifts 0.76 → 0.81, for 1.3 → 1.5 % false flags). A seasonal pattern and a yearly
  growth move the expected value with them. When y_{t−season} was itself odd (its own difference 3.5 robust
  σ out: it, or the point a season before it, was a spike) the two references disagree and only the one
  closer to y_t counts, so a spike does not come back as an anomaly in the other direction a season later;
- **no verdict** while the window holds fewer than ``min_history`` valid points (default 8): the verdict says
  how many points are still missing. A missing value at t gets no verdict either (the caller's no-data state).

The band is expected ± threshold · scale; the scale has a floor (``relative_floor`` · |expected|) so a flat
history does not turn the smallest change into an infinite z. Direction: ``higher_better`` flags only values
below the band, ``lower_better`` only above it, ``both`` either side.

Every verdict carries the value, the expected value and the band, so a page can draw the band and say why a
point was flagged or not. `backtest` replays a series' history against candidate thresholds and counts the
flags and the analyst-labelled false alarms each would have raised.

Why medians over a window and not a fitted model: with 8–36 points a model has nothing to learn from, the
median and MAD ignore the odd outlier in the history, and the whole computation is a handful of sorts over a
(series × positions × window) array — 10,000 series in milliseconds (``bench/anomaly.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIGHER_BETTER = "higher_better"
LOWER_BETTER = "lower_better"
BOTH = "both"
DIRECTIONS = (HIGHER_BETTER, LOWER_BETTER, BOTH)

MAD_TO_SIGMA = 1.4826

# How a verdict was reached (``Verdicts.method``) and why there is none (``Verdicts.status``).
METHOD_NONE, METHOD_ROBUST, METHOD_SEASONAL, METHOD_STL = 0, 1, 2, 3
METHOD_NAMES = ("none", "robust_z", "seasonal_difference", "stl")
STATUS_VERDICT, STATUS_TOO_SHORT, STATUS_NO_VALUE, STATUS_DAY_OFF = 0, 1, 2, 3
STATUS_NAMES = ("verdict", "too_short", "no_value", "day_off")

DEFAULT_WINDOW = 12
DEFAULT_MIN_HISTORY = 8
DEFAULT_THRESHOLD = 3.5
DEFAULT_RELATIVE_FLOOR = 0.01
# A seasonal reference whose own difference lies this many robust σ out is odd. Fixed, not the rule's
# threshold, so that a point's z does not depend on the threshold (the backtest relies on it).
ODD_REFERENCE_Z = 3.5


@dataclass(frozen=True)
class Verdicts:
    """Verdicts as columns of equal shape: (series,) for the latest point, (series, positions) for a history.

    ``score`` is the signed z; ``flagged`` is true only for a verdict on the bad side of the band. Where there
    is no verdict, expected/lower/upper/score are NaN and ``status`` says why; ``missing`` is how many more
    history points a verdict needs (0 once there are enough)."""

    value: np.ndarray
    expected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    score: np.ndarray
    flagged: np.ndarray
    method: np.ndarray
    status: np.ndarray
    history: np.ndarray
    missing: np.ndarray

    def records(self) -> list[dict]:
        """One plain dict per verdict (``None`` for a missing number), with ``series`` — and ``position`` for
        a history — as indices into the matrix's rows and columns: what an evaluation row stores."""
        columns = {
            name: getattr(self, name).ravel() for name in ("value", "expected", "lower", "upper", "score")
        }
        numbers = {
            name: [None if np.isnan(x) else float(x) for x in column.tolist()]
            for name, column in columns.items()
        }
        if self.value.ndim == 1:
            series, position = np.arange(self.value.size), None
        else:
            series, position = (axis.ravel() for axis in np.indices(self.value.shape))
        flagged, history, missing = (
            getattr(self, name).ravel().tolist() for name in ("flagged", "history", "missing")
        )
        methods, statuses = self.method.ravel().tolist(), self.status.ravel().tolist()
        records = []
        for i in range(self.value.size):
            record = {"series": int(series[i])}
            if position is not None:
                record["position"] = int(position[i])
            record.update({name: numbers[name][i] for name in numbers})
            record.update(
                flagged=bool(flagged[i]),
                method=METHOD_NAMES[methods[i]],
                status=STATUS_NAMES[statuses[i]],
                history=int(history[i]),
                missing=int(missing[i]),
            )
            records.append(record)
        return records


def series_matrix(series, periods, values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long rows → (series keys, period axis, matrix with NaN where a period has no value).

    ``periods`` are integer period numbers that step by one (a month as ``year * 12 + month - 1``, a week as
    its Monday's ordinal // 7, a day as its ordinal); the axis runs from the first to the last without gaps,
    so a missing period is a NaN entry, never a silently shorter history. A repeated (series, period) keeps
    the last value."""
    series = np.asarray(series)
    periods = np.asarray(periods, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    keys, rows = np.unique(series, return_inverse=True)
    if periods.size == 0:
        return keys, periods, np.empty((0, 0))
    axis = np.arange(periods.min(), periods.max() + 1)
    matrix = np.full((keys.size, axis.size), np.nan)
    matrix[rows, periods - axis[0]] = values
    return keys, axis, matrix


def direction_codes(direction, n_series: int) -> np.ndarray:
    """+1 higher_better (low is bad), −1 lower_better (high is bad), 0 both; one per series."""
    names = np.broadcast_to(np.asarray(direction, dtype=object), (n_series,))
    unknown = set(names.tolist()) - set(DIRECTIONS)
    if unknown:
        raise ValueError(f"unknown direction(s) {sorted(map(str, unknown))}; expected one of {DIRECTIONS}")
    return np.where(names == HIGHER_BETTER, 1, np.where(names == LOWER_BETTER, -1, 0)).astype(np.int8)


def badness(score: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """How far a z lies on the bad side (negative: the good side); ``codes`` broadcast against ``score``."""
    return np.where(codes == 1, -score, np.where(codes == -1, score, np.abs(score)))


def _median_and_mad(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NaN-aware median, MAD and count along the last axis, with sorts instead of numpy's slower nanmedian."""
    count = np.count_nonzero(~np.isnan(windows), axis=-1)
    middle = np.stack([np.maximum((count - 1) // 2, 0), np.maximum(count // 2, 0)], axis=-1)

    def median(x: np.ndarray) -> np.ndarray:
        ordered = np.sort(x, axis=-1)  # NaN sort last
        return np.take_along_axis(ordered, middle, axis=-1).mean(axis=-1)

    centre = median(windows)
    spread = median(np.abs(windows - centre[..., None]))
    empty = count == 0
    centre[empty] = np.nan
    spread[empty] = np.nan
    return centre, spread, count


def _windows(matrix: np.ndarray, positions: np.ndarray, window: int) -> np.ndarray:
    """(series, positions, window): the ``window`` columns before each position, NaN before column 0."""
    columns = positions[:, None] - window + np.arange(window)
    taken = matrix[:, np.maximum(columns, 0)]
    return np.where(columns >= 0, taken, np.nan)


def evaluate(
    matrix,
    positions=None,
    *,
    direction=BOTH,
    threshold=DEFAULT_THRESHOLD,
    window: int = DEFAULT_WINDOW,
    season=None,
    min_history: int = DEFAULT_MIN_HISTORY,
    relative_floor: float = DEFAULT_RELATIVE_FLOOR,
) -> Verdicts:
    """Verdicts for every series at ``positions`` (column indices; default: every column) of ``matrix``.

    ``direction``, ``threshold`` and ``season`` are one value or one per series (a season of 0 — or
    ``None`` for all — means no seasonal model, as a KPI's rule says). Result shape: (series, positions)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    n_series, n_periods = matrix.shape
    positions = (
        np.arange(n_periods) if positions is None else np.atleast_1d(np.asarray(positions, dtype=np.int64))
    )
    if not 1 <= min_history <= window:
        raise ValueError("min_history must be at least 1 and the window must hold it")
    if positions.size and (positions.min() < 0 or positions.max() >= n_periods):
        raise ValueError(f"positions must be column indices in [0, {n_periods})")
    codes = direction_codes(direction, n_series)[:, None]
    k = np.broadcast_to(np.asarray(threshold, dtype=float), (n_series,))[:, None]

    expected, spread, history = _median_and_mad(_windows(matrix, positions, window))
    method = np.full(expected.shape, METHOD_ROBUST, dtype=np.int8)
    seasons = np.broadcast_to(np.asarray(0 if season is None else season, dtype=np.int64), (n_series,))
    for length in np.unique(seasons[seasons > 0]).tolist():
        rows = seasons == length
        series = matrix[rows]
        differences = np.full_like(series, np.nan)
        differences[:, length:] = series[:, length:] - series[:, :-length]
        step, step_spread, step_count = _median_and_mad(_windows(differences, positions, window))
        reference = series[:, np.maximum(positions - length, 0)]
        seasonal = (positions >= 2 * length)[None, :] & (step_count >= min_history) & ~np.isnan(reference)
        forecast = reference + step
        # An odd reference (its own seasonal difference outside the band: it, or the point a season before it,
        # was a spike) must not raise a flag a season later by itself — the spike's echo: then only the closer
        # of the two references counts.
        reference_step = differences[:, np.maximum(positions - length, 0)]
        step_scale = np.maximum(
            MAD_TO_SIGMA * step_spread, np.maximum(relative_floor * np.abs(reference), 1e-12)
        )
        from_two_back = series[:, np.maximum(positions - 2 * length, 0)] + 2 * step
        current = series[:, positions]
        with np.errstate(invalid="ignore"):
            odd_reference = np.abs(reference_step - step) > ODD_REFERENCE_Z * step_scale
            closer = np.abs(current - from_two_back) < np.abs(current - forecast)
        # Two sound references: their mean, whose error is √(3/4) of one reference's.
        both = ~odd_reference & ~np.isnan(from_two_back)
        forecast = np.where(
            both, (forecast + from_two_back) / 2, np.where(odd_reference & closer, from_two_back, forecast)
        )
        expected[rows] = np.where(seasonal, forecast, expected[rows])
        spread[rows] = np.where(seasonal, np.where(both, np.sqrt(0.75), 1.0) * step_spread, spread[rows])
        method[rows] = np.where(seasonal, METHOD_SEASONAL, method[rows])

    value = matrix[:, positions]
    scale = np.maximum(MAD_TO_SIGMA * spread, np.maximum(relative_floor * np.abs(expected), 1e-12))
    too_short = history < min_history
    no_value = np.isnan(value)
    judged = ~too_short & ~no_value
    status = np.where(too_short, STATUS_TOO_SHORT, np.where(no_value, STATUS_NO_VALUE, STATUS_VERDICT))
    with np.errstate(invalid="ignore"):
        score = np.where(judged, (value - expected) / scale, np.nan)
        flagged = judged & (badness(score, codes) > k)
    expected = np.where(judged, expected, np.nan)
    band = np.where(judged, k * scale, np.nan)
    return Verdicts(
        value=value,
        expected=expected,
        lower=expected - band,
        upper=expected + band,
        score=score,
        flagged=flagged,
        method=np.where(judged, method, METHOD_NONE).astype(np.int8),
        status=status.astype(np.int8),
        history=history,
        missing=np.maximum(min_history - history, 0),
    )


def check_latest(matrix, **options) -> Verdicts:
    """The verdict on each series' last column (the nightly check): columns of shape (series,)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    verdicts = evaluate(matrix, [matrix.shape[1] - 1], **options)
    return Verdicts(**{name: column[:, 0] for name, column in vars(verdicts).items()})


@dataclass(frozen=True)
class Backtest:
    """What each candidate threshold would have done over the history, beside the current one.

    ``false_alarms_removed[i]``: labelled "not an anomaly" points flagged at the current threshold that
    candidate i would not flag; ``other_flags_removed[i]``: unlabelled flags it would drop too (the price:
    alerts nobody called false); ``flags[i]``: every flag candidate i raises."""

    thresholds: np.ndarray
    flags: np.ndarray
    false_alarms_removed: np.ndarray
    false_alarms_kept: np.ndarray
    other_flags_removed: np.ndarray
    current_flags: int
    labelled_false_alarms: int

    def records(self) -> list[dict]:
        return [
            {
                "threshold": float(self.thresholds[i]),
                "flags": int(self.flags[i]),
                "false_alarms_removed": int(self.false_alarms_removed[i]),
                "false_alarms_kept": int(self.false_alarms_kept[i]),
                "other_flags_removed": int(self.other_flags_removed[i]),
            }
            for i in range(self.thresholds.size)
        ]


def backtest(matrix, not_anomaly, thresholds, *, current_threshold=DEFAULT_THRESHOLD, **options) -> Backtest:
    """Replay the history (every point against its own past) at the current threshold and each candidate.

    ``matrix`` is one series or many (the counts add up over all of them); ``not_anomaly`` is a boolean of the
    same shape, true where an analyst marked the point "not an anomaly". The z of each point does not depend
    on the threshold, so the history is evaluated once and every candidate is a comparison."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    labels = np.atleast_2d(np.asarray(not_anomaly, dtype=bool))
    if labels.shape != matrix.shape:
        raise ValueError("not_anomaly must have the shape of the series")
    verdicts = evaluate(matrix, **options)
    codes = direction_codes(options.get("direction", BOTH), matrix.shape[0])[:, None]
    bad = np.where(np.isnan(verdicts.score), -np.inf, badness(verdicts.score, codes))
    candidates = np.atleast_1d(np.asarray(thresholds, dtype=float))
    flagged = bad[None, :, :] > candidates[:, None, None]  # (candidates, series, positions)
    current = bad > current_threshold
    false_alarms = current & labels
    removed = false_alarms[None] & ~flagged
    return Backtest(
        thresholds=candidates,
        flags=flagged.sum(axis=(1, 2)),
        false_alarms_removed=removed.sum(axis=(1, 2)),
        false_alarms_kept=(false_alarms[None] & flagged).sum(axis=(1, 2)),
        other_flags_removed=((current & ~labels)[None] & ~flagged).sum(axis=(1, 2)),
        current_flags=int(current.sum()),
        labelled_false_alarms=int(false_alarms.sum()),
    )
