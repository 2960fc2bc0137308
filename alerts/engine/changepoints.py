"""Level shifts in KPI series: the nightly change-point pass (ruptures, PELT on the least-squares cost).

The robust z of `anomaly` sees a step only while the history window still holds the old level; this pass
finds where a series' mean moved, once, however long ago, and says by how much and whether for the worse.

Penalty: BIC-style, ``penalty_factor · σ² · ln(n)`` per change in the least-squares cost. The textbook BIC
counts two parameters per change (where it is, and the new mean): factor 2. PELT tries every position, and
on 36-point series of pure noise factor 2 cut 18 % of them (tried on 200 such series: 37), factor 5 0.5 %
(1), with the same recall on 3σ shifts (194 of 200 found at the planted point at both): the default is 5.
A larger factor finds fewer, larger shifts; a tenant can tune it, or pass ``penalty`` outright. σ is
estimated robustly from the first differences (1.4826 · MAD / √2: a step moves one difference, the noise
moves all of them), so the penalty follows each series' own noise.

ruptures' ``KernelCPD`` with the linear kernel is this least-squares cost with PELT written in C (the same
breakpoints as ``Pelt(model="l2")``, ~70× faster: ~0.3 ms for a 36-point series). It has no batched form:
one fit per series, a nightly job, not the per-evaluation check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import ruptures

from .anomaly import BOTH, DEFAULT_MIN_HISTORY, MAD_TO_SIGMA, direction_codes

DEFAULT_PENALTY_FACTOR = 5.0
DEFAULT_MIN_SIZE = 3


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


def level_shifts(
    matrix,
    *,
    direction=BOTH,
    penalty: float | None = None,
    penalty_factor: float = DEFAULT_PENALTY_FACTOR,
    min_size: int = DEFAULT_MIN_SIZE,
    min_history: int = DEFAULT_MIN_HISTORY,
) -> list[LevelShift]:
    """Every level shift in every series (rows of ``matrix``, NaN where missing: the missing points are left
    out, positions refer to the matrix's columns). A series with fewer than ``min_history`` valid points, or
    fewer than two segments' worth (2 · ``min_size``), gets none. ``worse`` is true for a shift in the bad
    direction (any shift for ``both``)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    codes = direction_codes(direction, matrix.shape[0])
    shifts = []
    for row, values in enumerate(matrix):
        columns = np.flatnonzero(~np.isnan(values))
        if columns.size < max(min_history, 2 * min_size):
            continue
        signal = values[columns]
        pen = bic_penalty(signal, penalty_factor) if penalty is None else penalty
        ends = ruptures.KernelCPD(kernel="linear", min_size=min_size).fit(signal).predict(pen=pen)
        bounds = [0, *ends]
        sigma = noise_sigma(signal)
        for start, cut, end in zip(bounds[:-2], bounds[1:-1], bounds[2:], strict=True):
            before, after = float(np.mean(signal[start:cut])), float(np.mean(signal[cut:end]))
            shift = after - before
            worse = bool(codes[row] == 0 or np.sign(shift) == -codes[row])
            shifts.append(
                LevelShift(
                    series=row,
                    position=int(columns[cut]),
                    before=before,
                    after=after,
                    shift=shift,
                    sigmas=float(abs(shift) / sigma) if sigma > 0 else float("inf"),
                    worse=worse,
                )
            )
    return shifts
