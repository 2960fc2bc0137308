"""The score engine of DESIGN.md §6: responsibility matrices and interlocked scorecards, one period at a time.

Pure and vectorised: columns in (numpy/pandas), plain data out; no ORM, no I/O. `interlock.selectors`
loads a tenant and period with a handful of bulk queries into `PeriodInputs`;
`interlock.services.scores_recompute` writes what `compute_period` returns as one new snapshot version.
Every scorecard of the period is computed at once (index look-ups, `np.bincount` and one `groupby`); there
is no per-scorecard loop in the computation, and `compute_period` returns columns (`PeriodScores`). Plain
records (a dict per breakdown row) are built only when asked for (pages, what-if, tests); the snapshot
writer asks for JSON text instead (`breakdown_documents`, `flag_documents`), made from the columns with
each distinct value formatted once, so a 200,000-line period never becomes 200,000 dicts.

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

import json
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
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


@dataclass(frozen=True, eq=False)
class PeriodScores:
    """What `compute_period` returns: the vectorised columns, with plain records built from them on demand.

    `columns` holds five tables of equal-length numpy arrays: kpis, matrix_rows, matrices, scorecards and
    lines (the lines grouped by scorecard, in input order within each; `scorecards["first_line"]` and
    `["end_line"]` bound each scorecard's lines). The plain records (`scorecards`, `matrix_rows`,
    `matrices`, `kpi_scores`) are built on first access; the snapshot writer never builds them and
    serialises straight from the columns (`breakdown_documents`, `flag_documents`)."""

    columns: dict[str, dict[str, np.ndarray]] = field(repr=False)
    params: EngineParams = field(default_factory=EngineParams)

    def frame(self, name: str) -> pd.DataFrame:
        """One of the vectorised tables as a DataFrame: kpis, matrix_rows, matrices, scorecards, lines."""
        return pd.DataFrame(self.columns[name])

    @cached_property
    def kpi_scores(self) -> dict[int, float | None]:
        kpis = self.columns["kpis"]
        return dict(zip(kpis["kpi"].tolist(), _plain_list(kpis["score"], None), strict=True))

    @cached_property
    def matrix_rows(self) -> list[MatrixRowScore]:
        m = self.columns["matrix_rows"]
        return [
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
                _id_or_none(m["row"]),
                m["matrix"].tolist(),
                m["kpi"].tolist(),
                m["unit"].tolist(),
                m["role"].tolist(),
                _plain_list(m["share"], None),
                _id_or_none(m["eval_kpi"]),
                _plain_list(m["contribution"], None),
                _plain_list(m["points"], None),
                _plain_list(m["shortfall"], None),
                strict=True,
            )
        ]

    @cached_property
    def matrices(self) -> list[MatrixScore]:
        m = self.columns["matrices"]
        return [
            MatrixScore(matrix=mx, kpi=kp, composite=co, complete=co is not None)
            for mx, kp, co in zip(
                m["matrix"].tolist(), m["kpi"].tolist(), _plain_list(m["composite"], None), strict=True
            )
        ]

    @cached_property
    def scorecards(self) -> list[ScorecardScore]:
        return _scorecard_records(self.columns, self.params)

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

    def breakdown_documents(self) -> list[str]:
        """Each scorecard's breakdown as JSON text, in the compact stored form (see `BREAKDOWN_LINE_KEYS`)."""
        return _breakdown_documents(self.columns, self.params)

    def flag_documents(self) -> list[str]:
        """Each scorecard's flags as JSON text (a list of flag objects)."""
        return _flag_documents(self.columns, self.params)


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

    # Lines grouped by scorecard (input order within each), so a scorecard's lines are one slice.
    grouped = n_lines == 0 or bool((l_card[1:] >= l_card[:-1]).all())  # the selectors' order already
    order = None if grouped else np.argsort(l_card, kind="stable")
    sorted_card = l_card if order is None else l_card[order]
    bounds = np.searchsorted(sorted_card, np.arange(n_cards + 1)) if n_lines else np.zeros(n_cards + 1, int)
    in_matrix = l_row >= 0
    lines = {
        "card": l_card,
        "scorecard": _take(s_ids, l_card, -1),
        "line": l_ids,
        "kpi": l_kpi,
        "kpi_pos": l_kpi_pos,
        "role": l_role,
        "weight": l_weight,
        "threshold": l_threshold,
        "target": l_target,
        "actual": l_actual,
        "kpi_score": l_kpi_score,
        "score": l_score,
        "uses_eval": l_uses_eval,
        "row": l_row,
        "eval_kpi": np.where(l_uses_eval, _take(m_eval, l_row, -1), -1),
        "matrix": np.where(l_matrix_pos >= 0, _take(matrix_ids, l_matrix_pos, -1), -1),
        "matrix_pos": l_matrix_pos,
        "matrix_role": np.where(in_matrix, _take(m_role, l_row, None), None),
        "share": np.where(in_matrix, _take(m_share, l_row), np.nan),
        "weight_in_kpi_part": line_share,
        "counts": l_counts,
        "has_data": l_has_data,
        "missing": l_missing,
        "special_review": special,
        "value_cents": cents[:n_lines],
    }
    if order is not None:
        lines = {name: column[order] for name, column in lines.items()}
    columns = {
        "kpis": kpi_frame,
        "matrix_rows": {
            "row": _ids(mr["row"]),
            "matrix": m_matrix,
            "kpi": m_kpi,
            "unit": m_unit,
            "role": m_role,
            "share": m_share,
            "eval_kpi": m_eval,
            "contribution": m_contrib,
            "points": m_points,
            "shortfall": m_shortfall,
        },
        "matrices": {"matrix": matrix_ids, "kpi": matrix_kpi, "composite": composite},
        "scorecards": {
            "scorecard": s_ids,
            "subject": s_subject,
            "rho": s_rho,
            "rho_effective": rho_eff,
            "review_part": review_part,
            "raters": r_raters,
            "kpi_part": kpi_part,
            "base": base,
            "points_raw": points_raw,
            "points": points,
            "total": total,
            "has_total": np.isfinite(total),
            "total_cents": total_cents,
            "review_cents": cents[n_lines : n_lines + n_cards],
            "points_cents": cents[n_lines + n_cards :],
            "incomplete": incomplete,
            "collaborative_share": collab_share,
            "review_flag": (s_rho > 0) & (r_raters < k),
            "points_clamped": points_raw != points,
            "collaborative_low": collab_share < params.min_collaborative_weight,
            "first_line": bounds[:-1],
            "end_line": bounds[1:],
        },
        "lines": lines,
    }
    return PeriodScores(columns=columns, params=EngineParams(k, cap, params.min_collaborative_weight))


