"""Level shifts in KPI series: the nightly change-point pass (ruptures, PELT on the least-squares cost).

The robust z of `anomaly` sees a step only while the history window still holds the old level; this pass
finds where a series' level moved, however long ago, and says by how much and whether for the worse.

What is not a level shift, and is taken out first:
- a season (``season``: each series' profile per phase, measured against a rolling median so a step does not
  leak into it);
- a spike (a Hampel filter: a point 3.5 robust σ from the median of its ±3 neighbours becomes that median —
  PELT would otherwise wrap a short segment round it: 27 % of 36-point noise series with one old 8σ spike
  got a "shift", 0.1 % with the filter);
- a steady trend (a common slope fitted with the cuts, see `_trend_and_cuts`: without it a 0.3 σ/month trend
  was cut into steps in 84 % of series, with it 0.4 %).

Penalty: BIC-style, ``penalty_factor · σ² · ln(n)`` per change in the least-squares cost, σ estimated robustly
from the first differences (1.4826 · MAD / √2: a step moves one difference, the noise moves all of them), so
the penalty follows each series' own noise. The textbook BIC counts two parameters per change (where, and the
new mean): factor 2. PELT tries every position and the slope is free, so on 36-point series (200 of pure
noise, 200 with a 3σ shift) factor 2 put a shift in 12.5 % of the noise series and found 90 % of the shifts,
factor 3 3 % and 80 %, factor 5 0.5 % and 56 % (90 % of 4σ shifts). The default is 5 — a nightly pass that
cries wolf is ignored, and a fresh shift is the robust z's to catch; a tenant can tune the factor, or pass
``penalty`` outright.

ruptures' ``KernelCPD`` with the linear kernel is this least-squares cost with PELT written in C (the same
breakpoints as ``Pelt(model="l2")``, ~70× faster). It has no batched form: a few fits per series (~1 ms for
36 points), a nightly job, not the per-evaluation check.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import ruptures

from .anomaly import BOTH, DEFAULT_MIN_HISTORY, MAD_TO_SIGMA, direction_codes

DEFAULT_PENALTY_FACTOR = 5.0
DEFAULT_MIN_SIZE = 3
TREND_PASSES = 5
HAMPEL_HALF_WIDTH = 3
HAMPEL_THRESHOLD = 3.5


@dataclass(frozen=True)
class LevelShift:
    """A change of level: ``position`` is the column of the first point at the new level."""

    series: int
    position: int
    before: float
    after: float
    shift: float
    sigmas: float
    worse: bool

    def record(self) -> dict:
        return asdict(self)


def noise_sigma(values: np.ndarray) -> float:
    """The noise's standard deviation, robust to steps and outliers (from the first differences)."""
    steps = np.diff(values)
    return float(MAD_TO_SIGMA * np.median(np.abs(steps - np.median(steps))) / np.sqrt(2))


def bic_penalty(values: np.ndarray, penalty_factor: float = DEFAULT_PENALTY_FACTOR) -> float:
    sigma = noise_sigma(values)
    # A flat series has σ = 0: any penalty above 0 keeps it from being cut at every rounding.
    return penalty_factor * max(sigma**2, 1e-12) * np.log(values.size)


def _cuts(signal: np.ndarray, penalty: float, min_size: int) -> list[int]:
    """Segment bounds ``[0, cut…, n]`` of one gapless signal."""
    return [0, *ruptures.KernelCPD(kernel="linear", min_size=min_size).fit(signal).predict(pen=penalty)]


def _within_slope(signal: np.ndarray, times: np.ndarray, bounds: list[int]) -> float:
    """The least-squares slope with one intercept per segment: a trend, not biased by the steps between."""
    numerator = denominator = 0.0
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        centred = times[start:end] - times[start:end].mean()
        numerator += float(centred @ (signal[start:end] - signal[start:end].mean()))
        denominator += float(centred @ centred)
    return numerator / denominator if denominator > 0 else 0.0


def _trend_and_cuts(
    signal: np.ndarray, times: np.ndarray, penalty: float, min_size: int, from_whole_slope: bool
) -> tuple[float, list[int], float]:
    """(slope, bounds, penalised cost) of a common trend plus level shifts, by alternating the slope within
    the segments and the cuts of the series less the slope until they settle. Started from no slope, a trend
    is cut into flat steps and the slope within them stays too small; started from the whole series' slope,
    a step passes for part of a trend and is not cut: the caller tries both and keeps the cheaper fit."""
    slope = 0.0
    bounds = [0, signal.size] if from_whole_slope else _cuts(signal, penalty, min_size)
    for _ in range(TREND_PASSES):
        settled = _within_slope(signal, times, bounds)
        if abs(settled - slope) * times[-1] <= 1e-9 * (1 + np.abs(signal).max()):
            break
        slope = settled
        bounds = _cuts(signal - slope * times, penalty, min_size)
    level = signal - slope * times
    squares = sum(float(((part - part.mean()) ** 2).sum()) for part in np.split(level, bounds[1:-1]))
    return slope, bounds, squares + penalty * (len(bounds) - 2)


