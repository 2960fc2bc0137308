"""The anonymity rule as properties: no visible number from fewer than k raters, no two visible aggregates
that differ by fewer than k raters."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.engine.anonymity import (
    K_FLOOR,
    comments_released,
    decide_slices,
    effective_k,
    slice_means,
    too_close,
    visible_slices,
)


def test_k_never_below_the_floor():
    assert effective_k(None) == 5
    assert effective_k(1) == K_FLOOR
    assert effective_k(7) == 7


def test_a_subtraction_that_singles_out_one_rater_is_refused():
    whole = frozenset(range(10))
    all_but_one = frozenset(range(9))
    decisions = decide_slices([("whole", whole), ("most", all_but_one)], k=5)
    assert [d.shown for d in decisions] == [True, False]
    assert decisions[1].reason == "too_close"


def test_small_groups_are_absent_not_blank():
    ratings = pd.DataFrame(
        {
            "rater": [1, 2, 3, 4, 5, 6],
            "dimension": [1] * 6,
            "score": [5, 4, 3, 4, 5, 1],
            "line": list("aaaaab"),
        }
    )
    table = slice_means(ratings, ["line"], k=5)
    assert table["line"].tolist() == ["a"]
    assert table["raters"].tolist() == [5]
    assert table["mean"].tolist() == [4.2]


def test_comments_only_after_close_and_with_enough_commenters():
    assert not comments_released(10, minimum=5, closed=False)
    assert not comments_released(4, minimum=5, closed=True)
    assert comments_released(5, minimum=5, closed=True)
    assert not comments_released(2, minimum=1, closed=True)  # the floor holds for comments too


ratings_strategy = st.lists(
    st.tuples(
        st.integers(1, 25),  # rater
        st.integers(1, 3),  # dimension
        st.integers(1, 5),  # score
    ),
    min_size=0,
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(ratings=ratings_strategy, k=st.integers(3, 7), released_sizes=st.lists(st.integers(0, 25), max_size=3))
def test_no_visible_slice_is_small_or_close_to_another(ratings, k, released_sizes):
    frame = pd.DataFrame(ratings, columns=["rater", "dimension", "score"])
    # rater attributes frozen at launch: a function of the rater alone
    frame["line"] = frame["rater"] % 3
    frame["level"] = frame["rater"] % 2
    released = [frozenset(range(1, n + 1)) for n in released_sizes]
    decisions = visible_slices(frame, [["line"], ["level"], ["line", "level"]], k, released=released)
    sets = {}
    for (split, group), decision in decisions.items():
        if not decision.shown:
            continue
        mask = pd.Series(True, index=frame.index)
        for column, value in zip(split, group, strict=True):
            mask &= frame[column] == value
        sets[(split, group)] = frozenset(frame.loc[mask, "rater"])
    for raters in sets.values():
        assert len(raters) >= k
    for a, b in combinations(sets.values(), 2):
        assert not too_close(a, b, k)
    for raters in sets.values():
        for earlier in released:
            assert not too_close(raters, earlier, k)


@settings(max_examples=100, deadline=None)
@given(ratings=ratings_strategy, k=st.integers(3, 7))
def test_every_mean_shown_comes_from_k_raters(ratings, k):
    frame = pd.DataFrame(ratings, columns=["rater", "dimension", "score"])
    frame["line"] = frame["rater"] % 4
    table = slice_means(frame, ["line"], k)
    for row in table.itertuples():
        raters = frame[(frame["line"] == row.line) & (frame["dimension"] == row.dimension)]["rater"]
        assert raters.nunique() == row.raters >= k


def test_a_slice_minus_the_shown_groups_inside_it_never_singles_out_fewer_than_k():
    """Line L = units u1 (5) + u2 (5) + u3 (1); line M = u4 (6) + u5 (4); k = 5. Pairwise every shown slice
    is far enough from every other, and the whole minus the shown units leaves 5 — but L minus u1 and u2 is
    u3's one rater, and M minus u4 is u5's four: a unit inside each line is hidden too."""
    from feedback.engine.results import decide_release_rows

    plan = [("L", "u1", 5), ("L", "u2", 5), ("L", "u3", 1), ("M", "u4", 6), ("M", "u5", 4)]
    rows = [(f"{unit}-{i}", line, unit) for line, unit, n in plan for i in range(n)]
    shown = {r.slice: r.raters for r in decide_release_rows(rows, 5, splits=("line", "unit")) if r.shown}
    assert {"", "line:L", "line:M"} <= set(shown)
    for line, units in (("line:L", ("unit:u1", "unit:u2", "unit:u3")), ("line:M", ("unit:u4", "unit:u5"))):
        remainder = shown[line].difference(*(shown[u] for u in units if u in shown))
        assert not 0 < len(remainder) < 5, (line, len(remainder))
    assert "unit:u4" not in shown  # M minus u4 would be u5's four raters
