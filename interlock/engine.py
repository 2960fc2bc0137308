"""The score engine of DESIGN.md §6: responsibility matrices and interlocked scorecards, one period at a time.

Pure and vectorised: columns in (numpy/pandas), plain data out; no ORM, no I/O. `interlock.selectors`
loads a tenant and period with a handful of bulk queries into `PeriodInputs`;
`interlock.services.scores_recompute` writes what `compute_period` returns as one new snapshot version.
Every scorecard of the period is computed at once (index look-ups, `np.bincount` and one `groupby`); there
is no per-scorecard loop in the computation. Only the final conversion into plain records walks the rows
(converting each column to a list once), because a record per row is the output.

Inputs (each a DataFrame, a mapping of column → sequence, or records; ids are integers, a missing id is
None/NaN):

    kpis          kpi, direction ("higher_better" | "lower_better"), cap
    measurements  kpi, target, actual            (one per KPI for the period; absent = no data)
    matrix_rows   matrix, kpi, unit, role ("lead" | "collaborating" | "support"), share,
                  eval_kpi (optional), row (optional id)
                  — the rows of the one matrix version in effect for each KPI in this period.
    scorecards    scorecard, subject (any hashable key, e.g. "unit:7"), unit (the unit whose matrix rows
                  apply: the subject unit, or the position's unit), rho (review weight 0–1)
    lines         scorecard, kpi, weight, role ("own" | "shared" | "reference"), threshold (optional),
                  line (optional id)
    ratings       subject, rater, value          (internal-customer ratings on the 1–5 scale; one row per
                  rating, or one row per rater holding that rater's mean — the mean is taken over rows)
    points        subject, points                (approved points of the period; summed per subject)

Rules (§6), with the decisions taken where §6 is silent:

- KPI score: `goals.engine.kpi_scores` (the one implementation). No measurement → no data (None).
- Matrix row: contribution = score of its evaluation KPI when set, else of K (an evaluation KPI without
  data gives no data, never K's score as a fallback); points = share × contribution / 100;
  shortfall = share × (100 − min(contribution, 100)) / 100. Composite index = Σ share × contribution / 100,
  None when any row of the matrix has no data.
- Line score: the subject unit's contribution score in K's matrix when its row there has an evaluation KPI,
  else K's score. A line "has data" when its score is not None.
- KPI part = Σ w·s / Σ w over own and shared lines with data and weight > 0. Own/shared lines with weight > 0
  and no data are listed (flag `no_data`) and the scorecard is incomplete. Reference lines never count
  (their weight is treated as 0). When no weighted line has data the KPI part is None and so are base and
  total (flag `no_kpi_data`): a total is never made of zeros standing in for missing data.
- Review part = (mean − 1) / 4 × 100, shown only with ≥ k distinct raters; otherwise ρ counts as 0 and the
  scorecard carries a `review_not_counted` flag with the reason (`no_ratings` | `below_threshold`; only
  when ρ > 0). The ratings' values are never part of the output below k.
- base = (1 − ρ') × KPI part + ρ' × review part (ρ' = effective ρ); points = Σ approved points clamped to
  ± cap (flag `points_clamped`); total = base + points.
- Special review: a reference line whose KPI's own score (K's score, the one agreed number) is under its
  threshold raises a `special_review` flag.
- Collaborative share = Σ weights of shared lines; under the tenant's minimum → `collaborative_share_low`.
- Double counting: a KPI may be a line of any number of scorecards; each line is computed on its own, so a
  line added to one scorecard changes no other scorecard.

Rounding (exact breakdowns): all arithmetic is in float64. Each scorecard's breakdown has one row per line
(contribution to the total = (1 − ρ') × w × s / Σw, 0 for lines that do not count), one review row
(ρ' × review part) and one points row. Values are then expressed in hundredths: each value × 100 is first
trimmed of float noise (rounded to 6 decimals), the total is rounded to a whole hundredth (half to even),
every row takes the floor of its value, and the hundredths still missing to reach the total go one each to
the rows with the largest remainders (largest-remainder method; ties by row order). The published `total`
and every row `value` are `Decimal`s with two places, and Σ row values == total exactly, by construction.
`kpi_part`, `review_part` and `base` are reported unrounded (floats); they explain, the rows add up.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from goals.engine import DEFAULT_CAP, HIGHER_BETTER, kpi_scores

ROLE_OWN, ROLE_SHARED, ROLE_REFERENCE = "own", "shared", "reference"
LINE_ROLES = (ROLE_OWN, ROLE_SHARED, ROLE_REFERENCE)
LEAD, COLLABORATING, SUPPORT = "lead", "collaborating", "support"
MATRIX_ROLES = (LEAD, COLLABORATING, SUPPORT)

SOURCE_KPI, SOURCE_EVALUATION = "kpi", "evaluation_kpi"

FLAG_NO_DATA = "no_data"
FLAG_NO_KPI_DATA = "no_kpi_data"
FLAG_REVIEW = "review_not_counted"
FLAG_SPECIAL_REVIEW = "special_review"
FLAG_POINTS_CLAMPED = "points_clamped"
FLAG_COLLAB_LOW = "collaborative_share_low"
REASON_NO_RATINGS = "no_ratings"
REASON_BELOW_K = "below_threshold"

DEFAULT_K = 5
DEFAULT_POINT_CAP = 10.0
DEFAULT_MIN_COLLABORATIVE = 20.0

_DIGITS = 6  # informative floats in the breakdown are rounded to this many places


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


def _columns(name: str, data: Any) -> dict[str, np.ndarray]:
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
    """Everything the engine reads for one tenant and period (see the module docstring for the columns)."""

    kpis: Any = None
    measurements: Any = None
    matrix_rows: Any = None
    scorecards: Any = None
    lines: Any = None
    ratings: Any = None
    points: Any = None

    def columns(self) -> dict[str, dict[str, np.ndarray]]:
        return {name: _columns(name, getattr(self, name)) for name in _COLUMNS}


# --------------------------------------------------------------------------------------------- helpers


def _num(values: Any) -> np.ndarray:
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


def _obj(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _ids(values: Any) -> np.ndarray:
    """Integer ids with -1 standing for none."""
    floats = _num(values)
    return np.where(np.isfinite(floats), floats, -1).astype(np.int64)


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted key in `keys` (unique), -1 when absent."""
    if len(keys) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    return pd.Index(keys).get_indexer(wanted).astype(np.int64)


