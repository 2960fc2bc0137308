"""Stages of `compute_period` for the scorecards (§6): each line's score, the KPI part, the review part, the
points, the totals and the breakdown rows in hundredths. Columns in, columns out; see `interlock.engine`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from interlock.engine.constants import LINE_ROLES, ROLE_REFERENCE, ROLE_SHARED
from interlock.engine.inputs import Columns, as_floats, as_ids, as_objects, check_roles, lookup, take
from interlock.engine.matrices import Matrices, MatrixRows
from interlock.engine.rounding import largest_remainder_cents


class Scorecards(NamedTuple):
    scorecard: np.ndarray
    subject: np.ndarray
    unit: np.ndarray
    rho: np.ndarray  # the review weight, clipped to [0, 1]


def read_scorecards(sc: Columns) -> Scorecards:
    """The scorecards' ids, subjects, units and ρ; checks each scorecard appears once."""
    ids = as_ids(sc["scorecard"])
    if len(np.unique(ids)) != len(ids):
        raise ValueError("scorecards: a scorecard appears twice")
    return Scorecards(
        scorecard=ids,
        subject=as_objects(sc["subject"]),
        unit=as_ids(sc["unit"]),
        rho=np.clip(np.nan_to_num(as_floats(sc["rho"])), 0.0, 1.0),
    )


class RowIndex(NamedTuple):
    """(KPI, unit) → matrix row through integer codes: KPIs and units are factorised once over the matrix
    rows and the lines/scorecards, so a key is one int64 and the look-up one hash join."""

    keys: np.ndarray  # each matrix row's key: KPI code × n_units + unit code (unique)
    n_units: int
    card_unit: np.ndarray  # each scorecard's unit code, -1 for none
    line_kpi: np.ndarray  # each line's KPI code

    def rows_of(self, line_card: np.ndarray) -> np.ndarray:
        """Each line's row in its KPI's matrix for its scorecard's unit, -1 for none."""
        unit = self.card_unit[line_card] if len(line_card) else np.zeros(0, dtype=np.int64)
        return np.where(unit >= 0, lookup(self.keys, self.line_kpi * self.n_units + unit), -1)


def index_matrix_rows(rows: MatrixRows, cards: Scorecards, line_kpi: np.ndarray) -> RowIndex:
    """The (KPI, unit) codes of the matrix rows, scorecards and lines; checks a unit is once in a matrix."""
    n_rows = len(rows.kpi)
    kpi_codes, _ = pd.factorize(np.concatenate([rows.kpi, line_kpi]))
    unit_codes, unit_uniques = pd.factorize(np.concatenate([rows.unit, cards.unit]))
    n_units = max(len(unit_uniques), 1)
    keys = kpi_codes[:n_rows].astype(np.int64) * n_units + unit_codes[:n_rows]
    if len(np.unique(keys)) != len(keys):
        raise ValueError("matrix_rows: a unit appears twice in the matrix of a KPI")
    return RowIndex(
        keys=keys,
        n_units=n_units,
        card_unit=np.where(cards.unit >= 0, unit_codes[n_rows:], -1),
        line_kpi=kpi_codes[n_rows:].astype(np.int64),
    )


# --------------------------------------------------------------------------------------------- lines


class Lines(NamedTuple):
    """Every scorecard line, scored, in input order."""

    card: np.ndarray  # position of its scorecard
    line: np.ndarray
    kpi: np.ndarray
    kpi_pos: np.ndarray  # position of its KPI in the KPI scores, -1 for none
    role: np.ndarray
    weight: np.ndarray  # the weight that counts (0 for reference lines)
    threshold: np.ndarray
    target: np.ndarray
    actual: np.ndarray
    kpi_score: np.ndarray  # K's own score
    row: np.ndarray  # the scorecard unit's row in K's matrix, -1 for none
    uses_eval: np.ndarray  # that row has an evaluation KPI: the line scores the row's contribution
    score: np.ndarray
    has_data: np.ndarray
    counts: np.ndarray  # own/shared, weight > 0, with data: part of the KPI part
    missing: np.ndarray  # own/shared, weight > 0, without data: the scorecard is incomplete
    matrix_pos: np.ndarray  # K's matrix (whether or not the unit has a row in it), -1 for none
    special_review: np.ndarray  # a reference line whose KPI scores under its threshold


