"""What the goals engine modules share: directions, bands and aggregation rules, and array helpers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

DEFAULT_CAP = 1.2
HIGHER_BETTER = "higher_better"
LOWER_BETTER = "lower_better"
DIRECTIONS = (HIGHER_BETTER, LOWER_BETTER)

GREEN_FROM = 100.0
AMBER_FROM = 80.0
BAND_GREEN, BAND_AMBER, BAND_RED, BAND_NONE = "green", "amber", "red", "none"
BANDS = (BAND_GREEN, BAND_AMBER, BAND_RED, BAND_NONE)

AGG_SUM, AGG_AVERAGE, AGG_LAST = "sum", "average", "last"
AGGREGATIONS = (AGG_SUM, AGG_AVERAGE, AGG_LAST)




def _floats(values: Any, n: int | None = None) -> np.ndarray:
    """A float array where None, NaN and anything non-numeric become NaN."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        out = values.astype(float, copy=False)
    else:
        out = pd.to_numeric(pd.Series(list(values) if not np.isscalar(values) else [values], dtype=object),
                            errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if n is not None and out.shape != (n,):
        if out.shape == (1,):
            return np.full(n, out[0])
        raise ValueError(f"expected {n} values, got {out.shape[0]}")
    return out


def to_plain(values: np.ndarray, digits: int | None = None) -> list[float | None]:
    """Floats for the outside world: NaN becomes None, optionally rounded."""
    arr = np.asarray(values, dtype=float)
    if digits is not None:
        arr = np.round(arr, digits)
    out = arr.astype(object)
    out[np.isnan(arr)] = None
    return out.tolist()


def plain(value: float | None, digits: int | None = None) -> float | None:
    """One float for the outside world: NaN/None becomes None."""
    if value is None:
        return None
    value = float(value)
    if value != value:
        return None
    return round(value, digits) if digits is not None else value
