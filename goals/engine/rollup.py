"""Progress rolled up over a goal tree: weighted means of the children that have data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from goals.engine.common import _floats, to_plain
from goals.engine.scores import bands


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