# --------------------------------------------------------------------------------------------- plain records


def _scorecard_records(
    columns: dict[str, dict[str, np.ndarray]], params: EngineParams
) -> list[ScorecardScore]:
    """One `ScorecardScore` per scorecard (a dict per breakdown row): for pages, what-if and tests."""
    sc, ln = columns["scorecards"], columns["lines"]
    k, cap = params.anonymity_threshold, params.point_cap
    line_rows = _line_records(ln)
    line_flags = _line_flags(ln)
    cards = []
    for i, (
        sid, subject, rho, rho_e, rp, raters, kp, bs, praw, pts, coll, inc, ok, tv, rv, pv, rf, cl, lo, a, b,
    ) in enumerate(
        zip(
            sc["scorecard"].tolist(),
            sc["subject"].tolist(),
            sc["rho"].tolist(),
            sc["rho_effective"].tolist(),
            _plain_list(sc["review_part"], None),
            sc["raters"].tolist(),
            _plain_list(sc["kpi_part"], None),
            _plain_list(sc["base"], None),
            sc["points_raw"].tolist(),
            sc["points"].tolist(),
            sc["collaborative_share"].tolist(),
            sc["incomplete"].tolist(),
            sc["has_total"].tolist(),
            _decimals(sc["total_cents"]),
            _decimals(sc["review_cents"]),
            _decimals(sc["points_cents"]),
            sc["review_flag"].tolist(),
            sc["points_clamped"].tolist(),
            sc["collaborative_low"].tolist(),
            sc["first_line"].tolist(),
            sc["end_line"].tolist(),
            strict=True,
        )
    ):  # fmt: skip
        rows = line_rows[a:b]
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
    return cards


