"""Pure scoring of KPIs and goal trees (DESIGN.md §6): numpy/pandas in, plain data out.

No ORM and no I/O here: selectors load rows with `values_list`, call these functions and hand the
results to pages and the API. Everything is vectorised over a whole period at once.

Rules, with the decisions this module makes where §6 is silent:

KPI score, from target T, actual A and cap c (default 1.2):
    higher_better: r = A / T          lower_better: r = T / A, and A = 0 gives r = c
    score = 100 · min(max(r, 0), c)
No data (NaN inside this module, ``None`` in every plain result; never a silent 0) when:
    - there is no measurement, no target or no actual (or a non-finite one);
    - higher_better with T = 0: the ratio is undefined, whatever the actual;
    - a negative target (either direction): the ratio of §6 would invert (a better actual would score
      lower), so the KPI has no data rather than a misleading score.
Zero-target decisions for lower_better (targets such as "zero accidents"):
    - T = 0, A = 0: the target is met exactly; A = 0 gives r = c, so the score is 100 · c.
    - T = 0, A > 0: r = 0 / A = 0, so the score is 0.
A negative actual: higher_better gives r < 0, clamped to 0; lower_better treats it like A = 0 (r = c),
so a lower actual never scores lower. With these rules a score is monotone in the actual.
A missing or non-positive cap falls back to the default 1.2.

Goal roll-up over one period's tree:
    a leaf's progress is its KPI score; a parent's is Σ w·p / Σ w over its children that have data
    (renormalised: children without data drop out of numerator and denominator).
    A parent none of whose children has data (or whose children with data all weigh 0) has no data.
    A parent's own KPI score is not mixed into its progress; pages show it beside the rolled-up value.
Weights must be finite and ≥ 0. A parent index outside the tree makes the node a root.

Colour bands (the same keys in pages and the API, see `band`/`bands`):
    green  score ≥ 100   (target met)
    amber  80 ≤ score < 100
    red    score < 80
    none   no data

Period aggregation (KPI rule sum | average | last): quarter values come from the months of the
quarter and year values from the quarters of the year, wherever no direct value exists. Target and
actual are aggregated independently over the periods that have a value (a sum over two reported
months of three is a quarter-to-date value); a direct value wins field by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


# --------------------------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------------------------- KPI scores


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


# --------------------------------------------------------------------------------------------- bands


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


# --------------------------------------------------------------------------------------------- roll-up


def tree_depths(parent_index: Any) -> np.ndarray:
    """Depth of every node (roots 0) by pointer jumping: O(n · log depth) vectorised steps.

    Raises ValueError on a cycle.
    """
    parent = np.asarray(parent_index, dtype=np.int64)
    n = parent.shape[0]
    parent = np.where((parent >= 0) & (parent < n), parent, -1)
    # depth[i] = number of steps from i to its root. Jump pointers double the stride each round.
    depth = np.where(parent >= 0, 1, 0).astype(np.int64)
    jump = parent.copy()
    for _ in range(64):
        live = jump >= 0
        if not live.any():
            return depth
        nxt = np.full(n, -1, dtype=np.int64)
        nxt[live] = jump[jump[live]]
        add = np.zeros(n, dtype=np.int64)
        add[live] = depth[jump[live]]
        # depth[jump] is the distance from jump to ITS jump target; sum distances along the doubled chain.
        depth = depth + np.where(live, add, 0)
        jump = nxt
        if depth.max(initial=0) > n:
            break
    raise ValueError("the goal tree has a cycle")


@dataclass(frozen=True)
class Rollup:
    """Arrays aligned with the input nodes."""

    progress: np.ndarray  # float, NaN = no data
    depth: np.ndarray  # int
    children: np.ndarray  # number of children
    children_with_data: np.ndarray  # number of children that have data (and weight > 0)
    coverage: np.ndarray  # Σ w of children with data / Σ w of all children (NaN for leaves)

    @property
    def is_leaf(self) -> np.ndarray:
        return self.children == 0


def rollup(parent_index: Any, weights: Any, leaf_scores: Any, *, depth: Any = None) -> Rollup:
    """Progress of every node of a tree in one vectorised pass, level by level from the bottom.

    parent_index: position of each node's parent in these arrays (-1 for a root);
    weights: weight of each node among its siblings; leaf_scores: the KPI score of each node (NaN for
    none) — used as the progress of leaves only. Levels are processed bottom-up with `np.bincount`
    and `np.fmin.at`/`np.fmax.at`; there is no per-node Python loop.
    """
    parent = np.asarray(parent_index, dtype=np.int64)
    n = parent.shape[0]
    parent = np.where((parent >= 0) & (parent < n), parent, -1)
    w = _floats(weights, n)
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and not negative")
    scores = _floats(leaf_scores, n)
    depth_arr = tree_depths(parent) if depth is None else np.asarray(depth, dtype=np.int64)
    if depth_arr.shape != (n,):
        raise ValueError("depth must have one entry per node")

    has_parent = parent >= 0
    children = np.bincount(parent[has_parent], minlength=n) if n else np.zeros(0, dtype=np.int64)
    weight_total = np.bincount(parent[has_parent], weights=w[has_parent], minlength=n) if n else np.zeros(0)
    is_leaf = children == 0

    progress = np.where(is_leaf, scores, np.nan)
    with_data = np.zeros(n, dtype=np.int64)
    weight_data = np.zeros(n, dtype=float)
    max_depth = int(depth_arr.max(initial=0))
    for level in range(max_depth, 0, -1):  # one vectorised step per level, never per node
        sel = (depth_arr == level) & has_parent & ~np.isnan(progress) & (w > 0)
        pidx = parent[sel]
        num = np.bincount(pidx, weights=w[sel] * progress[sel], minlength=n)
        den = np.bincount(pidx, weights=w[sel], minlength=n)
        lo = np.full(n, np.inf)
        hi = np.full(n, -np.inf)
        np.fmin.at(lo, pidx, progress[sel])
        np.fmax.at(hi, pidx, progress[sel])
        with_data += np.bincount(pidx, minlength=n)
        weight_data += den
        targets = (depth_arr == level - 1) & ~is_leaf
        with np.errstate(divide="ignore", invalid="ignore"):
            # A weighted mean lies within its inputs; the clip only removes float rounding at the edges.
            value = np.clip(num / den, lo, hi)
        progress[targets] = np.where(den[targets] > 0, value[targets], np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(is_leaf, np.nan, np.where(weight_total > 0, weight_data / weight_total, 0.0))
    return Rollup(progress=progress, depth=depth_arr, children=children, children_with_data=with_data,
                  coverage=coverage)


def parent_positions(ids: Any, parent_ids: Any) -> np.ndarray:
    """Map parent ids to positions in `ids` (-1 for None or an id outside the set) without a loop."""
    id_arr = np.asarray(ids, dtype=np.int64)
    pid = np.fromiter((np.nan if p is None else p for p in parent_ids), dtype=float, count=id_arr.shape[0])
    known = np.isfinite(pid)
    order = np.argsort(id_arr, kind="stable")
    sorted_ids = id_arr[order]
    wanted = np.where(known, pid, -1).astype(np.int64)
    at = np.searchsorted(sorted_ids, wanted)
    at = np.clip(at, 0, max(len(sorted_ids) - 1, 0))
    found = known & (len(sorted_ids) > 0)
    if len(sorted_ids):
        found &= sorted_ids[at] == wanted
    return np.where(found, order[at] if len(sorted_ids) else -1, -1).astype(np.int64)


@dataclass(frozen=True)
class NodeProgress:
    """Plain result for one goal."""

    progress: float | None
    band: str
    score: float | None  # the node's own KPI score (measured), shown beside a parent's rolled-up progress
    score_band: str
    is_leaf: bool
    children: int
    children_with_data: int


def rollup_by_id(
    ids: Sequence[int],
    parent_ids: Sequence[int | None],
    weights: Sequence[float],
    scores: Sequence[float | None],
) -> dict[int, NodeProgress]:
    """Roll up a tree given by ids; plain data out: {goal id: NodeProgress}."""
    id_arr = np.asarray(ids, dtype=np.int64)
    score_arr = _floats(scores, id_arr.shape[0])
    result = rollup(parent_positions(id_arr, parent_ids), weights, score_arr)
    progress_band = bands(result.progress)
    score_band = bands(score_arr)
    return {
        int(node): NodeProgress(
            progress=p, band=str(b), score=s, score_band=str(sb), is_leaf=c == 0, children=int(c),
            children_with_data=int(cd),
        )
        for node, p, b, s, sb, c, cd in zip(
            id_arr.tolist(), to_plain(result.progress), progress_band, to_plain(score_arr), score_band,
            result.children.tolist(), result.children_with_data.tolist(), strict=True,
        )
    }


# --------------------------------------------------------------------------------------------- periods

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
