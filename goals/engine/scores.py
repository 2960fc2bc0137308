"""KPI scores from target, actual and cap, and their colour bands."""

from __future__ import annotations

from typing import Any

import numpy as np

from goals.engine.common import (
    AMBER_FROM,
    BAND_AMBER,
    BAND_GREEN,
    BAND_NONE,
    BAND_RED,
    DEFAULT_CAP,
    GREEN_FROM,
    HIGHER_BETTER,
    LOWER_BETTER,
    _floats,
    plain,
)


def kpi_scores(target: Any, actual: Any, direction: Any, cap: Any = DEFAULT_CAP) -> np.ndarray:
    """Scores of many KPIs at once; NaN where there is no data. See the module docstring for the rules.

    `direction` holds "higher_better"/"lower_better" per KPI (or one value for all); `cap` likewise.
    """
    t = _floats(target)
    n = t.shape[0]
    a = _floats(actual, n)
    c = _floats(cap, n)
    c = np.where(np.isfinite(c) & (c > 0), c, DEFAULT_CAP)
    d = np.asarray(direction if not isinstance(direction, str) else [direction] * n, dtype=object)
    if d.shape == (1,) and n != 1:
        d = np.repeat(d, n)
    if d.shape != (n,):
        raise ValueError(f"expected {n} directions, got {d.shape[0]}")
    lower = d == LOWER_BETTER
    unknown = ~(lower | (d == HIGHER_BETTER))
    if unknown.any():
        raise ValueError(f"unknown direction {d[unknown][0]!r}")

    valid = np.isfinite(t) & np.isfinite(a) & (t >= 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r_high = a / t
        r_low = t / a
    r_high = np.where(valid & (t > 0), r_high, np.nan)
    r_low = np.where(valid, np.where(a <= 0, c, r_low), np.nan)
    ratio = np.where(lower, r_low, r_high)
    # Overflow (a tiny divisor) gives ±inf, which the clamp turns into 0 or the cap, as the formula says.
    ratio = np.where(np.isnan(ratio), np.nan, np.minimum(np.maximum(ratio, 0.0), c))
    return 100.0 * ratio


def kpi_score(
    target: Any, actual: Any, direction: str = HIGHER_BETTER, cap: Any = DEFAULT_CAP
) -> float | None:
    """The score of one KPI, or None when it has no data."""
    return plain(kpi_scores([target], [actual], [direction], [cap])[0])




def bands(scores: Any) -> np.ndarray:
    """The colour band of each score (object array of "green", "amber", "red", "none")."""
    s = _floats(scores)
    out = np.full(s.shape, BAND_NONE, dtype=object)
    out[s >= GREEN_FROM] = BAND_GREEN
    out[(s >= AMBER_FROM) & (s < GREEN_FROM)] = BAND_AMBER
    out[s < AMBER_FROM] = BAND_RED
    return out


def band(score: float | None) -> str:
    return str(bands([score])[0])