def _take(values: np.ndarray, positions: np.ndarray, fill: Any = np.nan) -> np.ndarray:
    """values[positions], with `fill` where the position is -1."""
    extended = np.append(values, [fill])  # numpy widens the dtype when the fill needs it (NaN into ints)
    return extended[positions]


def _plain(value: float, digits: int | None = _DIGITS) -> float | None:
    if value != value:  # NaN
        return None
    return round(float(value), digits) if digits is not None else float(value)


def _plain_list(values: np.ndarray, digits: int | None = _DIGITS) -> list[float | None]:
    """Python floats (rounded to `digits`), None for NaN; vectorised."""
    arr = np.asarray(values, dtype=float)
    out = (np.round(arr, digits) if digits is not None else arr).astype(object)
    out[np.isnan(arr)] = None
    return out.tolist()


def _id_or_none(values: np.ndarray) -> list[int | None]:
    arr = np.asarray(values, dtype=np.int64)
    out = arr.astype(object)
    out[arr < 0] = None
    return out.tolist()


def _check_roles(values: np.ndarray, allowed: Sequence[str], what: str) -> None:
    bad = ~np.isin(values, np.asarray(allowed, dtype=object))
    if bad.any():
        raise ValueError(f"unknown {what} role {values[bad][0]!r}")


