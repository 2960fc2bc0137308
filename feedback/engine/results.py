"""Review results as pure computation: which slices of a subject's ratings a release shows, and what they
show (means per dimension, the overall mean, how many raters, the distribution of scores).

Slices are named by a string: "" is the whole campaign, "<split>:<group>" one group of a rater split
(`SPLITS`: the rater's business line, unit, level or 360 role, all frozen at launch). The decision uses
`feedback.engine.anonymity.decide_slices` in one fixed order (the whole, then each split in `SPLITS` order):
a slice is shown only with at least k distinct raters and only if its rater set differs from every other
shown (or earlier released) slice by none or at least k raters; then `guard_complements` hides more of a
split's groups where the whole minus its shown groups would single out 1 to k−1 raters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from feedback.engine.anonymity import decide_slices, guard_complements

OVERALL = ""
SPLITS = ("business_line", "unit", "level", "role")
NO_GROUP = "-"  # the group of raters without a value for a split (no business line, no level)
SCALE = (1, 2, 3, 4, 5)


def slice_name(split: str, group) -> str:
    return f"{split}:{group}" if split else OVERALL


def split_of(name: str) -> tuple[str, str]:
    """("business_line", "12") of "business_line:12"; ("", "") of the whole."""
    if not name:
        return "", ""
    split, _, group = name.partition(":")
    return split, group


def group_value(value) -> str:
    """A split's group as text: ids as integers (pandas makes an id column with gaps float), none as "-"."""
    if value is None or value == "":
        return NO_GROUP
    if isinstance(value, float):
        if math.isnan(value):
            return NO_GROUP
        if value.is_integer():
            return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Release:
    slice: str
    raters: frozenset
    shown: bool
    reason: str


def decide_release(
    raters: pd.DataFrame, k: int, *, splits: Sequence[str] = SPLITS, released: Iterable[frozenset] = ()
) -> list[Release]:
    """Decide every slice of one subject's ratings: `raters` has one row per rating with the columns
    `rater` and those of `splits`. The whole comes first (an empty subject still gets its refused whole)."""
    rows = raters[["rater", *splits]].itertuples(index=False, name=None) if not raters.empty else ()
    return decide_release_rows(list(rows), k, splits=splits, released=released)


def decide_release_rows(
    rows: Sequence[tuple], k: int, *, splits: Sequence[str] = SPLITS, released: Iterable[frozenset] = ()
) -> list[Release]:
    """`decide_release` on plain tuples (rater, one value per split) — what a release of thousands of
    subjects runs, without a frame per subject. The candidates are the whole, then each split's groups in
    order of their text, decided together by `decide_slices` (as `visible_slices` orders them)."""
    whole = frozenset(row[0] for row in rows)
    candidates: list[tuple[str, frozenset]] = [(OVERALL, whole)]
    for index, split in enumerate(splits, start=1):
        groups: dict[str, set] = {}
        for row in rows:
            groups.setdefault(group_value(row[index]), set()).add(row[0])
        candidates += [(slice_name(split, group), frozenset(groups[group])) for group in sorted(groups)]
    if not rows:
        candidates = candidates[:1]
    sets = dict(candidates)
    partitions = [[name for name, _ in candidates if split_of(name)[0] == split] for split in splits]
    decided = decide_slices(candidates, k, released=released)
    decisions = guard_complements(decided, sets, OVERALL, partitions, k)
    return [Release(d.key, sets[d.key] if d.shown else frozenset(), d.shown, d.reason) for d in decisions]


@dataclass
class SliceResult:
    slice: str
    raters: int
    overall: float
    dimensions: dict = field(default_factory=dict)  # dimension id → mean


def slice_results(scores: pd.DataFrame, shown: Mapping[str, frozenset]) -> dict[str, SliceResult]:
    """The numbers of every shown slice. `scores` has one row per rating and dimension with the columns
    `rater`, `dimension`, `score` and the split columns; `shown` maps a slice name to its released raters.
    A slice's numbers are computed from exactly its released raters' rows — nothing else is read."""
    out: dict[str, SliceResult] = {}
    if scores.empty:
        return out
    for name, members in shown.items():
        rows = scores[scores["rater"].isin(members)]
        if rows.empty:
            continue
        means = rows.groupby("dimension", sort=True)["score"].mean()
        out[name] = SliceResult(
            slice=name, raters=int(rows["rater"].nunique()), overall=float(rows["score"].mean()),
            dimensions={int(d): float(m) for d, m in means.items()},
        )  # fmt: skip
    return out


def distribution(scores: pd.DataFrame) -> dict[int, list[int]]:
    """Per dimension, how many ratings gave each point of the scale (1–5)."""
    if scores.empty:
        return {}
    counts = scores.groupby(["dimension", "score"]).size()
    out: dict[int, list[int]] = {}
    for (dimension, score), count in counts.items():
        out.setdefault(int(dimension), [0] * len(SCALE))[int(score) - 1] = int(count)
    return out


def review_part(mean: float) -> float:
    """A 1–5 mean as the engine's 0–100 review part (DESIGN.md §6)."""
    return (mean - 1) / 4 * 100


# ------------------------------------------------------------------------------------- weighted 360 result
@dataclass(frozen=True)
class RoleMeans:
    """One rater role's numbers as the reader sees them: its overall mean and its mean per dimension."""

    overall: float
    dimensions: Mapping[int, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class WeightedResult:
    overall: float
    dimensions: dict[int, float]  # dimension id → weighted mean (only dimensions some included role rated)
    effective: dict[str, float]  # included role → its renormalised weight in percent (sums to 100)


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float:
    pairs = list(pairs)
    return sum(w * value for w, value in pairs) / sum(w for w, _value in pairs)


def weighted_result(weights: Mapping[str, float], roles: Mapping[str, RoleMeans]) -> WeightedResult | None:
    """A 360 review's result weighted by rater role: Σ w_role × mean_role / Σ w_role over the roles of
    `weights` (positive weights) that have numbers in `roles`, for the overall mean and per dimension.

    A role without numbers is left out and the others' weights renormalised — never counted as zero (a role
    nobody from could rate, or whose slice anonymity hides, must not pull the result down). `roles` holds only
    what the reader is shown, so the weighted figure is a function of shown numbers and reveals nothing
    more. None when no weighted role has numbers."""
    included = {role: float(w) for role, w in weights.items() if w > 0 and role in roles}
    total = sum(included.values())
    if not total:
        return None
    overall = _weighted_mean((w, roles[role].overall) for role, w in included.items())
    rated_by: dict[int, dict[str, float]] = {}  # dimension → the included roles with a mean for it
    for role, w in included.items():
        for dimension, mean in roles[role].dimensions.items():
            if mean is not None:
                rated_by.setdefault(dimension, {})[role] = w
    dimensions = {  # renormalised per dimension over the roles that rated it
        dimension: _weighted_mean((w, roles[role].dimensions[dimension]) for role, w in rated.items())
        for dimension, rated in sorted(rated_by.items())
    }
    effective = {role: w * 100 / total for role, w in included.items()}
    return WeightedResult(overall=overall, dimensions=dimensions, effective=effective)
