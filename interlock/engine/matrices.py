"""Stages of `compute_period` for the responsibility matrices (§6): each row's contribution, responsibility
points and shortfall, then each matrix's composite index. Columns in, columns out; see `interlock.engine`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from interlock.engine.constants import MATRIX_ROLES
from interlock.engine.inputs import Columns, as_floats, as_ids, as_objects, check_roles, lookup, take


class MatrixRows(NamedTuple):
    """Every matrix row, scored."""

    row: np.ndarray
    matrix: np.ndarray
    kpi: np.ndarray
    unit: np.ndarray
    role: np.ndarray
    share: np.ndarray
    eval_kpi: np.ndarray
    has_eval: np.ndarray
    contribution: np.ndarray  # the score of the evaluation KPI when set, else of K
    responsibility_points: np.ndarray  # share × contribution / 100 (not the approved bonus/penalty points)
    shortfall: np.ndarray  # share × (100 − min(contribution, 100)) / 100

    def columns(self) -> Columns:
        return {
            "row": self.row,
            "matrix": self.matrix,
            "kpi": self.kpi,
            "unit": self.unit,
            "role": self.role,
            "share": self.share,
            "eval_kpi": self.eval_kpi,
            "contribution": self.contribution,
            "responsibility_points": self.responsibility_points,
            "shortfall": self.shortfall,
        }


def score_matrix_rows(mr: Columns, kpis: Columns) -> MatrixRows:
    """Each matrix row's contribution (its evaluation KPI's score when set, else K's; no fallback to K
    when the evaluation KPI has no data), responsibility points and shortfall."""
    matrix = as_ids(mr["matrix"])
    kpi = as_ids(mr["kpi"])
    unit = as_ids(mr["unit"])
    role = as_objects(mr["role"])
    check_roles(role, MATRIX_ROLES, "matrix")
    share = as_floats(mr["share"])
    eval_kpi = as_ids(mr["eval_kpi"])
    has_eval = eval_kpi >= 0
    contribution = take(kpis["score"], lookup(kpis["kpi"], np.where(has_eval, eval_kpi, kpi)))
    return MatrixRows(
        row=as_ids(mr["row"]),
        matrix=matrix,
        kpi=kpi,
        unit=unit,
        role=role,
        share=share,
        eval_kpi=eval_kpi,
        has_eval=has_eval,
        contribution=contribution,
        responsibility_points=share * contribution / 100.0,
        shortfall=share * (100.0 - np.minimum(contribution, 100.0)) / 100.0,
    )


class Matrices(NamedTuple):
    """One entry per matrix, by ascending id."""

    matrix: np.ndarray
    kpi: np.ndarray
    composite: np.ndarray  # Σ share × contribution / 100; NaN when any row has no data

    def columns(self) -> Columns:
        return {"matrix": self.matrix, "kpi": self.kpi, "composite": self.composite}


def score_matrices(rows: MatrixRows) -> Matrices:
    """Each matrix's KPI and composite index (one `np.bincount` over the rows); checks one matrix per KPI."""
    matrix_ids, matrix_code = (
        np.unique(rows.matrix, return_inverse=True)
        if len(rows.matrix)
        else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    )
    n_matrix = len(matrix_ids)
    points = np.nan_to_num(rows.responsibility_points)
    composite = np.bincount(matrix_code, weights=points, minlength=n_matrix)
    gaps = np.bincount(matrix_code, weights=np.isnan(rows.contribution).astype(float), minlength=n_matrix)
    composite = np.where(gaps > 0, np.nan, composite)
    matrix_kpi = np.zeros(n_matrix, dtype=np.int64)
    matrix_kpi[matrix_code] = rows.kpi
    if len(np.unique(np.stack([matrix_code, rows.kpi]), axis=1).T) != n_matrix:
        raise ValueError("matrix_rows: a matrix's rows name different KPIs")
    if len(np.unique(matrix_kpi)) != n_matrix:
        raise ValueError("matrix_rows: more than one matrix in effect for a KPI")
    return Matrices(matrix=matrix_ids, kpi=matrix_kpi, composite=composite)
