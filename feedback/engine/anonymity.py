"""The anonymity rule of internal-customer and 360 reviews (issue 10 §2), as pure functions.

A rating is shown only inside an aggregate of at least `k` distinct rater *people*. Suppressing small groups
is not enough on its own: two aggregates whose rater sets differ by a few people give those people's ratings
away by subtraction (the whole unit minus "everyone but the sales line"). So a slice is shown only when,
against every slice already shown or released, the raters it has that the other lacks, and the raters the
other has that it lacks, are each either none or at least `k`. A refused slice is refused whole: no score,
no count.

Everything here works on plain values and arrays; the feedback services decide which slices a page asks for
and record what a campaign released, so the rule holds across pages, the API, exports and time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

K_FLOOR = 3  # the tenant may raise k, never lower it below this
K_DEFAULT = 5
COMMENTS_K_DEFAULT = 5

RATING_COLUMNS = ("rater", "dimension", "score")


def effective_k(configured: int | None) -> int:
    """The threshold in force: the tenant's setting, never below the floor (none set: the default)."""
    if configured is None:
        return K_DEFAULT
    return max(int(configured), K_FLOOR)


def too_close(raters: frozenset, other: frozenset, k: int) -> bool:
    """Whether showing both aggregates would let a subtraction single out fewer than `k` raters."""
    only_here, only_there = len(raters - other), len(other - raters)
    return 0 < only_here < k or 0 < only_there < k


@dataclass(frozen=True)
class SliceDecision:
    key: Hashable
    shown: bool
    reason: str  # "shown", "too_few" (under k raters) or "too_close" (differs from a shown slice by under k)


def decide_slices(
    slices: Sequence[tuple[Hashable, frozenset]], k: int, *, released: Iterable[frozenset] = ()
) -> list[SliceDecision]:
    """Which of `slices` ((key, rater set) in the caller's order of importance) may be shown together with
    the `released` rater sets (what was shown before: an earlier release, the whole campaign). Earlier slices
    win: a later slice too close to any shown or released one is refused."""
    shown: list[frozenset] = [frozenset(r) for r in released]
    decisions = []
    for key, raters in slices:
        raters = frozenset(raters)
        if len(raters) < k:
            decisions.append(SliceDecision(key, False, "too_few"))
        elif any(too_close(raters, other, k) for other in shown):
            decisions.append(SliceDecision(key, False, "too_close"))
        else:
            shown.append(raters)
            decisions.append(SliceDecision(key, True, "shown"))
    return decisions


def slice_means(ratings: pd.DataFrame, by: Sequence[str], k: int) -> pd.DataFrame:
    """Per group of `by` and dimension: the mean score, the number of ratings and of distinct raters — only
    for groups with at least `k` distinct raters (the others are absent, not blank).

    `ratings` has the columns `rater`, `dimension`, `score` and those named in `by` (e.g. a frozen rater
    attribute such as the business line)."""
    keys = [*by, "dimension"]
    if ratings.empty:
        return pd.DataFrame(columns=[*keys, "mean", "ratings", "raters"])
    grouped = ratings.groupby(keys, sort=True, dropna=False)
    table = grouped.agg(mean=("score", "mean"), ratings=("score", "size"), raters=("rater", "nunique"))
    return table[table["raters"] >= k].reset_index()


def rater_sets(ratings: pd.DataFrame, by: Sequence[str]) -> dict[tuple, frozenset]:
    """The distinct raters of each group of `by` (the whole set under the empty key when `by` is empty)."""
    if not by:
        return {(): frozenset(ratings["rater"].tolist())}
    return {
        key if isinstance(key, tuple) else (key,): frozenset(group.tolist())
        for key, group in ratings.groupby(list(by), sort=True, dropna=False)["rater"]
    }


def guard_complements(
    decisions: Sequence[SliceDecision],
    sets: Mapping[Hashable, frozenset],
    whole: Hashable,
    partitions: Iterable[Sequence[Hashable]],
    k: int,
) -> list[SliceDecision]:
    """Pairwise checks miss a subtraction over several slices: a shown slice minus the shown groups of a
    split that lie inside it (a split is a partition: each rater in one group) is what that split's hidden
    groups inside it gave — the whole minus four shown business lines is the fifth line; a business line
    minus its shown units is its hidden units. When such a remainder has 1 to k−1 raters, the smallest of
    those shown groups are hidden too ("too_close") until it has none or at least k. Hiding only ever grows
    a remainder, so this runs to a fixed point. `partitions` lists each split's slice keys; `whole` is
    checked like any other shown slice."""
    shown = {d.key for d in decisions if d.shown}
    partitions = [list(keys) for keys in partitions]
    hidden_now: set = set()
    changed = True
    while changed:
        changed = False
        containers = [key for key in [whole, *(key for keys in partitions for key in keys)] if key in shown]
        for container in containers:
            outer = sets[container]
            for keys in partitions:
                inside = sorted(
                    (key for key in keys if key in shown and key != container and sets[key] <= outer),
                    key=lambda key: (len(sets[key]), str(key)),
                )
                if not inside:
                    continue
                remainder = set(outer).difference(*(sets[key] for key in inside))
                for key in inside:
                    if not 0 < len(remainder) < k:
                        break
                    remainder |= sets[key]
                    shown.discard(key)
                    hidden_now.add(key)
                    changed = True
    return [SliceDecision(d.key, False, "too_close") if d.key in hidden_now else d for d in decisions]


def comments_released(commenters: int, *, minimum: int, closed: bool) -> bool:
    """Free-text comments are shown only after the campaign closes and with at least `minimum` commenters."""
    return closed and commenters >= max(int(minimum), K_FLOOR)


def visible_slices(
    ratings: pd.DataFrame, splits: Sequence[Sequence[str]], k: int, *, released: Iterable[frozenset] = ()
) -> Mapping[tuple[tuple[str, ...], tuple], SliceDecision]:
    """Decide every group of every split (the whole first: `()`, then each split in the order given) as
    one set, so that no two visible aggregates differ by fewer than `k` raters.

    Keys: (split columns, group key)."""
    candidates: list[tuple[Hashable, frozenset]] = []
    for split in [(), *[tuple(s) for s in splits if tuple(s)]]:
        for group, raters in rater_sets(ratings, split).items():
            candidates.append(((split, group), raters))
    return {d.key: d for d in decide_slices(candidates, k, released=released)}