def _line_flags(ln: dict[str, np.ndarray]) -> dict[int, list[dict[str, Any]]]:
    """Flags raised by lines, per scorecard position: its no-data lines first, then its special reviews."""
    flags: dict[int, list[dict[str, Any]]] = {}
    missing = ln["missing"]
    for card, line, kpi in zip(
        ln["card"][missing].tolist(),
        _id_or_none(ln["line"][missing]),
        ln["kpi"][missing].tolist(),
        strict=True,
    ):
        flags.setdefault(card, []).append({"code": FLAG_NO_DATA, "line": line, "kpi": kpi})
    special = ln["special_review"]
    for card, line, kpi, score, threshold in zip(
        ln["card"][special].tolist(),
        _id_or_none(ln["line"][special]),
        ln["kpi"][special].tolist(),
        _plain_list(ln["kpi_score"][special]),
        _plain_list(ln["threshold"][special]),
        strict=True,
    ):
        flags.setdefault(card, []).append(
            {"code": FLAG_SPECIAL_REVIEW, "line": line, "kpi": kpi, "score": score, "threshold": threshold}
        )
    return flags


# The keys of a breakdown's line rows, in order, by layout number. A stored breakdown names its layout
# ({"k": 1, "r": [[line values] | {other row}, …]}) instead of repeating the keys in each of 20,000
# documents. Never change a layout's keys: add a layout (old documents keep reading with theirs).
BREAKDOWN_LAYOUTS: dict[int, tuple[str, ...]] = {
    1: (
        "line",
        "kpi",
        "role",
        "weight",
        "threshold",
        "target",
        "actual",
        "kpi_score",
        "score",
        "source",
        "eval_kpi",
        "matrix",
        "matrix_role",
        "share",
        "weight_in_kpi_part",
        "counts",
        "has_data",
        "value",
    ),
}
BREAKDOWN_LAYOUT = 1
BREAKDOWN_LINE_KEYS = BREAKDOWN_LAYOUTS[BREAKDOWN_LAYOUT]


def _line_values(ln: dict[str, np.ndarray]) -> dict[str, list]:
    """The line rows' plain values, one list per key of `BREAKDOWN_LINE_KEYS` (each column converted once)."""
    return {
        "line": _id_or_none(ln["line"]),
        "kpi": ln["kpi"].tolist(),
        "role": ln["role"].tolist(),
        "weight": _plain_list(ln["weight"]),
        "threshold": _plain_list(ln["threshold"]),
        "target": _plain_list(ln["target"], None),
        "actual": _plain_list(ln["actual"], None),
        "kpi_score": _plain_list(ln["kpi_score"]),
        "score": _plain_list(ln["score"]),
        "source": np.where(ln["uses_eval"], SOURCE_EVALUATION, SOURCE_KPI).tolist(),
        "eval_kpi": _id_or_none(ln["eval_kpi"]),
        "matrix": _id_or_none(ln["matrix"]),
        "matrix_role": ln["matrix_role"].tolist(),
        "share": _plain_list(ln["share"]),
        "weight_in_kpi_part": _plain_list(ln["weight_in_kpi_part"]),
        "counts": ln["counts"].tolist(),
        "has_data": ln["has_data"].tolist(),
        "value": _decimals(ln["value_cents"]),
    }


