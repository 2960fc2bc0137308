"""What the engine returns: `PeriodScores` (the vectorised columns) and the plain records built from them on
demand — a `ScorecardScore` per scorecard with its flags and breakdown rows as dicts, for pages, what-if and
tests. The snapshot writer reads the columns instead (`interlock.engine.documents`)."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from interlock.engine import documents
from interlock.engine.constants import (
    DIGITS,
    FLAG_COLLAB_LOW,
    FLAG_NO_DATA,
    FLAG_NO_KPI_DATA,
    FLAG_POINTS_CLAMPED,
    FLAG_REVIEW,
    FLAG_SPECIAL_REVIEW,
    REASON_BELOW_K,
    REASON_NO_RATINGS,
    SOURCE_EVALUATION,
    SOURCE_KPI,
)
from interlock.engine.documents import BREAKDOWN_LINE_KEYS
from interlock.engine.inputs import Columns, EngineParams
from interlock.engine.rounding import decimals


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
    responsibility_points: float | None  # share × contribution / 100
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

    columns: dict[str, Columns] = field(repr=False)
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
                responsibility_points=po,
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
                _plain_list(m["responsibility_points"], None),
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
        return documents.breakdown_documents(self.columns, self.params)

    def breakdown_slices(self) -> Iterator[list[str]]:
        """`breakdown_documents` a slice of scorecards at a time, in order (`documents.breakdown_slices`)."""
        return documents.breakdown_slices(self.columns, self.params)

    def flag_documents(self) -> list[str]:
        """Each scorecard's flags as JSON text (a list of flag objects)."""
        return documents.flag_documents(self.columns, self.params)


# --------------------------------------------------------------------------------------------- plain records


def _scorecard_records(columns: dict[str, Columns], params: EngineParams) -> list[ScorecardScore]:
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
            decimals(sc["total_cents"]),
            decimals(sc["review_cents"]),
            decimals(sc["points_cents"]),
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


def _line_flags(ln: Columns) -> dict[int, list[dict[str, Any]]]:
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


def _line_values(ln: Columns) -> dict[str, list]:
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
        "value": decimals(ln["value_cents"]),
    }


def _line_records(ln: Columns) -> list[dict[str, Any]]:
    """One breakdown dict per line, in scorecard order."""
    values = _line_values(ln)
    return [
        {"kind": "line", **dict(zip(BREAKDOWN_LINE_KEYS, row, strict=True))}
        for row in zip(*(values[key] for key in BREAKDOWN_LINE_KEYS), strict=True)
    ]


# --------------------------------------------------------------------------------------------- plain values


def _plain(value: float, digits: int | None = DIGITS) -> float | None:
    if value != value:  # NaN
        return None
    return round(float(value), digits) if digits is not None else float(value)


def _plain_list(values: np.ndarray, digits: int | None = DIGITS) -> list[float | None]:
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