def score_lines(
    ln: Columns,
    line_kpi: np.ndarray,
    cards: Scorecards,
    index: RowIndex,
    kpis: Columns,
    rows: MatrixRows,
    matrices: Matrices,
) -> Lines:
    """Each line's score: the unit's contribution in K's matrix when its row there has an evaluation KPI,
    else K's score; whether it counts, is missing data, or raises a special review."""
    card = lookup(cards.scorecard, as_ids(ln["scorecard"]))
    if (card < 0).any():
        raise ValueError("lines: a line belongs to a scorecard that is not in the input")
    line = as_ids(ln["line"])
    role = as_objects(ln["role"])
    check_roles(role, LINE_ROLES, "line")
    weight_in = np.nan_to_num(as_floats(ln["weight"]))
    threshold = as_floats(ln["threshold"])
    kpi_pos = lookup(kpis["kpi"], line_kpi)
    kpi_score = take(kpis["score"], kpi_pos)
    row = index.rows_of(card)
    uses_eval = (row >= 0) & take(rows.has_eval, row, False).astype(bool)
    score = np.where(uses_eval, take(rows.contribution, row), kpi_score)
    has_data = ~np.isnan(score)
    weighted = role != ROLE_REFERENCE
    weight = np.where(weighted, weight_in, 0.0)
    return Lines(
        card=card,
        line=line,
        kpi=line_kpi,
        kpi_pos=kpi_pos,
        role=role,
        weight=weight,
        threshold=threshold,
        target=take(kpis["target"], kpi_pos),
        actual=take(kpis["actual"], kpi_pos),
        kpi_score=kpi_score,
        row=row,
        uses_eval=uses_eval,
        score=score,
        has_data=has_data,
        counts=weighted & has_data & (weight > 0),
        missing=weighted & ~has_data & (weight > 0),
        matrix_pos=lookup(matrices.kpi, line_kpi),
        special_review=(role == ROLE_REFERENCE) & np.isfinite(threshold) & (kpi_score < threshold),
    )


class KpiParts(NamedTuple):
    weight_sum: np.ndarray  # Σ w over the lines that count
    kpi_part: np.ndarray  # Σ w·s / Σ w; NaN when no weighted line has data
    incomplete: np.ndarray
    collaborative_share: np.ndarray  # Σ weights of shared lines