def _line_records(ln: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """One breakdown dict per line, in scorecard order."""
    values = _line_values(ln)
    return [
        {"kind": "line", **dict(zip(BREAKDOWN_LINE_KEYS, row, strict=True))}
        for row in zip(*(values[key] for key in BREAKDOWN_LINE_KEYS), strict=True)
    ]


# --------------------------------------------------------------------------------------------- JSON text


_json = json.JSONEncoder(
    separators=(",", ":")
).encode  # one encoder: `json.dumps(…, separators=…)` builds one per call


def _float_json(value: float) -> str:
    """What `json.dumps` writes for a float (None for NaN), without its per-call overhead."""
    if value != value:
        return "null"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _coded(values: Any, digits: int | None = None, *, ids: bool = True) -> tuple[np.ndarray, list[str]]:
    """(code of each value, JSON literal of each code): the distinct values, found by hashing, are each
    formatted once.

    Floats: NaN → null, else the float rounded to `digits` (as `_plain_list`; distinct by bit pattern, so
    -0.0 stays itself); ints: negative → null when they are `ids`; bools: true/false; objects (str or
    None): `json.dumps`."""
    arr = np.asarray(values)
    if arr.dtype == bool:
        return arr.astype(np.int64), ["false", "true"]
    if arr.dtype.kind in "iu":
        codes, unique = pd.factorize(arr.astype(np.int64))
        made = list(map(str, unique.tolist()))
        if ids:
            made = ["null" if u < 0 else m for u, m in zip(unique.tolist(), made, strict=True)]
        return codes, made
    if arr.dtype.kind == "f":
        arr = np.ascontiguousarray(np.round(arr, digits) if digits is not None else arr, dtype=np.float64)
        codes, unique = pd.factorize(arr.view(np.int64))
        return codes, [_float_json(v) for v in np.ascontiguousarray(unique).view(np.float64).tolist()]
    codes, unique = pd.factorize(arr.astype(object))  # None → -1
    made = [_json(v) for v in unique.tolist()]
    return np.where(codes < 0, len(made), codes), [*made, "null"]


def _cents_coded(cents: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Two-place Decimal strings as JSON strings ("28.80"), null where `blank` (coded as `_coded`)."""
    blanked = np.where(blank, np.iinfo(np.int64).min, np.asarray(cents, dtype=np.int64))
    codes, unique = pd.factorize(blanked)
    return codes, [
        "null" if c == np.iinfo(np.int64).min else _json(str(_cents_to_decimal(c))) for c in unique.tolist()
    ]


def _literals_of(coded: tuple[np.ndarray, list[str]]) -> np.ndarray:
    codes, made = coded
    return np.array(made, dtype=object)[codes] if len(codes) else np.zeros(0, dtype=object)


def _literals(values: Any, digits: int | None = None, *, ids: bool = True) -> np.ndarray:
    """Each value as its JSON literal (object array of str); see `_coded`."""
    return _literals_of(_coded(values, digits, ids=ids))


def _joined(coded: Sequence[tuple[np.ndarray, list[str]]], n: int) -> np.ndarray:
    """Per element, the comma-joined literals of several coded columns; each distinct combination is
    joined once (the combinations are found by hashing the combined codes, one column at a time)."""
    key = np.zeros(n, dtype=np.int64)
    for codes, made in coded:
        key = pd.factorize(key * len(made) + codes)[0]  # stays < n, so the product never overflows
    if not n:
        return np.zeros(0, dtype=object)
    first = np.empty(int(key.max()) + 1, dtype=np.int64)
    first[key[::-1]] = np.arange(n - 1, -1, -1)  # the first element of each combination
    parts = [np.array(made, dtype=object)[codes[first]] for codes, made in coded]
    return np.array(list(map(",".join, zip(*parts, strict=True))), dtype=object)[key]


def _objects(fields: Sequence[tuple[str, Any]], *, spaced: bool = False) -> np.ndarray:
    """JSON objects, one per element: `fields` are (key, literal array or one literal for all), in order.
    `spaced` writes ", " and ": " as `json.dumps` does by default (the flags' text is searched for
    '"code": "…"'); otherwise the compact separators."""
    comma, colon = (", ", ": ") if spaced else (",", ":")
    out: Any = "{"
    for i, (key, literal) in enumerate(fields):
        out = out + ((comma if i else "") + _json(key) + colon)  # a str until the first array joins in
        out = out + (literal if isinstance(literal, str) else np.asarray(literal, dtype=object))
    return out + "}"


def _breakdown_documents(columns: dict[str, dict[str, np.ndarray]], params: EngineParams) -> list[str]:
    """JSON text of every scorecard's breakdown, {"k": layout, "r": [[line values], …, {review}, {points}]}
    — what `interlock.models.CompactRowsJSONField` stores and reads back as the plain rows.

    Built from the columns without a Python object per line value: each column's distinct values are
    formatted once, a line is the join of its literals, a document the join of its lines."""
    sc, ln = columns["scorecards"], columns["lines"]
    no_total = ~sc["has_total"]
    n = len(ln["card"])
    # Four parts per line: its id (distinct everywhere), then three runs of keys whose combinations repeat
    # (a KPI's values; the line's score and matrix; its weight, flags and value).
    line_parts = [
        _literals(ln["line"]),
        _joined(
            [
                _coded(ln["kpi"], ids=False),
                _coded(ln["role"]),
                _coded(ln["weight"], _DIGITS),
                _coded(ln["threshold"], _DIGITS),
                _coded(ln["target"]),
                _coded(ln["actual"]),
                _coded(ln["kpi_score"], _DIGITS),
            ],
            n,
        ),
        _joined(
            [
                _coded(ln["score"], _DIGITS),
                (ln["uses_eval"].astype(np.int64), [_json(SOURCE_KPI), _json(SOURCE_EVALUATION)]),
                _coded(ln["eval_kpi"]),
                _coded(ln["matrix"]),
                _coded(ln["matrix_role"]),
                _coded(ln["share"], _DIGITS),
            ],
            n,
        ),
        _joined(
            [
                _coded(ln["weight_in_kpi_part"], _DIGITS),
                _coded(ln["counts"]),
                _coded(ln["has_data"]),
                _cents_coded(ln["value_cents"], no_total[ln["card"]]),
            ],
            n,
        ),
    ]
    lines = list(map(",".join, zip(*line_parts, strict=True))) if n else []
    review = _objects(
        [
            ("kind", _json("review")),
            ("rho", _literals(sc["rho"])),
            ("rho_effective", _literals(sc["rho_effective"])),
            ("review_part", _literals(sc["review_part"])),
            ("shown", _literals(np.isfinite(sc["review_part"]))),
            ("value", _literals_of(_cents_coded(sc["review_cents"], no_total))),
        ]
    )
    points = _objects(
        [
            ("kind", _json("points")),
            ("raw", _literals(sc["points_raw"], _DIGITS)),
            ("cap", _json(params.point_cap)),
            ("points", _literals(sc["points"], _DIGITS)),
            ("value", _literals_of(_cents_coded(sc["points_cents"], no_total))),
        ]
    )
    head = '{"k":' + _json(BREAKDOWN_LAYOUT) + ',"r":['
    return [
        head + ("[" + "],[".join(lines[a:b]) + "]," if b > a else "") + rv + "," + pv + "]}"
        for a, b, rv, pv in zip(
            sc["first_line"].tolist(), sc["end_line"].tolist(), review.tolist(), points.tolist(), strict=True
        )
    ]


def _flag_documents(columns: dict[str, dict[str, np.ndarray]], params: EngineParams) -> list[str]:
    """JSON text of every scorecard's flags, in the order `ScorecardScore.flags` lists them."""
    sc, ln = columns["scorecards"], columns["lines"]
    n_cards = len(sc["scorecard"])
    missing, special = ln["missing"], ln["special_review"]
    review_flag, clamped, low, no_total = (
        sc["review_flag"], sc["points_clamped"], sc["collaborative_low"], ~sc["has_total"]
    )  # fmt: skip
    cards = np.arange(n_cards)
    reasons = np.where(sc["raters"][review_flag] == 0, _json(REASON_NO_RATINGS), _json(REASON_BELOW_K))
    # (cards, JSON objects) of each kind of flag, in the order a scorecard lists them; a stable sort by
    # (card, kind) interleaves them.
    parts = [
        (
            ln["card"][missing],
            [
                ("code", _json(FLAG_NO_DATA)),
                ("line", _literals(ln["line"][missing])),
                ("kpi", _literals(ln["kpi"][missing], ids=False)),
            ],
        ),
        (
            ln["card"][special],
            [
                ("code", _json(FLAG_SPECIAL_REVIEW)),
                ("line", _literals(ln["line"][special])),
                ("kpi", _literals(ln["kpi"][special], ids=False)),
                ("score", _literals(ln["kpi_score"][special], _DIGITS)),
                ("threshold", _literals(ln["threshold"][special], _DIGITS)),
            ],
        ),
        (
            cards[review_flag],
            [
                ("code", _json(FLAG_REVIEW)),
                ("reason", reasons.astype(object)),
                ("k", _json(params.anonymity_threshold)),
                ("rho", _literals(sc["rho"][review_flag])),
            ],
        ),
        (
            cards[clamped],
            [
                ("code", _json(FLAG_POINTS_CLAMPED)),
                ("raw", _literals(sc["points_raw"][clamped], _DIGITS)),
                ("cap", _json(params.point_cap)),
            ],
        ),
        (
            cards[low],
            [
                ("code", _json(FLAG_COLLAB_LOW)),
                ("share", _literals(sc["collaborative_share"][low], _DIGITS)),
                ("minimum", _json(params.min_collaborative_weight)),
            ],
        ),
        (cards[no_total], [("code", _json(FLAG_NO_KPI_DATA))]),
    ]
    parts = [
        (card, np.broadcast_to(np.asarray(_objects(fields, spaced=True), dtype=object), card.shape))
        for card, fields in parts
    ]
    flag_card = np.concatenate([card for card, _ in parts]).astype(np.int64)
    rank = np.concatenate([np.full(len(card), i) for i, (card, _) in enumerate(parts)])
    text = np.concatenate([np.asarray(literal, dtype=object) for _, literal in parts])
    order = np.lexsort((np.arange(len(flag_card)), rank, flag_card))
    text = text[order].tolist()
    bounds = np.searchsorted(flag_card[order], np.arange(n_cards + 1)).tolist()
    return ["[" + ", ".join(text[bounds[i] : bounds[i + 1]]) + "]" for i in range(n_cards)]
