"""The units × perspectives matrix of a period's goal tree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goals.engine import scores as engine_scores
from goals.engine.common import to_plain
from goals.models import Perspective
from goals.selectors.scores import BAND_CSS
from goals.selectors.tree.nodes import Node, Tree

PERSPECTIVES = list(Perspective.choices)


@dataclass
class Cell:
    perspective: str
    progress: float | None
    band: str
    goals: int

    @property
    def band_css(self) -> str:
        return BAND_CSS.get(self.band, "secondary")


@dataclass
class MatrixRow:
    unit_id: int
    unit_name: str
    unit_code: str
    unit_kind: str
    unit_depth: int
    unit_path: str
    cells: list[Cell]
    overall: Cell


def matrix_rows(tree: Tree, query: str = "", kind: str = "") -> list[MatrixRow]:
    """Org units (that hold goals) × the four perspectives: each cell the weighted progress of that
    unit's goals (its positions' included) in that perspective, Σ w·p / Σ w over the goals with data
    (a plain mean when all their weights are 0). One vectorised pass over the whole period."""
    needle = query.strip().lower()
    units: dict[int, int] = {}  # unit id -> row index
    firsts: list[Node] = []
    unit_of, persp_of, weights, progress = [], [], [], []
    perspective_index = {value: i for i, (value, _label) in enumerate(PERSPECTIVES)}
    for node in tree.nodes.values():
        row = units.get(node.unit_id)
        if row is None:
            if (kind and node.unit_kind != kind) or (
                needle and needle not in f"{node.unit_name} {node.unit_code}".lower()
            ):
                units[node.unit_id] = -1
                continue
            row = units[node.unit_id] = len(firsts)
            firsts.append(node)
        if row < 0:
            continue
        unit_of.append(row)
        persp_of.append(perspective_index.get(node.perspective, 0))
        weights.append(float(node.weight))
        progress.append(np.nan if node.progress is None else node.progress)
    if not firsts:
        return []
    width = len(PERSPECTIVES) + 1  # the four perspectives, then all goals of the unit
    unit_arr = np.asarray(unit_of, dtype=np.int64)
    cell_keys = unit_arr * width + np.asarray(persp_of, dtype=np.int64)
    keys = np.concatenate([cell_keys, unit_arr * width + width - 1])
    w = np.tile(np.asarray(weights, dtype=float), 2)
    p = np.tile(np.asarray(progress, dtype=float), 2)
    has = ~np.isnan(p)
    size = len(firsts) * width
    count = np.bincount(keys, minlength=size)
    with_data = np.bincount(keys, weights=has.astype(float), minlength=size)
    weight_sum = np.bincount(keys, weights=np.where(has, w, 0.0), minlength=size)
    weighted = np.bincount(keys, weights=np.where(has, w * np.nan_to_num(p), 0.0), minlength=size)
    plain = np.bincount(keys, weights=np.nan_to_num(p), minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(with_data > 0, plain / with_data, np.nan)
        value = np.where(weight_sum > 0, weighted / weight_sum, mean)
    values = to_plain(value, 2)
    bands = engine_scores.bands(value)
    labels = [value for value, _label in PERSPECTIVES] + [""]
    rows = []
    for index, first in enumerate(firsts):
        at = index * width
        cells = [
            Cell(labels[j], progress=values[at + j], band=str(bands[at + j]), goals=int(count[at + j]))
            for j in range(width)
        ]
        rows.append(
            MatrixRow(
                unit_id=first.unit_id, unit_name=first.unit_name, unit_code=first.unit_code,
                unit_kind=first.unit_kind, unit_depth=first.unit_depth, unit_path=first.unit_path,
                cells=cells[:-1], overall=cells[-1],
            )
        )
    rows.sort(key=lambda r: [int(x) for x in r.unit_path.strip("/").split("/") if x.isdigit()])
    return rows


def matrix_cell_goals(tree: Tree, unit_id: int, perspective: str) -> list[Node]:
    return [n for n in tree.walk() if n.unit_id == unit_id and n.perspective == perspective]


__all__ = [
    "matrix_cell_goals",
    "matrix_rows",
]
