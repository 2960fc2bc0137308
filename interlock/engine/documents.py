"""The snapshot document writer: each scorecard's breakdown and flags as JSON text, straight from the columns.

`interlock.services.scores.scores_recompute` stores this text as is (`interlock.models.CompactRowsJSONField`
reads a breakdown back as the plain rows, through `BREAKDOWN_LAYOUTS`). Each column's distinct values are
formatted once, a line is the join of its literals and a document the join of its lines, so a 200,000-line
period never becomes 200,000 dicts. The text equals what `json.dumps` writes for the plain records
(`interlock.engine.results`), key for key."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

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
from interlock.engine.inputs import Columns, EngineParams
from interlock.engine.rounding import cents_to_decimal

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
DOCUMENT_SLICE = 1000  # scorecards whose line texts are made at once


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

    Floats: NaN → null, else the float rounded to `digits` (as the plain records round it; distinct by bit
    pattern, so -0.0 stays itself); ints: negative → null when they are `ids`; bools: true/false; objects
    (str or None): `json.dumps`."""
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
        "null" if c == np.iinfo(np.int64).min else _json(str(cents_to_decimal(c))) for c in unique.tolist()
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


def breakdown_documents(columns: dict[str, Columns], params: EngineParams) -> list[str]:
    """JSON text of every scorecard's breakdown, {"k": layout, "r": [[line values], …, {review}, {points}]}
    — what `interlock.models.CompactRowsJSONField` stores and reads back as the plain rows (see
    `breakdown_slices`)."""
    return [document for part in breakdown_slices(columns, params) for document in part]


def breakdown_slices(columns: dict[str, Columns], params: EngineParams) -> Iterator[list[str]]:
    """`breakdown_documents` made and handed over `DOCUMENT_SLICE` scorecards at a time, in order: a writer
    that stores each slice before asking for the next never holds a period's documents at once.

    Built from the columns without a Python object per line value: each column's distinct values are
    formatted once, a line is the join of its literals, a document the join of its lines."""
    sc, ln = columns["scorecards"], columns["lines"]
    no_total = ~sc["has_total"]
    n = len(ln["card"])
    # Four parts per line: its id (distinct everywhere), then three runs of keys whose combinations repeat
    # (a KPI's values; the line's score and matrix; its weight, flags and value).
    line_parts = [
        _joined(
            [
                _coded(ln["kpi"], ids=False),
                _coded(ln["role"]),
                _coded(ln["weight"], DIGITS),
                _coded(ln["threshold"], DIGITS),
                _coded(ln["target"]),
                _coded(ln["actual"]),
                _coded(ln["kpi_score"], DIGITS),
            ],
            n,
        ),
        _joined(
            [
                _coded(ln["score"], DIGITS),
                (ln["uses_eval"].astype(np.int64), [_json(SOURCE_KPI), _json(SOURCE_EVALUATION)]),
                _coded(ln["eval_kpi"]),
                _coded(ln["matrix"]),
                _coded(ln["matrix_role"]),
                _coded(ln["share"], DIGITS),
            ],
            n,
        ),
        _joined(
            [
                _coded(ln["weight_in_kpi_part"], DIGITS),
                _coded(ln["counts"]),
                _coded(ln["has_data"]),
                _cents_coded(ln["value_cents"], no_total[ln["card"]]),
            ],
            n,
        ),
    ]
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
            ("raw", _literals(sc["points_raw"], DIGITS)),
            ("cap", _json(params.point_cap)),
            ("points", _literals(sc["points"], DIGITS)),
            ("value", _literals_of(_cents_coded(sc["points_cents"], no_total))),
        ]
    )
    head = '{"k":' + _json(BREAKDOWN_LAYOUT) + ',"r":['
    first, end = sc["first_line"].tolist(), sc["end_line"].tolist()
    reviews, points_text = review.tolist(), points.tolist()
    # The line texts are made a slice of scorecards at a time (their lines are one run): only one slice's
    # line strings live at once (memory: ~200 B per line less at the peak).
    for start in range(0, len(first), DOCUMENT_SLICE):
        stop = min(start + DOCUMENT_SLICE, len(first))
        low, high = first[start], end[stop - 1]
        ids = _literals(ln["line"][low:high])
        lines = list(map(",".join, zip(ids, *(part[low:high] for part in line_parts), strict=True)))
        documents: list[str] = []
        for a, b, rv, pv in zip(
            first[start:stop], end[start:stop], reviews[start:stop], points_text[start:stop], strict=True
        ):
            body = "[" + "],[".join(lines[a - low : b - low]) + "]," if b > a else ""
            documents.append(head + body + rv + "," + pv + "]}")
        yield documents


def flag_documents(columns: dict[str, Columns], params: EngineParams) -> list[str]:
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
                ("score", _literals(ln["kpi_score"][special], DIGITS)),
                ("threshold", _literals(ln["threshold"][special], DIGITS)),
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
                ("raw", _literals(sc["points_raw"][clamped], DIGITS)),
                ("cap", _json(params.point_cap)),
            ],
        ),
        (
            cards[low],
            [
                ("code", _json(FLAG_COLLAB_LOW)),
                ("share", _literals(sc["collaborative_share"][low], DIGITS)),
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
