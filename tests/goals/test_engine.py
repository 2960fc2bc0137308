"""Scores, bands, roll-up and period aggregation of goals.engine (pure: no database)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goals.engine import scores as engine_scores
from goals.engine.common import BANDS, DEFAULT_CAP, to_plain
from goals.engine.common import HIGHER_BETTER as HB
from goals.engine.common import LOWER_BETTER as LB
from goals.engine.periods import aggregate_values, derive_period_values, period_value
from goals.engine.rollup import rollup, rollup_by_id, tree_depths
from goals.engine.scores import band, kpi_score, kpi_scores
from goals.selectors.scores import BAND_CSS

# ----------------------------------------------------------------------------------------- KPI scores


class TestKpiScore:
    def test_worked_example_of_the_design(self):
        # 客户留存率: target 90 %, actual 81 % → r = 0.9 → 90.
        assert kpi_score(90, 81, HB) == pytest.approx(90.0)

    def test_higher_better_ratio(self):
        assert kpi_score(200, 150, HB) == pytest.approx(75.0)

    def test_lower_better_ratio(self):
        # Cost target 80, actual 100 → r = 0.8.
        assert kpi_score(80, 100, LB) == pytest.approx(80.0)
        assert kpi_score(100, 80, LB) == pytest.approx(120.0)  # capped exactly at 1.2

    def test_cap_limits_the_score(self):
        assert kpi_score(100, 500, HB) == pytest.approx(120.0)
        assert kpi_score(100, 500, HB, cap=1.5) == pytest.approx(150.0)
        assert kpi_score(100, 500, HB, cap=Decimal("1.00")) == pytest.approx(100.0)
        assert kpi_score(10, 1, LB, cap=2) == pytest.approx(200.0)

    def test_missing_cap_uses_the_default(self):
        assert kpi_score(100, 500, HB, cap=None) == pytest.approx(100 * DEFAULT_CAP)
        assert kpi_score(100, 500, HB, cap=0) == pytest.approx(100 * DEFAULT_CAP)

    def test_zero_actual(self):
        assert kpi_score(100, 0, HB) == 0.0
        # lower_better: A = 0 gives r = c.
        assert kpi_score(5, 0, LB) == pytest.approx(120.0)
        assert kpi_score(5, 0, LB, cap=1.1) == pytest.approx(110.0)

    def test_zero_target(self):
        # higher_better: the ratio is undefined → no data, never 0 and never the cap.
        assert kpi_score(0, 50, HB) is None
        assert kpi_score(0, 0, HB) is None
        # lower_better "zero accidents": met exactly → cap; missed → 0.
        assert kpi_score(0, 0, LB) == pytest.approx(120.0)
        assert kpi_score(0, 3, LB) == 0.0

    def test_negative_actual(self):
        assert kpi_score(100, -20, HB) == 0.0  # r < 0 clamps to 0
        assert kpi_score(100, -20, LB) == pytest.approx(120.0)  # below zero beats any target

    def test_negative_target_is_no_data(self):
        # The ratio would invert (a better actual scoring lower): no data instead of a misleading score.
        assert kpi_score(-10, -5, HB) is None
        assert kpi_score(-10, -20, LB) is None

    def test_missing_data_is_none_never_zero(self):
        assert kpi_score(None, 80, HB) is None
        assert kpi_score(100, None, HB) is None
        assert kpi_score(float("nan"), 80, LB) is None
        assert kpi_score(100, float("inf"), HB) is None
        assert kpi_score("abc", 80, HB) is None

    def test_decimals_and_strings_are_numbers(self):
        assert kpi_score(Decimal("90.0000"), Decimal("81.0000"), HB) == pytest.approx(90.0)
        assert kpi_score("90", "81", HB) == pytest.approx(90.0)

    def test_vectorised_mixed_directions(self):
        scores = kpi_scores([90, 80, 0, None], [81, 100, 10, 5], [HB, LB, HB, LB], [1.2] * 4)
        assert scores[:2] == pytest.approx([90.0, 80.0])
        assert np.isnan(scores[2]) and np.isnan(scores[3])
        assert to_plain(scores, 1) == [90.0, 80.0, None, None]

    def test_one_direction_and_cap_broadcast(self):
        scores = kpi_scores([100, 100], [50, 200], HB)
        assert scores == pytest.approx([50.0, 120.0])

    def test_unknown_direction_is_refused(self):
        with pytest.raises(ValueError, match="unknown direction"):
            kpi_scores([1], [1], ["sideways"])

    def test_length_mismatch_is_refused(self):
        with pytest.raises(ValueError):
            kpi_scores([1, 2], [1, 2, 3], HB)

    def test_tiny_divisor_does_not_escape_the_clamp(self):
        assert kpi_score(1e-320, 1e300, HB) == pytest.approx(120.0)
        assert kpi_score(1e300, 1e-320, LB) == pytest.approx(120.0)


# ----------------------------------------------------------------------------------------- bands


class TestBands:
    @pytest.mark.parametrize(
        ("score", "expected"),
        [(None, "none"), (float("nan"), "none"), (0, "red"), (79.99, "red"), (80, "amber"),
         (99.999, "amber"), (100, "green"), (120, "green")],
    )
    def test_band_edges(self, score, expected):
        assert band(score) == expected

    def test_vectorised_bands_match_the_scalar(self):
        values = [None, 10, 85, 100, 150]
        assert list(engine_scores.bands(values)) == [band(v) for v in values]

    def test_every_band_has_a_css_class(self):
        assert set(BAND_CSS) == set(BANDS)


# ----------------------------------------------------------------------------------------- roll-up

NAN = float("nan")


class TestRollup:
    def test_weighted_average_of_children(self):
        # root ← a (60, 100), b (40, 50) → 0.6·100 + 0.4·50 = 80.
        result = rollup([-1, 0, 0], [100, 60, 40], [NAN, 100, 50])
        assert result.progress[0] == pytest.approx(80.0)
        assert list(result.children) == [2, 0, 0]

    def test_weights_need_not_sum_to_100(self):
        result = rollup([-1, 0, 0], [1, 3, 1], [NAN, 100, 0])
        assert result.progress[0] == pytest.approx(75.0)

    def test_renormalises_over_children_with_data(self):
        # b has no data: root = a's progress, not 0.6·100.
        result = rollup([-1, 0, 0], [100, 60, 40], [NAN, 100, NAN])
        assert result.progress[0] == pytest.approx(100.0)
        assert result.children_with_data[0] == 1
        assert result.coverage[0] == pytest.approx(0.6)

    def test_parent_without_children_with_data_has_no_data(self):
        result = rollup([-1, 0, 0], [100, 60, 40], [90, NAN, NAN])
        assert np.isnan(result.progress[0])  # its own KPI score does not leak into its progress

    def test_zero_weight_children_do_not_count(self):
        result = rollup([-1, 0, 0], [100, 0, 100], [NAN, 10, 70])
        assert result.progress[0] == pytest.approx(70.0)
        only_zero = rollup([-1, 0], [100, 0], [NAN, 10])
        assert np.isnan(only_zero.progress[0])

    def test_leaf_progress_is_its_score_and_missing_leaf_is_no_data(self):
        result = rollup([-1, -1], [100, 100], [42.0, NAN])
        assert result.progress[0] == pytest.approx(42.0)
        assert np.isnan(result.progress[1])

    def test_three_levels_and_no_data_propagates_upwards(self):
        # 0 ← 1 ← (3: 100, 4: 50);  0 ← 2 ← 5 (no data)
        parent = [-1, 0, 0, 1, 1, 2]
        result = rollup(parent, [100, 60, 40, 50, 50, 100], [NAN, NAN, NAN, 100, 50, NAN])
        assert result.progress[1] == pytest.approx(75.0)
        assert np.isnan(result.progress[2])
        assert result.progress[0] == pytest.approx(75.0)
        assert list(result.depth) == [0, 1, 1, 2, 2, 2]

    def test_node_order_does_not_matter(self):
        # Children listed before their parents.
        result = rollup([2, 2, -1], [1, 1, 1], [100, 50, NAN])
        assert result.progress[2] == pytest.approx(75.0)

    def test_forest_of_several_roots(self):
        result = rollup([-1, 0, -1, 2], [1, 1, 1, 1], [NAN, 30, NAN, 90])
        assert result.progress[0] == pytest.approx(30.0)
        assert result.progress[2] == pytest.approx(90.0)

    def test_empty_tree(self):
        result = rollup([], [], [])
        assert result.progress.shape == (0,)

    def test_negative_or_missing_weight_is_refused(self):
        with pytest.raises(ValueError):
            rollup([-1, 0], [1, -1], [NAN, 50])
        with pytest.raises(ValueError):
            rollup([-1, 0], [1, None], [NAN, 50])

    def test_cycle_is_refused(self):
        with pytest.raises(ValueError, match="cycle"):
            rollup([1, 0], [1, 1], [NAN, NAN])
        with pytest.raises(ValueError, match="cycle"):
            tree_depths([0])

    def test_depths_of_a_long_chain(self):
        parent = [-1] + list(range(999))
        assert list(tree_depths(parent)) == list(range(1000))

    def test_by_id_with_orphans_and_plain_output(self):
        result = rollup_by_id(
            [10, 11, 12, 13], [None, 10, 10, 999], [100, 50, 50, 100], [70, 100, None, 60]
        )
        assert result[10].progress == pytest.approx(100.0)
        assert result[10].score == pytest.approx(70.0)  # measured value beside the rolled-up value
        assert result[10].band == "green" and result[10].score_band == "red"
        assert result[10].children == 2 and result[10].children_with_data == 1
        assert result[12].progress is None and result[12].band == "none"
        assert result[13].progress == pytest.approx(60.0)  # parent outside the set → a root


# ----------------------------------------------------------------------------------------- properties


@st.composite
def trees(draw, max_nodes=40):
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    parents = [-1]
    for i in range(1, n):
        parents.append(draw(st.integers(min_value=-1, max_value=i - 1)))
    # Shuffle positions so parents do not always precede children.
    perm = draw(st.permutations(list(range(n))))
    inverse = {old: new for new, old in enumerate(perm)}
    shuffled_parent = [0] * n
    for old in range(n):
        shuffled_parent[inverse[old]] = -1 if parents[old] < 0 else inverse[parents[old]]
    weights = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.01, 100)), min_size=n, max_size=n))
    cap = draw(st.floats(0.5, 3.0))
    scores = draw(
        st.lists(st.one_of(st.just(NAN), st.floats(0, 100 * cap)), min_size=n, max_size=n)
    )
    return shuffled_parent, weights, scores, cap


def hand_rollup(parent, weights, scores):
    children = {i: [] for i in range(len(parent))}
    for i, p in enumerate(parent):
        if p >= 0:
            children[p].append(i)

    def progress(i):
        if not children[i]:
            return None if math.isnan(scores[i]) else scores[i]
        num = den = 0.0
        for child in children[i]:
            value = progress(child)
            if value is not None and weights[child] > 0:
                num += weights[child] * value
                den += weights[child]
        return num / den if den > 0 else None

    return [progress(i) for i in range(len(parent))]


@settings(max_examples=200, deadline=None)
@given(trees())
def test_rollup_equals_a_recursive_hand_computation(tree):
    parent, weights, scores, _cap = tree
    result = rollup(parent, weights, scores)
    expected = hand_rollup(parent, weights, scores)
    for got, want in zip(to_plain(result.progress), expected, strict=True):
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(trees())
def test_rollup_stays_within_zero_and_the_cap(tree):
    parent, weights, scores, cap = tree
    progress = rollup(parent, weights, scores).progress
    present = progress[~np.isnan(progress)]
    assert (present >= 0).all()
    assert (present <= 100 * cap).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30),
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30),
    st.floats(0.01, 5),
    st.sampled_from([HB, LB]),
)
def test_scores_stay_within_zero_and_the_cap(targets, actuals, cap, direction):
    n = min(len(targets), len(actuals))
    scores = kpi_scores(targets[:n], actuals[:n], direction, cap)
    present = scores[~np.isnan(scores)]
    assert ((present >= 0) & (present <= 100 * cap + 1e-9)).all()


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(0, 1e6), st.floats(0.01, 5))
def test_raising_the_actual_never_lowers_a_higher_better_score(target, actual, raise_by, cap):
    before = kpi_score(target, actual, HB, cap)
    after = kpi_score(target, actual + raise_by, HB, cap)
    assert (before is None) == (after is None)
    if before is not None:
        assert after >= before - 1e-9


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(0, 1e6), st.floats(0.01, 5))
def test_raising_the_actual_never_raises_a_lower_better_score(target, actual, raise_by, cap):
    before = kpi_score(target, actual, LB, cap)
    after = kpi_score(target, actual + raise_by, LB, cap)
    assert (before is None) == (after is None)
    if before is not None:
        assert after <= before + 1e-9


# ----------------------------------------------------------------------------------------- periods


def month(kpi, m, target, actual, year=2025):
    return (kpi, "month", year, None, m, target, actual)


class TestPeriodAggregation:
    RULES = {1: "sum", 2: "average", 3: "last"}

    def rows(self):
        return [
            month(1, 1, 10, 8), month(1, 2, 10, 12), month(1, 3, 10, 10),
            month(2, 1, 90, 80), month(2, 2, 90, 100), month(2, 3, 90, None),
            month(3, 1, 5, 7), month(3, 2, 6, 5), month(3, 3, None, None),
        ]

    def test_quarter_values_by_rule(self):
        values = period_value(self.rows(), self.RULES, kind="quarter", year=2025, quarter=1)
        assert values[1]["target"] == 30 and values[1]["actual"] == 30
        assert values[2]["target"] == 90 and values[2]["actual"] == 90  # mean of the months with a value
        assert values[3]["target"] == 6 and values[3]["actual"] == 5  # last month that has a value
        assert values[1]["source_actual"] == "derived"

    def test_direct_value_wins_field_by_field(self):
        rows = self.rows() + [(1, "quarter", 2025, 1, None, 25, None)]
        values = period_value(rows, self.RULES, kind="quarter", year=2025, quarter=1)
        assert values[1]["target"] == 25 and values[1]["source_target"] == "direct"
        assert values[1]["actual"] == 30 and values[1]["source_actual"] == "derived"

    def test_year_from_quarters_which_come_from_months(self):
        rows = self.rows() + [month(1, 4, 10, 1), (1, "quarter", 2025, 3, None, 40, 44)]
        values = period_value(rows, self.RULES, kind="year", year=2025)
        assert values[1]["target"] == 30 + 10 + 40
        assert values[1]["actual"] == 30 + 1 + 44
        assert values[3]["actual"] == 5

    def test_no_month_with_a_value_is_no_data_not_zero(self):
        rows = [month(1, 1, 10, None), month(1, 2, 10, None)]
        values = period_value(rows, {1: "sum"}, kind="quarter", year=2025, quarter=1)
        assert values[1]["actual"] is None and values[1]["source_actual"] is None
        assert values[1]["target"] == 20

    def test_other_years_and_quarters_stay_apart(self):
        rows = [month(1, 1, 10, 1), month(1, 4, 10, 2), month(1, 1, 10, 3, year=2024)]
        q1 = period_value(rows, {1: "sum"}, kind="quarter", year=2025, quarter=1)
        q2 = period_value(rows, {1: "sum"}, kind="quarter", year=2025, quarter=2)
        y24 = period_value(rows, {1: "sum"}, kind="year", year=2024)
        assert (q1[1]["actual"], q2[1]["actual"], y24[1]["actual"]) == (1, 2, 3)

    def test_direct_month_is_reported_as_is(self):
        values = period_value(self.rows(), self.RULES, kind="month", year=2025, month=2)
        assert values[2] == {
            "target": 90, "actual": 100, "source_target": "direct", "source_actual": "direct"
        }

    def test_kpi_without_rule_sums(self):
        values = period_value([month(9, 1, 1, 1), month(9, 2, 1, 1)], {}, kind="quarter", year=2025,
                                     quarter=1)
        assert values[9]["actual"] == 2

    def test_empty_input(self):
        assert period_value([], {}, kind="year", year=2025) == {}
        assert derive_period_values([], {}).empty

    def test_unknown_rule_is_refused(self):
        with pytest.raises(ValueError):
            derive_period_values([month(1, 1, 1, 1)], {1: "median"})

    @pytest.mark.parametrize(
        ("rule", "expected"), [("sum", 9.0), ("average", 3.0), ("last", 5.0)]
    )
    def test_aggregate_values(self, rule, expected):
        assert aggregate_values([1, None, 3, 5], rule) == expected

    def test_aggregate_values_without_data(self):
        assert aggregate_values([None, None], "sum") is None

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=1, max_size=3),
           st.sampled_from(["sum", "average", "last"]))
    def test_derived_quarter_equals_the_scalar_rule(self, actuals, rule):
        rows = [month(1, m + 1, 1, a) for m, a in enumerate(actuals)]
        values = period_value(rows, {1: rule}, kind="quarter", year=2025, quarter=1)
        expected = aggregate_values(actuals, rule)
        got = values[1]["actual"]
        assert (got is None) == (expected is None)
        if expected is not None:
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)
