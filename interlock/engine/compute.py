"""The computation: every matrix and scorecard of one tenant and period at once, columns in, columns out.

`compute_period` runs the stages in order: KPI scores (`score_kpis`, here), matrix rows and matrices
(`interlock.engine.matrices`), then per scorecard its lines, KPI part, review part, points, totals and
breakdown rows (`interlock.engine.scorecards`), and last the output tables (here). Each stage takes arrays (or
earlier stages' outputs) and returns arrays, one entry per KPI, matrix row, matrix, scorecard or line, in
input order; ids are int64 with -1 for none, scores float64 with NaN for no data. No stage loops over
scorecards in Python: look-ups are hash joins (`lookup`), per-scorecard sums `np.bincount`, per-subject
ratings and points one `groupby` each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from goals.engine.scores import kpi_scores
from interlock.engine.inputs import (
    Columns,
    EngineParams,
    PeriodInputs,
    as_floats,
    as_ids,
    as_objects,
    lookup,
    take,
)
from interlock.engine.matrices import Matrices, MatrixRows, score_matrices, score_matrix_rows
from interlock.engine.results import PeriodScores
from interlock.engine.scorecards import (
    Breakdown,
    KpiParts,
    Lines,
    Points,
    Review,
    Scorecards,
    Totals,
    breakdown_cents,
    index_matrix_rows,
    kpi_parts,
    period_points,
    read_scorecards,
    review_parts,
    score_lines,
    score_totals,
)


def compute_period(inputs: PeriodInputs, params: EngineParams | None = None) -> PeriodScores:
    """Scores of every matrix and scorecard of one tenant and period. See `interlock.engine` for the rules."""
    params = params or EngineParams()
    f = inputs.columns()
    k = max(int(params.anonymity_threshold), 1)
    cap = abs(float(params.point_cap))

    kpis = score_kpis(f["kpis"], f["measurements"])
    rows = score_matrix_rows(f["matrix_rows"], kpis)
    matrices = score_matrices(rows)
    cards = read_scorecards(f["scorecards"])
    line_kpi = as_ids(f["lines"]["kpi"])
    index = index_matrix_rows(rows, cards, line_kpi)
    lines = score_lines(f["lines"], line_kpi, cards, index, kpis, rows, matrices)
    parts = kpi_parts(lines, len(cards.scorecard))
    review = review_parts(f["ratings"], cards, k)
    points = period_points(f["points"], cards.subject, cap)
    totals = score_totals(parts, review, points)
    breakdown = breakdown_cents(lines, parts, review, points, totals.total)
    line_table, bounds = line_columns(lines, cards, rows, matrices, breakdown)
    columns = {
        "kpis": kpis,
        "matrix_rows": rows.columns(),
        "matrices": matrices.columns(),
        "scorecards": scorecard_columns(
            cards, parts, review, points, totals, breakdown, bounds, k, params.min_collaborative_weight
        ),
        "lines": line_table,
    }
    return PeriodScores(columns=columns, params=EngineParams(k, cap, params.min_collaborative_weight))


# --------------------------------------------------------------------------------------------- KPI scores


def score_kpis(kpis: Mapping[str, Any], measurements: Mapping[str, Any]) -> Columns:
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


# --------------------------------------------------------------------------------------------- columns out


def line_columns(
    lines: Lines, cards: Scorecards, rows: MatrixRows, matrices: Matrices, breakdown: Breakdown
) -> tuple[Columns, np.ndarray]:
    """The lines' table grouped by scorecard (input order within each, so a scorecard's lines are one
    slice), and the bounds of each scorecard's slice (n_cards + 1 positions)."""
    card, row, matrix_pos, uses_eval = lines.card, lines.row, lines.matrix_pos, lines.uses_eval
    n_lines, n_cards = len(card), len(cards.scorecard)
    grouped = n_lines == 0 or bool((card[1:] >= card[:-1]).all())  # the selectors' order already
    order = None if grouped else np.argsort(card, kind="stable")
    sorted_card = card if order is None else card[order]
    bounds = np.searchsorted(sorted_card, np.arange(n_cards + 1)) if n_lines else np.zeros(n_cards + 1, int)
    in_matrix = row >= 0
    table = {
        "card": card,
        "scorecard": take(cards.scorecard, card, -1),
        "line": lines.line,
        "kpi": lines.kpi,
        "kpi_pos": lines.kpi_pos,
        "role": lines.role,
        "weight": lines.weight,
        "threshold": lines.threshold,
        "target": lines.target,
        "actual": lines.actual,
        "kpi_score": lines.kpi_score,
        "score": lines.score,
        "uses_eval": uses_eval,
        "row": row,
        "eval_kpi": np.where(uses_eval, take(rows.eval_kpi, row, -1), -1),
        "matrix": np.where(matrix_pos >= 0, take(matrices.matrix, matrix_pos, -1), -1),
        "matrix_pos": matrix_pos,
        "matrix_role": np.where(in_matrix, take(rows.role, row, None), None),
        "share": np.where(in_matrix, take(rows.share, row), np.nan),
        "weight_in_kpi_part": breakdown.line_share,
        "counts": lines.counts,
        "has_data": lines.has_data,
        "missing": lines.missing,
        "special_review": lines.special_review,
        "value_cents": breakdown.line_cents,
    }
    if order is not None:
        table = {name: column[order] for name, column in table.items()}
    return table, bounds


def scorecard_columns(
    cards: Scorecards,
    parts: KpiParts,
    review: Review,
    points: Points,
    totals: Totals,
    breakdown: Breakdown,
    bounds: np.ndarray,
    k: int,
    min_collaborative_weight: float,
) -> Columns:
    """The scorecards' table: the stages' per-scorecard outputs, the flags' conditions, the line bounds."""
    return {
        "scorecard": cards.scorecard,
        "subject": cards.subject,
        "unit": cards.unit,  # whose matrix rows apply: the subject unit, or the position's unit (-1: none)
        "rho": cards.rho,
        "rho_effective": review.rho_effective,
        "review_part": review.part,
        "raters": review.raters,
        "kpi_part": parts.kpi_part,
        "base": totals.base,
        "points_raw": points.raw,
        "points": points.points,
        "total": totals.total,
        "has_total": np.isfinite(totals.total),
        "total_cents": breakdown.total_cents,
        "review_cents": breakdown.review_cents,
        "points_cents": breakdown.points_cents,
        "incomplete": parts.incomplete,
        "collaborative_share": parts.collaborative_share,
        "review_flag": (cards.rho > 0) & (review.raters < k),
        "points_clamped": points.raw != points.points,
        "collaborative_low": parts.collaborative_share < min_collaborative_weight,
        "first_line": bounds[:-1],
        "end_line": bounds[1:],
    }
