"""Quarter and year values derived from months and quarters by each KPI's aggregation rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from goals.engine.common import AGG_AVERAGE, AGG_LAST, AGG_SUM, AGGREGATIONS, _floats, to_plain

PERIOD_COLUMNS = ["kpi", "kind", "year", "quarter", "month", "target", "actual"]


def _aggregate(
    frame: pd.DataFrame, keys: list[str], rules: Mapping[int, str], order_col: str
) -> pd.DataFrame:
    """Aggregate target and actual of `frame` over `keys` by each KPI's rule, skipping missing values.

    One groupby computes sum, mean and last value of every group; each group then takes the one its
    KPI's rule names.
    """
    if frame.empty:
        return pd.DataFrame(columns=keys + ["target", "actual", "parts"])
    frame = frame.sort_values(keys + [order_col], kind="stable")
    grouped = frame.groupby(keys, sort=False)
    # min_count=1: a group with no value at all stays NaN (no data), never a silent 0.
    summed = grouped[["target", "actual"]].sum(min_count=1)
    mean = grouped[["target", "actual"]].mean()
    last = grouped[["target", "actual"]].last()  # last non-missing value in period order
    kpis = summed.index.get_level_values("kpi")
    rule = pd.Series(kpis, dtype=object).map(rules).to_numpy(dtype=object)
    out = pd.DataFrame(index=summed.index)
    for column in ("target", "actual"):
        by_sum = summed[column].to_numpy(dtype=float)
        by_last = last[column].to_numpy(dtype=float)
        by_mean = mean[column].to_numpy(dtype=float)
        out[column] = np.where(rule == AGG_AVERAGE, by_mean, np.where(rule == AGG_LAST, by_last, by_sum))
    out["parts"] = grouped["actual"].count().to_numpy()
    return out.reset_index()


def _direct_marks(values: pd.Series) -> pd.Series:
    return pd.Series(np.where(values.notna(), "direct", None), index=values.index, dtype=object)


def derive_period_values(rows: Any, rules: Mapping[int, str], *, upto: str = "year") -> pd.DataFrame:
    """Effective target/actual of every KPI for every month, quarter and year that has any data.

    rows: direct measurements as a DataFrame (or records) with columns kpi, kind ("month" | "quarter" |
    "year"), year, quarter, month, target, actual. rules: KPI id → "sum" | "average" | "last"
    (a KPI without a rule sums). Quarter values come from months, year values from (effective)
    quarters, wherever no direct value exists; a direct value wins field by field.

    Returns a DataFrame with the same columns plus source_target / source_actual ("direct" | "derived"
    | None) and parts (how many sub-periods had an actual, for derived rows). `upto` ("month" |
    "quarter" | "year") stops the derivation early when only finer periods are needed.
    """
    if not isinstance(rows, pd.DataFrame):
        rows = pd.DataFrame.from_records(list(rows), columns=PERIOD_COLUMNS)
    frame = rows.loc[:, PERIOD_COLUMNS].copy()
    for column in ("target", "actual"):
        frame[column] = _floats(frame[column].to_numpy(dtype=object)) if len(frame) else np.zeros(0)
    for column in ("kpi", "year", "quarter", "month"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    bad = set(pd.Series(list(rules.values()), dtype=object)) - set(AGGREGATIONS)
    if bad:
        raise ValueError(f"unknown aggregation rule {sorted(map(str, bad))[0]!r}")
    rule_map = {int(k): v for k, v in rules.items()}

    months = frame[frame["kind"] == "month"].copy()
    months["quarter"] = ((months["month"] - 1) // 3 + 1).astype("Int64")
    direct_q = frame[frame["kind"] == "quarter"]
    direct_y = frame[frame["kind"] == "year"]

    def combine(direct: pd.DataFrame, derived: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        d = direct.set_index(keys)[["target", "actual"]]
        g = derived.set_index(keys)[["target", "actual", "parts"]] if len(derived) else pd.DataFrame(
            columns=["target", "actual", "parts"]
        )
        idx = d.index.union(g.index) if len(g) else d.index
        d = d.reindex(idx)
        g = g.reindex(idx)
        out = pd.DataFrame(index=idx)
        for column in ("target", "actual"):
            dv = d[column].astype(float)
            gv = g[column].astype(float)
            out[column] = dv.where(dv.notna(), gv)
            out[f"source_{column}"] = pd.Series(
                np.where(dv.notna(), "direct", np.where(gv.notna(), "derived", None)), index=idx, dtype=object
            )
        out["parts"] = g["parts"]
        return out.reset_index()

    quarter_keys = ["kpi", "year", "quarter"]
    if upto == "month":
        quarters = direct_q.iloc[0:0].assign(source_target=None, source_actual=None, parts=np.nan)
    else:
        quarters = combine(direct_q, _aggregate(months, quarter_keys, rule_map, "month"), quarter_keys)
    if upto in ("month", "quarter"):
        years = direct_y.iloc[0:0].assign(source_target=None, source_actual=None, parts=np.nan)
    else:
        years = combine(direct_y, _aggregate(quarters, ["kpi", "year"], rule_map, "quarter"), ["kpi", "year"])

    month_out = months.assign(
        quarter=pd.array([pd.NA] * len(months), dtype="Int64"),
        source_target=_direct_marks(months["target"]),
        source_actual=_direct_marks(months["actual"]),
        parts=np.nan,
    )
    quarters = quarters.assign(kind="quarter", month=pd.array([pd.NA] * len(quarters), dtype="Int64"))
    years = years.assign(
        kind="year",
        quarter=pd.array([pd.NA] * len(years), dtype="Int64"),
        month=pd.array([pd.NA] * len(years), dtype="Int64"),
    )
    columns = PERIOD_COLUMNS + ["source_target", "source_actual", "parts"]
    pieces = [f.reindex(columns=columns) for f in (month_out, quarters, years) if len(f)]
    if not pieces:
        return pd.DataFrame(columns=columns)
    out = pd.concat(pieces, ignore_index=True)
    for column in ("source_target", "source_actual"):
        values = out[column].astype(object)
        out[column] = values.where(values.isin(["direct", "derived"]), None)
    return out


def period_value(rows: Any, rules: Mapping[int, str], *, kind: str, year: int, quarter: int | None = None,
                 month: int | None = None) -> dict[int, dict[str, Any]]:
    """Effective values of each KPI for one period: {kpi: {target, actual, source_target, source_actual}}.

    Plain data out (None for no data).
    """
    frame = derive_period_values(rows, rules, upto=kind)
    if frame.empty:
        return {}
    mask = (frame["kind"] == kind) & (frame["year"] == year)
    if kind == "quarter":
        mask &= frame["quarter"] == quarter
    elif kind == "month":
        mask &= frame["month"] == month
    picked = frame[mask.fillna(False).astype(bool)]
    out: dict[int, dict[str, Any]] = {}
    for kpi, target, actual, st, sa in zip(
        picked["kpi"].tolist(), to_plain(picked["target"].to_numpy(dtype=float)),
        to_plain(picked["actual"].to_numpy(dtype=float)), picked["source_target"].tolist(),
        picked["source_actual"].tolist(), strict=True,
    ):
        out[int(kpi)] = {"target": target, "actual": actual, "source_target": st, "source_actual": sa}
    return out


def aggregate_values(values: Iterable[float | None], rule: str) -> float | None:
    """One KPI's values over ordered sub-periods, aggregated by its rule (None = no data)."""
    if rule not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation rule {rule!r}")
    arr = _floats(list(values))
    present = arr[~np.isnan(arr)]
    if present.size == 0:
        return None
    if rule == AGG_SUM:
        return float(present.sum())
    if rule == AGG_AVERAGE:
        return float(present.mean())
    return float(present[-1])
