"""The pure result formula, suggested grade and distribution check."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from appraisal.engine.distribution import Rule, check_distribution
from appraisal.engine.result import Band, departure, result_score, suggested_grade

WEIGHTS = {"scorecard": Decimal("50"), "review": Decimal("20"), "manager": Decimal("30")}
BANDS = [Band("S", 0, Decimal("110")), Band("A", 1, Decimal("95")), Band("B", 2, Decimal("80")),
         Band("C", 3, Decimal("60")), Band("D", 4, Decimal("0"))]  # fmt: skip


def test_every_component_counts_by_its_weight():
    values = {"scorecard": Decimal("90"), "review": Decimal("80"), "manager": Decimal("100")}
    result = result_score(values, WEIGHTS)
    assert result.score == Decimal("91.00")  # 45 + 16 + 30
    assert result.left_out == ()


def test_a_component_without_data_is_left_out_and_the_rest_renormalised():
    result = result_score({"scorecard": Decimal("90"), "review": None, "manager": Decimal("100")}, WEIGHTS)
    assert result.score == Decimal("93.75")  # (90×50 + 100×30) / 80, not 45 + 0 + 30
    assert result.left_out == ("review",)
    assert result.effective_weights == {"scorecard": Decimal("62.50"), "manager": Decimal("37.50")}


def test_no_data_at_all_is_no_score():
    assert result_score({"scorecard": None, "review": None, "manager": None}, WEIGHTS).score is None


@given(
    st.dictionaries(
        st.sampled_from(["scorecard", "review", "manager"]),
        st.decimals(min_value=0, max_value=120, places=2),
    )
)
def test_the_result_lies_between_the_components_it_counts(values):
    result = result_score(values, WEIGHTS)
    if not values:
        assert result.score is None
    else:
        low, high = min(values.values()), max(values.values())
        assert low - Decimal("0.01") <= result.score <= high + Decimal("0.01")


def test_the_suggested_grade_is_the_best_band_the_score_reaches():
    assert suggested_grade(Decimal("112"), BANDS) == "S"
    assert suggested_grade(Decimal("95"), BANDS) == "A"
    assert suggested_grade(Decimal("94.99"), BANDS) == "B"
    assert suggested_grade(None, BANDS) is None
    assert departure("B", "A", BANDS) == 1
    assert departure("B", "D", BANDS) == 2
    assert departure(None, "D", BANDS) == 0


def test_the_distribution_check_counts_groups_of_grades():
    rules = [Rule(("S",), True, Decimal("10")), Rule(("S", "A"), True, Decimal("30")),
             Rule(("C", "D"), False, Decimal("5"))]  # fmt: skip
    checks = check_distribution({"S": 2, "A": 1, "B": 7, "C": 0, "D": 0}, rules)
    assert [(c.count, c.share, c.met) for c in checks] == [
        (2, Decimal("20.00"), False), (3, Decimal("30.00"), True), (0, Decimal("0.00"), False)
    ]  # fmt: skip
    assert all(check.met for check in check_distribution({}, rules))
