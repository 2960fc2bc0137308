"""The computation: every matrix and scorecard of one tenant and period at once, columns in, columns out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from goals.engine import kpi_scores
from interlock.engine.constants import LINE_ROLES, MATRIX_ROLES, ROLE_REFERENCE, ROLE_SHARED
from interlock.engine.inputs import (
    EngineParams,
    PeriodInputs,
    as_floats,
    as_ids,
    as_objects,
    check_roles,
    lookup,
    take,
)
from interlock.engine.results import PeriodScores
from interlock.engine.rounding import largest_remainder_cents


def score_kpis(kpis: Mapping[str, Any], measurements: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """KPI id → target, actual, score (NaN = no data), through the goals engine's one score function.

    Takes and returns columns ({name: array}); the KPIs come out in the order of `kpis`."""
    kpi_ids = as_ids(kpis["kpi"])
    if len(np.unique(kpi_ids)) != len(kpi_ids):
        raise ValueError("kpis: a KPI appears twice")
    m_ids = as_ids(measurements["kpi"])
    if len(np.unique(m_ids)) != len(m_ids):
        raise ValueError("measurements: more than one measurement for a KPI in the period")
    at = lookup(m_ids, kpi_ids)
    target = take(as_floats(measurements["target"]), at)
    actual = take(as_floats(measurements["actual"]), at)
    direction = as_objects(kpis["direction"])
    cap = as_floats(kpis["cap"])
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
    m_matrix = as_ids(mr["matrix"])
    m_kpi = as_ids(mr["kpi"])
    m_unit = as_ids(mr["unit"])
    m_role = as_objects(mr["role"])
    check_roles(m_role, MATRIX_ROLES, "matrix")
    m_share = as_floats(mr["share"])
    m_eval = as_ids(mr["eval_kpi"])
    m_has_eval = m_eval >= 0
    m_score_kpi = np.where(m_has_eval, m_eval, m_kpi)
    m_contrib = take(kpi_score, lookup(kpi_ids, m_score_kpi))
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
    s_ids = as_ids(sc["scorecard"])
    n_cards = len(s_ids)
    if len(np.unique(s_ids)) != n_cards:
        raise ValueError("scorecards: a scorecard appears twice")
    s_unit = as_ids(sc["unit"])
    s_rho = np.clip(np.nan_to_num(as_floats(sc["rho"])), 0.0, 1.0)
    s_subject = as_objects(sc["subject"])
    ln = f["lines"]
    l_kpi = as_ids(ln["kpi"])

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
    l_card = lookup(s_ids, as_ids(ln["scorecard"]))
    if (l_card < 0).any():
        raise ValueError("lines: a line belongs to a scorecard that is not in the input")
    l_ids = as_ids(ln["line"])
    l_role = as_objects(ln["role"])
    check_roles(l_role, LINE_ROLES, "line")
    l_weight_in = np.nan_to_num(as_floats(ln["weight"]))
    l_threshold = as_floats(ln["threshold"])
    l_kpi_pos = lookup(kpi_ids, l_kpi)
    l_kpi_score = take(kpi_score, l_kpi_pos)
    l_target = take(kpi_frame["target"], l_kpi_pos)
    l_actual = take(kpi_frame["actual"], l_kpi_pos)
    l_unit_code = s_unit_code[l_card] if len(l_card) else np.zeros(0, dtype=np.int64)
    l_row = np.where(l_unit_code >= 0, lookup(row_keys, l_kpi_code * n_units + l_unit_code), -1)
    l_in_matrix = l_row >= 0
    l_uses_eval = l_in_matrix & take(m_has_eval, l_row, False).astype(bool)
    l_score = np.where(l_uses_eval, take(m_contrib, l_row), l_kpi_score)
    l_has_data = ~np.isnan(l_score)
    l_weighted = l_role != ROLE_REFERENCE
    l_weight = np.where(l_weighted, l_weight_in, 0.0)
    l_counts = l_weighted & l_has_data & (l_weight > 0)
    l_missing = l_weighted & ~l_has_data & (l_weight > 0)
    l_matrix_pos = lookup(matrix_kpi, l_kpi)  # K's matrix (whether or not the unit has a row in it)

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
    r_value = as_floats(rt["value"])
    valid = np.isfinite(r_value)
    if valid.any():
        rt = pd.DataFrame(
            {
                "subject": as_objects(rt["subject"])[valid],
                "rater": as_objects(rt["rater"])[valid],
                "value": r_value[valid],
            }
        )
        grouped = rt.groupby("subject", sort=False)
        review = pd.DataFrame({"mean": grouped["value"].mean(), "raters": grouped["rater"].nunique()})
        at = lookup(review.index.to_numpy(dtype=object), s_subject)
        r_mean = take(review["mean"].to_numpy(dtype=float), at)
        r_raters = take(review["raters"].to_numpy(dtype=float), at, 0.0).astype(np.int64)
    else:
        r_mean = np.full(n_cards, np.nan)
        r_raters = np.zeros(n_cards, dtype=np.int64)
    shown = r_raters >= k
    review_part = np.where(shown, (r_mean - 1.0) / 4.0 * 100.0, np.nan)
    rho_eff = np.where(shown, s_rho, 0.0)

    # ---- points ------------------------------------------------------------------------------------
    pt = f["points"]
    p_value = np.nan_to_num(as_floats(pt["points"]))
    if len(p_value):
        sums = pd.Series(p_value).groupby(as_objects(pt["subject"]), sort=False).sum()
        points_raw = take(
            sums.to_numpy(dtype=float), lookup(sums.index.to_numpy(dtype=object), s_subject), 0.0
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
        "scorecard": take(s_ids, l_card, -1),
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
        "eval_kpi": np.where(l_uses_eval, take(m_eval, l_row, -1), -1),
        "matrix": np.where(l_matrix_pos >= 0, take(matrix_ids, l_matrix_pos, -1), -1),
        "matrix_pos": l_matrix_pos,
        "matrix_role": np.where(in_matrix, take(m_role, l_row, None), None),
        "share": np.where(in_matrix, take(m_share, l_row), np.nan),
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
            "row": as_ids(mr["row"]),
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