def largest_remainder_cents(
    values: np.ndarray, groups: np.ndarray, n_groups: int, totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Round `values` to whole hundredths so that, in every group, they add up to the group's rounded total.

    values: floats (units, not hundredths); groups: group of each value (0..n_groups-1); totals: the exact
    (unrounded) total of each group. Returns (cents per value, cents per group total) as int64 arrays.
    Groups whose total is NaN get 0 everywhere (callers blank them). Vectorised: one lexsort, no loop.
    """
    values = np.where(np.isfinite(values), values, 0.0)
    scaled = np.round(values * 100.0, _DIGITS)
    floor = np.floor(scaled)
    remainder = scaled - floor
    total_cents = np.rint(np.round(np.where(np.isfinite(totals), totals, 0.0) * 100.0, _DIGITS))
    floor_sum = np.bincount(groups, weights=floor, minlength=n_groups)
    count = np.bincount(groups, minlength=n_groups)
    missing = np.clip(total_cents - floor_sum, 0, count)
    total_cents = floor_sum + missing  # equal unless float noise pushed it outside [Σ floor, Σ floor + n]
    order = np.lexsort((np.arange(len(values)), -remainder, groups))
    starts = np.concatenate(([0], np.cumsum(count)[:-1])) if n_groups else np.zeros(0, dtype=np.int64)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values)) - starts[groups[order]]
    cents = floor + (rank < missing[groups])
    return cents.astype(np.int64), total_cents.astype(np.int64)


def _cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)  # 2880 → Decimal("28.80"), exponent −2 always


def _decimals(cents: np.ndarray) -> list[Decimal]:
    """Two-place Decimals for many hundredths; one Decimal per distinct value (they are immutable)."""
    unique, inverse = np.unique(np.asarray(cents, dtype=np.int64), return_inverse=True)
    made = [_cents_to_decimal(c) for c in unique.tolist()]
    return [made[i] for i in inverse.tolist()]


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class MatrixRowScore:
    row: int | None
    matrix: int
    kpi: int
    unit: int
    role: str
    share: float
    eval_kpi: int | None
    source: str
    contribution: float | None
    points: float | None
    shortfall: float | None


@dataclass(frozen=True)
class MatrixScore:
    matrix: int
    kpi: int
    composite: float | None
    complete: bool


@dataclass(frozen=True)
class ScorecardScore:
    scorecard: int
    subject: Hashable
    total: Decimal | None
    base: float | None
    kpi_part: float | None
    review_part: float | None  # None when not shown (below k or no ratings)
    rho: float
    rho_effective: float
    raters: int
    points_raw: float
    points: float
    collaborative_share: float
    incomplete: bool
    flags: list[dict[str, Any]] = field(default_factory=list)
    breakdown: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PeriodScores:
    """Plain results, plus the vectorised columns they were read from (for dashboards and benchmarks)."""

    kpi_scores: dict[int, float | None]
    matrix_rows: list[MatrixRowScore]
    matrices: list[MatrixScore]
    scorecards: list[ScorecardScore]
    columns: dict[str, dict[str, np.ndarray]] = field(repr=False, default_factory=dict)

    def frame(self, name: str) -> pd.DataFrame:
        """One of the vectorised intermediate tables as a DataFrame: kpis, matrix_rows, matrices,
        scorecards, lines."""
        return pd.DataFrame(self.columns[name])

    def scorecard(self, scorecard_id: int) -> ScorecardScore:
        for card in self.scorecards:
            if card.scorecard == scorecard_id:
                return card
        raise KeyError(scorecard_id)

    def matrix_row(self, matrix_id: int, unit_id: int) -> MatrixRowScore:
        for row in self.matrix_rows:
            if row.matrix == matrix_id and row.unit == unit_id:
                return row
        raise KeyError((matrix_id, unit_id))


# --------------------------------------------------------------------------------------------- compute


def score_kpis(kpis: Mapping[str, Any], measurements: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """KPI id → target, actual, score (NaN = no data), through the goals engine's one score function.

    Takes and returns columns ({name: array}); the KPIs come out in the order of `kpis`."""
    kpi_ids = _ids(kpis["kpi"])
    if len(np.unique(kpi_ids)) != len(kpi_ids):
        raise ValueError("kpis: a KPI appears twice")
    m_ids = _ids(measurements["kpi"])
    if len(np.unique(m_ids)) != len(m_ids):
        raise ValueError("measurements: more than one measurement for a KPI in the period")
    at = _lookup(m_ids, kpi_ids)
    target = _take(_num(measurements["target"]), at)
    actual = _take(_num(measurements["actual"]), at)
    direction = _obj(kpis["direction"])
    cap = _num(kpis["cap"])
    scores = kpi_scores(target, actual, direction, cap) if len(kpi_ids) else np.zeros(0)
    return {"kpi": kpi_ids, "target": target, "actual": actual, "score": scores}


def compute_period(inputs: PeriodInputs, params: EngineParams | None = None) -> PeriodScores:
    """Scores of every matrix and scorecard of one tenant and period. See the module docstring."""
    params = params or EngineParams()
    f = inputs.columns()
    k = max(int(params.anonymity_threshold), 1)
    cap = abs(float(params.point_cap))

    # ---- KPI scores --------------------------------------------------------------------------------
    kpi_frame = score_kpis(f["kpis"], f["measurements"])
    kpi_ids = kpi_frame["kpi"]
    kpi_score = kpi_frame["score"]

    # ---- matrix rows -------------------------------------------------------------------------------
    mr = f["matrix_rows"]
    m_matrix = _ids(mr["matrix"])
    m_kpi = _ids(mr["kpi"])
    m_unit = _ids(mr["unit"])
    m_role = _obj(mr["role"])
    _check_roles(m_role, MATRIX_ROLES, "matrix")
    m_share = _num(mr["share"])
    m_eval = _ids(mr["eval_kpi"])
    m_has_eval = m_eval >= 0
    m_score_kpi = np.where(m_has_eval, m_eval, m_kpi)
    m_contrib = _take(kpi_score, _lookup(kpi_ids, m_score_kpi))
    m_points = m_share * m_contrib / 100.0
    m_shortfall = m_share * (100.0 - np.minimum(m_contrib, 100.0)) / 100.0

    matrix_ids, matrix_code = (
        np.unique(m_matrix, return_inverse=True)
        if len(m_matrix)
        else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    )
    n_matrix = len(matrix_ids)
    composite = np.bincount(matrix_code, weights=np.nan_to_num(m_points), minlength=n_matrix)
    matrix_gaps = np.bincount(matrix_code, weights=np.isnan(m_contrib).astype(float), minlength=n_matrix)
    composite = np.where(matrix_gaps > 0, np.nan, composite)
    matrix_kpi = np.zeros(n_matrix, dtype=np.int64)
    matrix_kpi[matrix_code] = m_kpi
    if len(np.unique(np.stack([matrix_code, m_kpi]), axis=1).T) != n_matrix:
        raise ValueError("matrix_rows: a matrix's rows name different KPIs")
    if len(np.unique(matrix_kpi)) != n_matrix:
        raise ValueError("matrix_rows: more than one matrix in effect for a KPI")

    sc = f["scorecards"]
    s_ids = _ids(sc["scorecard"])
    n_cards = len(s_ids)
    if len(np.unique(s_ids)) != n_cards:
        raise ValueError("scorecards: a scorecard appears twice")
    s_unit = _ids(sc["unit"])
    s_rho = np.clip(np.nan_to_num(_num(sc["rho"])), 0.0, 1.0)
    s_subject = _obj(sc["subject"])
    ln = f["lines"]
    l_kpi = _ids(ln["kpi"])

    # (KPI, unit) → matrix row through integer codes: KPIs and units are factorised once over the matrix
    # rows and the lines/scorecards, so a key is one int64 and the look-up one hash join.
    kpi_codes, kpi_uniques = pd.factorize(np.concatenate([m_kpi, l_kpi]))
    unit_codes, unit_uniques = pd.factorize(np.concatenate([m_unit, s_unit]))
    n_units = max(len(unit_uniques), 1)
    row_keys = kpi_codes[: len(m_kpi)].astype(np.int64) * n_units + unit_codes[: len(m_unit)]
    if len(np.unique(row_keys)) != len(row_keys):
        raise ValueError("matrix_rows: a unit appears twice in the matrix of a KPI")
    s_unit_code = np.where(s_unit >= 0, unit_codes[len(m_unit) :], -1)
    l_kpi_code = kpi_codes[len(m_kpi) :].astype(np.int64)

    # ---- lines -------------------------------------------------------------------------------------
    l_card = _lookup(s_ids, _ids(ln["scorecard"]))
    if (l_card < 0).any():
        raise ValueError("lines: a line belongs to a scorecard that is not in the input")
    l_ids = _ids(ln["line"])
    l_role = _obj(ln["role"])
    _check_roles(l_role, LINE_ROLES, "line")
    l_weight_in = np.nan_to_num(_num(ln["weight"]))
    l_threshold = _num(ln["threshold"])
    l_kpi_pos = _lookup(kpi_ids, l_kpi)
    l_kpi_score = _take(kpi_score, l_kpi_pos)
    l_target = _take(kpi_frame["target"], l_kpi_pos)
    l_actual = _take(kpi_frame["actual"], l_kpi_pos)
    l_unit_code = s_unit_code[l_card] if len(l_card) else np.zeros(0, dtype=np.int64)
    l_row = np.where(l_unit_code >= 0, _lookup(row_keys, l_kpi_code * n_units + l_unit_code), -1)
    l_in_matrix = l_row >= 0
    l_uses_eval = l_in_matrix & _take(m_has_eval, l_row, False).astype(bool)
    l_score = np.where(l_uses_eval, _take(m_contrib, l_row), l_kpi_score)
    l_has_data = ~np.isnan(l_score)
    l_weighted = l_role != ROLE_REFERENCE
    l_weight = np.where(l_weighted, l_weight_in, 0.0)
    l_counts = l_weighted & l_has_data & (l_weight > 0)
    l_missing = l_weighted & ~l_has_data & (l_weight > 0)
    l_matrix_pos = _lookup(matrix_kpi, l_kpi)  # K's matrix (whether or not the unit has a row in it)

    sum_w = np.bincount(l_card, weights=np.where(l_counts, l_weight, 0.0), minlength=n_cards)
    sum_ws = np.bincount(
        l_card, weights=np.where(l_counts, l_weight * np.nan_to_num(l_score), 0.0), minlength=n_cards
    )
    incomplete = np.bincount(l_card, weights=l_missing.astype(float), minlength=n_cards) > 0
    collab_share = np.bincount(
        l_card, weights=np.where(l_role == ROLE_SHARED, l_weight, 0.0), minlength=n_cards
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        kpi_part = np.where(sum_w > 0, sum_ws / sum_w, np.nan)
    special = (l_role == ROLE_REFERENCE) & np.isfinite(l_threshold) & (l_kpi_score < l_threshold)

    # ---- review part -------------------------------------------------------------------------------
    rt = f["ratings"]
    r_value = _num(rt["value"])
    valid = np.isfinite(r_value)
    if valid.any():
        rt = pd.DataFrame(
            {
                "subject": _obj(rt["subject"])[valid],
                "rater": _obj(rt["rater"])[valid],
                "value": r_value[valid],
            }
        )
        grouped = rt.groupby("subject", sort=False)
        review = pd.DataFrame({"mean": grouped["value"].mean(), "raters": grouped["rater"].nunique()})
        at = _lookup(review.index.to_numpy(dtype=object), s_subject)
        r_mean = _take(review["mean"].to_numpy(dtype=float), at)
        r_raters = _take(review["raters"].to_numpy(dtype=float), at, 0.0).astype(np.int64)
    else:
        r_mean = np.full(n_cards, np.nan)
        r_raters = np.zeros(n_cards, dtype=np.int64)
    shown = r_raters >= k
    review_part = np.where(shown, (r_mean - 1.0) / 4.0 * 100.0, np.nan)
    rho_eff = np.where(shown, s_rho, 0.0)

    # ---- points ------------------------------------------------------------------------------------
    pt = f["points"]
    p_value = np.nan_to_num(_num(pt["points"]))
    if len(p_value):
        sums = pd.Series(p_value).groupby(_obj(pt["subject"]), sort=False).sum()
        points_raw = _take(
            sums.to_numpy(dtype=float), _lookup(sums.index.to_numpy(dtype=object), s_subject), 0.0
        )
    else:
        points_raw = np.zeros(n_cards)
    points = np.clip(points_raw, -cap, cap)

    # ---- totals ------------------------------------------------------------------------------------
    base = (1.0 - rho_eff) * kpi_part + rho_eff * np.nan_to_num(review_part)
    total = base + points  # NaN exactly where the KPI part is None

    # ---- breakdown rows: lines, then one review and one points row per scorecard ---------------------
    with np.errstate(divide="ignore", invalid="ignore"):
        line_value = (
            np.where(
                l_counts, (1.0 - rho_eff[l_card]) * l_weight * np.nan_to_num(l_score) / sum_w[l_card], 0.0
            )
            if len(l_card)
            else np.zeros(0)
        )
        line_share = np.where(l_counts, l_weight / sum_w[l_card] * 100.0, 0.0) if len(l_card) else np.zeros(0)
    card_range = np.arange(n_cards)
    values = np.concatenate([line_value, rho_eff * np.nan_to_num(review_part), points])
    groups = np.concatenate([l_card, card_range, card_range]).astype(np.int64)
    cents, total_cents = largest_remainder_cents(values, groups, n_cards, total)
    n_lines = len(l_card)
    line_cents, review_cents, points_cents = (
        cents[:n_lines],
        cents[n_lines : n_lines + n_cards],
        cents[n_lines + n_cards :],
    )

    frames = {
        "kpis": kpi_frame,
        "matrix_rows": dict(
            {
                "matrix": m_matrix,
                "kpi": m_kpi,
                "unit": m_unit,
                "role": m_role,
                "share": m_share,
                "eval_kpi": m_eval,
                "contribution": m_contrib,
                "points": m_points,
                "shortfall": m_shortfall,
            }
        ),
        "matrices": dict({"matrix": matrix_ids, "kpi": matrix_kpi, "composite": composite}),
        "scorecards": dict(
            {
                "scorecard": s_ids,
                "subject": s_subject,
                "kpi_part": kpi_part,
                "review_part": review_part,
                "rho_effective": rho_eff,
                "raters": r_raters,
                "base": base,
                "points_raw": points_raw,
                "points": points,
                "total": total,
                "total_cents": np.where(np.isfinite(total), total_cents, -1),
                "incomplete": incomplete,
                "collaborative_share": collab_share,
            }
        ),
        "lines": dict(
            {
                "scorecard": _take(s_ids, l_card, -1),
                "line": l_ids,
                "kpi": l_kpi,
                "role": l_role,
                "weight": l_weight,
                "kpi_score": l_kpi_score,
                "score": l_score,
                "counts": l_counts,
                "value_cents": line_cents,
                "special_review": special,
            }
        ),
    }

    # ---- plain records -----------------------------------------------------------------------------
    kpi_plain = dict(zip(kpi_ids.tolist(), _plain_list(kpi_score, None), strict=True))
    row_ids = _id_or_none(_ids(mr["row"]))
    matrix_rows = [
        MatrixRowScore(
            row=rid,
            matrix=mx,
            kpi=kp,
            unit=un,
            role=ro,
            share=sh,
            eval_kpi=ev,
            source=SOURCE_EVALUATION if ev is not None else SOURCE_KPI,
            contribution=co,
            points=po,
            shortfall=sf,
        )
        for rid, mx, kp, un, ro, sh, ev, co, po, sf in zip(
            row_ids,
            m_matrix.tolist(),
            m_kpi.tolist(),
            m_unit.tolist(),
            m_role.tolist(),
            _plain_list(m_share, None),
            _id_or_none(m_eval),
            _plain_list(m_contrib, None),
            _plain_list(m_points, None),
            _plain_list(m_shortfall, None),
            strict=True,
        )
    ]
    matrices = [
        MatrixScore(matrix=mx, kpi=kp, composite=co, complete=co is not None)
        for mx, kp, co in zip(
            matrix_ids.tolist(), matrix_kpi.tolist(), _plain_list(composite, None), strict=True
        )
    ]

    # Line rows grouped by scorecard, in input order within each scorecard.
    order = np.argsort(l_card, kind="stable")
    bounds = np.searchsorted(l_card[order], np.arange(n_cards + 1)) if n_lines else np.zeros(n_cards + 1, int)
    line_rows = _line_records(
        order=order,
        l_ids=l_ids,
        l_kpi=l_kpi,
        l_role=l_role,
        l_weight=l_weight,
        l_threshold=l_threshold,
        l_target=l_target,
        l_actual=l_actual,
        l_kpi_score=l_kpi_score,
        l_score=l_score,
        l_uses_eval=l_uses_eval,
        l_row=l_row,
        l_matrix_pos=l_matrix_pos,
        matrix_ids=matrix_ids,
        m_role=m_role,
        m_share=m_share,
        m_eval=m_eval,
        line_share=line_share,
        line_values=_decimals(line_cents[order]),
        l_counts=l_counts,
        l_has_data=l_has_data,
    )
    # Line flags are sparse: walk only the flagged lines (no-data lines first, then special reviews).
    line_flags: dict[int, list[dict[str, Any]]] = {}
    missing_at = order[l_missing[order]]
    for card, line, kpi in zip(
        l_card[missing_at].tolist(), _id_or_none(l_ids[missing_at]), l_kpi[missing_at].tolist(), strict=True
    ):
        line_flags.setdefault(card, []).append({"code": FLAG_NO_DATA, "line": line, "kpi": kpi})
    special_at = order[special[order]]
    for card, line, kpi, score, threshold in zip(
        l_card[special_at].tolist(),
        _id_or_none(l_ids[special_at]),
        l_kpi[special_at].tolist(),
        _plain_list(l_kpi_score[special_at]),
        _plain_list(l_threshold[special_at]),
        strict=True,
    ):
        line_flags.setdefault(card, []).append(
            {"code": FLAG_SPECIAL_REVIEW, "line": line, "kpi": kpi, "score": score, "threshold": threshold}
        )
    review_flag = (s_rho > 0) & (r_raters < k)
    clamped = points_raw != points
    collab_low = collab_share < params.min_collaborative_weight
    has_total = np.isfinite(total)
    cards = []
    for i, (
        sid,
        subject,
        rho,
        rho_e,
        rp,
        raters,
        kp,
        bs,
        praw,
        pts,
        coll,
        inc,
        ok,
        tv,
        rv,
        pv,
        rf,
        cl,
        lo,
    ) in enumerate(
        zip(
            s_ids.tolist(),
            s_subject.tolist(),
            s_rho.tolist(),
            rho_eff.tolist(),
            _plain_list(review_part, None),
            r_raters.tolist(),
            _plain_list(kpi_part, None),
            _plain_list(base, None),
            points_raw.tolist(),
            points.tolist(),
            collab_share.tolist(),
            incomplete.tolist(),
            has_total.tolist(),
            _decimals(total_cents),
            _decimals(review_cents),
            _decimals(points_cents),
            review_flag.tolist(),
            clamped.tolist(),
            collab_low.tolist(),
            strict=True,
        )
    ):
        rows = line_rows[bounds[i] : bounds[i + 1]]
        flags = line_flags.get(i, [])
        if rf:
            reason = REASON_NO_RATINGS if raters == 0 else REASON_BELOW_K
            flags.append({"code": FLAG_REVIEW, "reason": reason, "k": k, "rho": rho})
        if cl:
            flags.append({"code": FLAG_POINTS_CLAMPED, "raw": _plain(praw), "cap": cap})
        if lo:
            flags.append(
                {"code": FLAG_COLLAB_LOW, "share": _plain(coll), "minimum": params.min_collaborative_weight}
            )
        rows.append(
            {
                "kind": "review",
                "rho": rho,
                "rho_effective": rho_e,
                "review_part": rp,
                "shown": rp is not None,
                "value": rv,
            }
        )
        rows.append({"kind": "points", "raw": _plain(praw), "cap": cap, "points": _plain(pts), "value": pv})
        if not ok:
            flags.append({"code": FLAG_NO_KPI_DATA})
            rows = [{**row, "value": None} for row in rows]
        cards.append(
            ScorecardScore(
                scorecard=sid,
                subject=subject,
                total=tv if ok else None,
                base=bs,
                kpi_part=kp,
                review_part=rp,
                rho=rho,
                rho_effective=rho_e,
                raters=raters,
                points_raw=praw,
                points=pts,
                collaborative_share=coll,
                incomplete=inc,
                flags=flags,
                breakdown=rows,
            )
        )
    return PeriodScores(
        kpi_scores=kpi_plain, matrix_rows=matrix_rows, matrices=matrices, scorecards=cards, columns=frames
    )


def _line_records(
    *,
    order,
    l_ids,
    l_kpi,
    l_role,
    l_weight,
    l_threshold,
    l_target,
    l_actual,
    l_kpi_score,
    l_score,
    l_uses_eval,
    l_row,
    l_matrix_pos,
    matrix_ids,
    m_role,
    m_share,
    m_eval,
    line_share,
    line_values,
    l_counts,
    l_has_data,
) -> list[dict[str, Any]]:
    """One breakdown dict per line, already in scorecard order (each column converted to a list once)."""
    in_matrix = l_row >= 0
    row_role = np.where(in_matrix, _take(m_role, l_row, None), None)
    row_share = np.where(in_matrix, _take(m_share, l_row), np.nan)
    eval_kpi = np.where(l_uses_eval, _take(m_eval, l_row, -1), -1)
    matrix = np.where(l_matrix_pos >= 0, _take(matrix_ids, l_matrix_pos, -1), -1)
    source = np.where(l_uses_eval, SOURCE_EVALUATION, SOURCE_KPI)
    columns = zip(
        _id_or_none(l_ids[order]),
        l_kpi[order].tolist(),
        l_role[order].tolist(),
        _plain_list(l_weight[order]),
        _plain_list(l_threshold[order]),
        _plain_list(l_target[order], None),
        _plain_list(l_actual[order], None),
        _plain_list(l_kpi_score[order]),
        _plain_list(l_score[order]),
        source[order].tolist(),
        _id_or_none(eval_kpi[order]),
        _id_or_none(matrix[order]),
        row_role[order].tolist(),
        _plain_list(row_share[order]),
        _plain_list(line_share[order]),
        l_counts[order].tolist(),
        l_has_data[order].tolist(),
        line_values,
        strict=True,
    )
    return [
        {
            "kind": "line",
            "line": lid,
            "kpi": kpi,
            "role": role,
            "weight": weight,
            "threshold": threshold,
            "target": target,
            "actual": actual,
            "kpi_score": kscore,
            "score": score,
            "source": src,
            "eval_kpi": ev,
            "matrix": mx,
            "matrix_role": mrole,
            "share": share,
            "weight_in_kpi_part": wshare,
            "counts": counts,
            "has_data": has_data,
            "value": value,
        }
        for (
            lid,
            kpi,
            role,
            weight,
            threshold,
            target,
            actual,
            kscore,
            score,
            src,
            ev,
            mx,
            mrole,
            share,
            wshare,
            counts,
            has_data,
            value,
        ) in columns
    ]