def _rolling_median(matrix: np.ndarray, half_width: int) -> np.ndarray:
    """The NaN-aware median of each point and its ``half_width`` neighbours either side, per row."""
    padded = np.pad(matrix, ((0, 0), (half_width, half_width)), constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a window with no value at all
        return np.nanmedian(windows, axis=2)


def seasonal_profile(matrix: np.ndarray, season: int) -> np.ndarray:
    """Each series' seasonal component laid out on the matrix's columns: per phase, the median of the values
    less their local level (the rolling median over a season, which keeps a step sharp where a moving average
    would smear it over the year and leak it into the profile), centred on zero."""
    n_series, n_periods = matrix.shape
    deviations = matrix - _rolling_median(matrix, season // 2)
    padded = np.full((n_series, -(-n_periods // season) * season), np.nan)
    padded[:, :n_periods] = deviations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a phase with no value at all
        by_phase = np.nanmedian(padded.reshape(n_series, -1, season), axis=1)
        by_phase -= np.nanmedian(by_phase, axis=1, keepdims=True)
    return np.nan_to_num(by_phase)[:, np.arange(n_periods) % season]


def without_spikes(matrix: np.ndarray) -> np.ndarray:
    """Each point more than 3.5 robust σ from the median of its ±3 neighbours replaced by that median (a
    Hampel filter): a spike is not a level shift, but PELT would wrap a short segment around it. A step
    survives: the median of the neighbours at a step sits on the side most of them are on."""
    local = _rolling_median(matrix, HAMPEL_HALF_WIDTH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a row with no value at all
        steps = np.diff(matrix, axis=1)
        sigma = MAD_TO_SIGMA * np.nanmedian(
            np.abs(steps - np.nanmedian(steps, axis=1, keepdims=True)), axis=1
        )
    sigma = sigma[:, None] / np.sqrt(2)
    with np.errstate(invalid="ignore"):
        spikes = np.abs(matrix - local) > HAMPEL_THRESHOLD * sigma
    return np.where(spikes, local, matrix)


def level_shifts(
    matrix,
    *,
    direction=BOTH,
    season=None,
    penalty: float | None = None,
    penalty_factor: float = DEFAULT_PENALTY_FACTOR,
    min_size: int = DEFAULT_MIN_SIZE,
    min_history: int = DEFAULT_MIN_HISTORY,
) -> list[LevelShift]:
    """Every level shift in every series (rows of ``matrix``, NaN where missing: the missing points are left
    out, positions refer to the matrix's columns). A series with fewer than ``min_history`` valid points, or
    fewer than two segments' worth (2 · ``min_size``), gets none. ``worse`` is true for a shift in the bad
    direction (any shift for ``both``).

    ``season`` (one length or one per series, 0 for none; used once two seasons exist) takes each series'
    seasonal profile out first; spikes and a steady trend are taken out too (see the module).
    ``before``/``after`` are the levels either side of the cut, the trend at the cut included, the season
    not."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    n_series, n_periods = matrix.shape
    codes = direction_codes(direction, n_series)
    seasons = np.broadcast_to(np.asarray(0 if season is None else season, dtype=np.int64), (n_series,))
    adjusted = matrix.copy()
    for length in np.unique(seasons[(seasons > 0) & (n_periods >= 2 * seasons)]).tolist():
        rows = seasons == length
        adjusted[rows] -= seasonal_profile(matrix[rows], length)
    values_before_cleaning, adjusted = adjusted, without_spikes(adjusted)
    shifts = []
    for row, values in enumerate(adjusted):
        columns = np.flatnonzero(~np.isnan(values))
        if columns.size < max(min_history, 2 * min_size):
            continue
        signal = values[columns]
        times = columns.astype(float)
        raw = values_before_cleaning[row, columns]
        pen = bic_penalty(raw, penalty_factor) if penalty is None else penalty
        slope, bounds = min(
            (_trend_and_cuts(signal, times, pen, min_size, whole) for whole in (False, True)),
            key=lambda fit: fit[2],
        )[:2]
        level = signal - slope * times
        sigma = noise_sigma(raw)
        for start, cut, end in zip(bounds[:-2], bounds[1:-1], bounds[2:], strict=True):
            at_cut = slope * times[cut]
            before, after = float(level[start:cut].mean() + at_cut), float(level[cut:end].mean() + at_cut)
            shift = after - before
            shifts.append(
                LevelShift(
                    series=row,
                    position=int(columns[cut]),
                    before=before,
                    after=after,
                    shift=shift,
                    sigmas=float(abs(shift) / sigma) if sigma > 0 else float("inf"),
                    worse=bool(codes[row] == 0 or np.sign(shift) == -codes[row]),
                )
            )
    return shifts
