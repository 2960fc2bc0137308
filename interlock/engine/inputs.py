"""What the engine reads: the tenant's parameters, one period's input tables, and the column helpers that turn
whatever a caller passes (DataFrames, mappings of sequences, records; None/NaN/Decimal/str values) into
plain numpy arrays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from goals.engine.common import DEFAULT_CAP, HIGHER_BETTER
from interlock.engine.constants import DEFAULT_K, DEFAULT_MIN_COLLABORATIVE, DEFAULT_POINT_CAP

Columns = dict[str, np.ndarray]  # a table: {column name: 1-d array}, all of one length


@dataclass(frozen=True)
class EngineParams:
    """The tenant's settings the engine needs."""

    anonymity_threshold: int = DEFAULT_K
    point_cap: float = DEFAULT_POINT_CAP
    min_collaborative_weight: float = DEFAULT_MIN_COLLABORATIVE


_COLUMNS: dict[str, dict[str, Any]] = {
    # name -> {column: default (None = required)}
    "kpis": {"kpi": None, "direction": HIGHER_BETTER, "cap": DEFAULT_CAP},
    "measurements": {"kpi": None, "target": None, "actual": None},
    "matrix_rows": {
        "matrix": None,
        "kpi": None,
        "unit": None,
        "role": None,
        "share": None,
        "eval_kpi": np.nan,
        "row": np.nan,
    },
    "scorecards": {"scorecard": None, "subject": None, "unit": np.nan, "rho": 0.0},
    "lines": {
        "scorecard": None,
        "kpi": None,
        "weight": 0.0,
        "role": None,
        "threshold": np.nan,
        "line": np.nan,
    },
    "ratings": {"subject": None, "rater": None, "value": None},
    "points": {"subject": None, "points": None},
}


def _columns(name: str, data: Any) -> Columns:
    """The input as {column: 1-d array} with exactly the engine's columns (optional ones get defaults).

    Accepts a DataFrame, a mapping of column → sequence, or records (anything `pd.DataFrame` accepts).
    """
    spec = _COLUMNS[name]
    if data is None:
        data = {}
    if isinstance(data, pd.DataFrame):
        given = {column: data[column].to_numpy() for column in data.columns}
        n = len(data)
    elif isinstance(data, Mapping):
        given = {
            column: np.asarray(values) if not isinstance(values, np.ndarray) else values
            for column, values in data.items()
        }
        lengths = {len(values) for values in given.values()}
        if len(lengths) > 1:
            raise ValueError(f"{name}: columns of different lengths")
        n = lengths.pop() if lengths else 0
    else:
        return _columns(name, pd.DataFrame(data))
    missing = [column for column, default in spec.items() if column not in given and default is None]
    if missing and given:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    return {
        column: given[column]
        if column in given
        else np.full(
            n, np.nan if default is None else default, dtype=object if isinstance(default, str) else float
        )
        for column, default in spec.items()
    }


@dataclass
class PeriodInputs:
    """Everything the engine reads for one tenant and period (see `interlock.engine` for the columns)."""

    kpis: Any = None
    measurements: Any = None
    matrix_rows: Any = None
    scorecards: Any = None
    lines: Any = None
    ratings: Any = None
    points: Any = None

    def columns(self) -> dict[str, Columns]:
        return {name: _columns(name, getattr(self, name)) for name in _COLUMNS}


# --------------------------------------------------------------------------------------------- columns


def as_floats(values: Any) -> np.ndarray:
    """Floats; None, Decimal, strings and NaN handled (anything non-numeric becomes NaN)."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        values = np.asarray(values, dtype=object)
    arr = np.asarray(values)
    if arr.dtype.kind in "iuf":
        return arr.astype(float)
    try:
        return np.asarray(arr, dtype=float)  # None → NaN, Decimal → float
    except (TypeError, ValueError):
        series = pd.Series(np.asarray(arr, dtype=object))
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def as_objects(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=object)


def as_ids(values: Any) -> np.ndarray:
    """Integer ids with -1 standing for none."""
    floats = as_floats(values)
    return np.where(np.isfinite(floats), floats, -1).astype(np.int64)


def lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted key in `keys` (unique), -1 when absent."""
    if len(keys) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    return pd.Index(keys).get_indexer(wanted).astype(np.int64)


def take(values: np.ndarray, positions: np.ndarray, fill: Any = np.nan) -> np.ndarray:
    """values[positions], with `fill` where the position is -1."""
    extended = np.append(values, [fill])  # numpy widens the dtype when the fill needs it (NaN into ints)
    return extended[positions]


def check_roles(values: np.ndarray, allowed: Sequence[str], what: str) -> None:
    bad = ~np.isin(values, np.asarray(allowed, dtype=object))
    if bad.any():
        raise ValueError(f"unknown {what} role {values[bad][0]!r}")