def kpi_parts(lines: Lines, n_cards: int) -> KpiParts:
    """Per scorecard (`np.bincount` over the lines): KPI part, incompleteness, collaborative share."""
    card, counts, weight = lines.card, lines.counts, lines.weight
    sum_w = np.bincount(card, weights=np.where(counts, weight, 0.0), minlength=n_cards)
    sum_ws = np.bincount(
        card, weights=np.where(counts, weight * np.nan_to_num(lines.score), 0.0), minlength=n_cards
    )
    incomplete = np.bincount(card, weights=lines.missing.astype(float), minlength=n_cards) > 0
    collab_share = np.bincount(
        card, weights=np.where(lines.role == ROLE_SHARED, weight, 0.0), minlength=n_cards
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        kpi_part = np.where(sum_w > 0, sum_ws / sum_w, np.nan)
    return KpiParts(sum_w, kpi_part, incomplete, collab_share)


# --------------------------------------------------------------------------------------------- review, points


class Review(NamedTuple):
    raters: np.ndarray  # distinct raters of the scorecard's subject
    part: np.ndarray  # (mean − 1) / 4 × 100, NaN unless shown (≥ k raters)
    rho_effective: np.ndarray  # ρ where the part is shown, else 0


def review_parts(rt: Columns, cards: Scorecards, k: int) -> Review:
    """Per scorecard: its subject's ratings (one `groupby`), shown only with at least k distinct raters."""
    n_cards = len(cards.scorecard)
    value = as_floats(rt["value"])
    valid = np.isfinite(value)
    if valid.any():
        ratings = pd.DataFrame(
            {
                "subject": as_objects(rt["subject"])[valid],
                "rater": as_objects(rt["rater"])[valid],
                "value": value[valid],
            }
        )
        grouped = ratings.groupby("subject", sort=False)
        review = pd.DataFrame({"mean": grouped["value"].mean(), "raters": grouped["rater"].nunique()})
        at = lookup(review.index.to_numpy(dtype=object), cards.subject)
        mean = take(review["mean"].to_numpy(dtype=float), at)
        raters = take(review["raters"].to_numpy(dtype=float), at, 0.0).astype(np.int64)
    else:
        mean = np.full(n_cards, np.nan)
        raters = np.zeros(n_cards, dtype=np.int64)
    shown = raters >= k
    return Review(
        raters=raters,
        part=np.where(shown, (mean - 1.0) / 4.0 * 100.0, np.nan),
        rho_effective=np.where(shown, cards.rho, 0.0),
    )


class Points(NamedTuple):
    raw: np.ndarray  # Σ approved points of the subject
    points: np.ndarray  # clamped to ± cap


def period_points(pt: Columns, subject: np.ndarray, cap: float) -> Points:
    """Per scorecard: its subject's approved points summed (one `groupby`) and clamped to ± cap."""
    value = np.nan_to_num(as_floats(pt["points"]))
    if len(value):
        sums = pd.Series(value).groupby(as_objects(pt["subject"]), sort=False).sum()
        raw = take(sums.to_numpy(dtype=float), lookup(sums.index.to_numpy(dtype=object), subject), 0.0)
    else:
        raw = np.zeros(len(subject))
    return Points(raw=raw, points=np.clip(raw, -cap, cap))


# --------------------------------------------------------------------------------------------- totals


class Totals(NamedTuple):
    base: np.ndarray  # (1 − ρ') × KPI part + ρ' × review part
    total: np.ndarray  # base + points; NaN exactly where the KPI part is None


def score_totals(parts: KpiParts, review: Review, points: Points) -> Totals:
    """Per scorecard: base and total."""
    rho = review.rho_effective
    base = (1.0 - rho) * parts.kpi_part + rho * np.nan_to_num(review.part)
    return Totals(base=base, total=base + points.points)


class Breakdown(NamedTuple):
    """The breakdown rows in hundredths: each line, then one review and one points row per scorecard."""

    line_share: np.ndarray  # each line's weight in the KPI part, in %
    line_cents: np.ndarray
    review_cents: np.ndarray
    points_cents: np.ndarray
    total_cents: np.ndarray


def breakdown_cents(
    lines: Lines, parts: KpiParts, review: Review, points: Points, total: np.ndarray
) -> Breakdown:
    """The breakdown rows' values (a line: (1 − ρ') × w × s / Σw, 0 when it does not count; the review:
    ρ' × review part; the points), rounded to hundredths that add up to each total (largest remainder)."""
    card, rho, sum_w = lines.card, review.rho_effective, parts.weight_sum
    n_lines, n_cards = len(card), len(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        line_value = (
            np.where(
                lines.counts,
                (1.0 - rho[card]) * lines.weight * np.nan_to_num(lines.score) / sum_w[card],
                0.0,
            )
            if n_lines
            else np.zeros(0)
        )
        line_share = (
            np.where(lines.counts, lines.weight / sum_w[card] * 100.0, 0.0) if n_lines else np.zeros(0)
        )
    card_range = np.arange(n_cards)
    values = np.concatenate([line_value, rho * np.nan_to_num(review.part), points.points])
    groups = np.concatenate([card, card_range, card_range]).astype(np.int64)
    cents, total_cents = largest_remainder_cents(values, groups, n_cards, total)
    return Breakdown(
        line_share=line_share,
        line_cents=cents[:n_lines],
        review_cents=cents[n_lines : n_lines + n_cards],
        points_cents=cents[n_lines + n_cards :],
        total_cents=total_cents,
    )
