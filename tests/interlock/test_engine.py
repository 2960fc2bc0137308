"""The score engine (DESIGN.md §6): the worked example, the seed tables, and properties that always hold."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interlock.engine import (
    FLAG_COLLAB_LOW,
    FLAG_NO_DATA,
    FLAG_NO_KPI_DATA,
    FLAG_POINTS_CLAMPED,
    FLAG_REVIEW,
    FLAG_SPECIAL_REVIEW,
    REASON_BELOW_K,
    REASON_NO_RATINGS,
    EngineParams,
    PeriodInputs,
    compute_period,
    largest_remainder_cents,
)
from interlock.models import CompactRowsJSONField
from tests.interlock.seed_tables import (
    KPI,
    UNIT,
    seed_inputs,
)

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def codes(card) -> list[str]:
    return [flag["code"] for flag in card.flags]


def breakdown_sum(card) -> Decimal:
    return sum((row["value"] for row in card.breakdown), Decimal("0"))


def one_kpi(target, actual, direction="higher_better", **extra) -> PeriodInputs:
    return PeriodInputs(
        kpis={"kpi": [1], "direction": [direction], "cap": [1.2]},
        measurements={"kpi": [1], "target": [target], "actual": [actual]},
        **extra,
    )


# --------------------------------------------------------------------------------------------- worked example


def test_worked_example_of_design_section_6():
    """客户留存率: target 90 %, actual 81 % → 90; sales 50 / service 30 / R&D 20 → points 45 / 27 / 18,
    shortfall 5 / 3 / 2."""
    result = compute_period(
        one_kpi(
            Decimal("90"),
            Decimal("81"),
            matrix_rows={
                "matrix": [7, 7, 7],
                "kpi": [1, 1, 1],
                "unit": [11, 12, 13],
                "role": ["lead", "collaborating", "support"],
                "share": [50, 30, 20],
            },
        )
    )
    assert result.kpi_scores == {1: pytest.approx(90.0)}
    rows = {row.unit: row for row in result.matrix_rows}
    assert [rows[u].contribution for u in (11, 12, 13)] == [pytest.approx(90.0)] * 3
    assert [rows[u].responsibility_points for u in (11, 12, 13)] == [
        pytest.approx(45),
        pytest.approx(27),
        pytest.approx(18),
    ]
    assert [rows[u].shortfall for u in (11, 12, 13)] == [pytest.approx(5), pytest.approx(3), pytest.approx(2)]
    assert [rows[u].role for u in (11, 12, 13)] == ["lead", "collaborating", "support"]
    (matrix,) = result.matrices
    assert matrix.composite == pytest.approx(90.0) and matrix.complete


# --------------------------------------------------------------------------------------------- seed tables


def test_seed_customer_retention_matrix():
    result = compute_period(seed_inputs())
    rows = {(r.kpi, r.unit): r for r in result.matrix_rows}
    k = KPI["retention"]
    assert {
        UNIT[name]: (rows[k, UNIT[name]].responsibility_points, rows[k, UNIT[name]].shortfall)
        for name in ("sales", "service", "rnd")
    } == {
        UNIT["sales"]: (pytest.approx(45), pytest.approx(5)),
        UNIT["service"]: (pytest.approx(27), pytest.approx(3)),
        UNIT["rnd"]: (pytest.approx(18), pytest.approx(2)),
    }


def test_seed_receivable_days_matrix_is_lower_better():
    """应收账款周转天数: finance lead 60 / sales collaborating 40; target 45 days, actual 50 → 90."""
    result = compute_period(seed_inputs())
    k = KPI["dso"]
    assert result.kpi_scores[k] == pytest.approx(90.0)
    rows = {r.unit: r for r in result.matrix_rows if r.kpi == k}
    assert (rows[UNIT["finance"]].role, rows[UNIT["finance"]].share) == ("lead", 60)
    assert rows[UNIT["finance"]].responsibility_points == pytest.approx(54) and rows[
        UNIT["finance"]
    ].shortfall == pytest.approx(6)
    assert rows[UNIT["sales"]].responsibility_points == pytest.approx(36) and rows[
        UNIT["sales"]
    ].shortfall == pytest.approx(4)
    assert next(m for m in result.matrices if m.kpi == k).composite == pytest.approx(90)


def test_seed_key_account_renewal_matrix_with_evaluation_kpis():
    """大客户续约率: sales 40 / service 25 / delivery 25 / R&D 10, each judged by its own evaluation KPI."""
    result = compute_period(seed_inputs())
    k = KPI["renewal"]
    assert result.kpi_scores[k] == pytest.approx(95.0)
    rows = {r.unit: r for r in result.matrix_rows if r.kpi == k}
    expected = {  # unit: (evaluation KPI, contribution, points, shortfall)
        "sales": ("renewal_ratio", 110, 44, 0),
        "service": ("complaint_rate", 80, 20, 5),
        "delivery": ("milestone_on_time", 100, 25, 0),
        "rnd": ("major_incidents", 75, 7.5, 2.5),
    }
    for name, (eval_kpi, contribution, points, shortfall) in expected.items():
        row = rows[UNIT[name]]
        assert row.eval_kpi == KPI[eval_kpi] and row.source == "evaluation_kpi"
        assert row.contribution == pytest.approx(contribution)
        assert row.responsibility_points == pytest.approx(points)
        assert row.shortfall == pytest.approx(shortfall)
    assert sum(r.share for r in rows.values()) == 100
    assert next(m for m in result.matrices if m.kpi == k).composite == pytest.approx(96.5)


def test_seed_sales_scorecard_exact():
    """Sales: own 客户留存率 40, shared 应收账款周转天数 20, shared 大客户续约率 20
    (judged by 续约比例 → 110), own 销售额 20 (→ 110); ρ 0.2 with five raters averaging 4.2 (→ 80);
    +3 approved points.
    KPI part 98, base 0.8 × 98 + 0.2 × 80 = 94.4, total 97.4."""
    card = compute_period(seed_inputs()).scorecard(1)
    assert card.kpi_part == pytest.approx(98.0)
    assert card.review_part == pytest.approx(80.0)
    assert card.base == pytest.approx(94.4)
    assert card.total == Decimal("97.40")
    assert card.collaborative_share == 40
    assert not card.incomplete and card.flags == []
    lines = [row for row in card.breakdown if row["kind"] == "line"]
    assert [row["value"] for row in lines] == [
        Decimal("28.80"),
        Decimal("14.40"),
        Decimal("17.60"),
        Decimal("17.60"),
    ]
    renewal = next(row for row in lines if row["kpi"] == KPI["renewal"])
    assert renewal["source"] == "evaluation_kpi" and renewal["eval_kpi"] == KPI["renewal_ratio"]
    assert renewal["kpi_score"] == pytest.approx(95) and renewal["score"] == pytest.approx(110)
    assert (renewal["matrix_role"], renewal["share"]) == ("lead", 40)
    dso = next(row for row in lines if row["kpi"] == KPI["dso"])
    assert (dso["target"], dso["actual"], dso["matrix_role"], dso["share"]) == (45, 50, "collaborating", 40)
    review, points = card.breakdown[-2:]
    assert (review["kind"], review["value"]) == ("review", Decimal("16.00"))
    assert (points["kind"], points["value"]) == ("points", Decimal("3.00"))
    assert breakdown_sum(card) == card.total


def test_seed_rnd_scorecard_reference_line_raises_special_review():
    """R&D carries 客户留存率 only as a reference (threshold 95): the KPI scores 90, so a special review is
    flagged; the reference line adds nothing to the total.
    Its shared 大客户续约率 line is judged by 重大故障数."""
    card = compute_period(seed_inputs()).scorecard(3)
    special = [f for f in card.flags if f["code"] == FLAG_SPECIAL_REVIEW]
    assert special == [
        {
            "code": FLAG_SPECIAL_REVIEW,
            "line": 32,
            "kpi": KPI["retention"],
            "score": pytest.approx(90.0),
            "threshold": 95.0,
        }
    ]
    reference = next(row for row in card.breakdown if row.get("role") == "reference")
    assert reference["value"] == Decimal("0.00") and reference["counts"] is False
    # own 产品稳定性 80 at 100, shared 大客户续约率 20 judged by 重大故障数 → 75: (8000 + 1500) / 100
    assert card.kpi_part == pytest.approx(95.0)
    assert card.total == Decimal("95.00")
    assert breakdown_sum(card) == card.total


def test_double_counting_each_scorecard_counts_the_kpi_in_full():
    result = compute_period(seed_inputs())
    retention = KPI["retention"]
    counted = {}
    for card in result.scorecards:
        for row in card.breakdown:
            if row.get("kpi") == retention:
                counted[card.scorecard] = (row["role"], row["score"])
    assert counted == {
        1: ("own", pytest.approx(90)),
        2: ("shared", pytest.approx(90)),
        3: ("reference", pytest.approx(90)),
    }
    service = result.scorecard(2)
    # service: shared 客户留存率 30 (90), own 投诉率 70 (80): KPI part 83; no review (ρ 0)
    assert service.kpi_part == pytest.approx(83.0) and service.total == Decimal("83.00")


# --------------------------------------------------------------------------------------------- rules


def card_inputs(lines, *, measurements=None, rho=0.0, ratings=None, points=None, matrix_rows=None):
    kpi_ids = sorted({line[0] for line in lines} | {m[0] for m in (measurements or [])})
    measurements = measurements if measurements is not None else [(k, 100, 90) for k in kpi_ids]
    return PeriodInputs(
        kpis={"kpi": kpi_ids, "direction": ["higher_better"] * len(kpi_ids), "cap": [1.2] * len(kpi_ids)},
        measurements={
            "kpi": [m[0] for m in measurements],
            "target": [m[1] for m in measurements],
            "actual": [m[2] for m in measurements],
        },
        matrix_rows=matrix_rows,
        scorecards={"scorecard": [1], "subject": ["unit:1"], "unit": [1], "rho": [rho]},
        lines={
            "scorecard": [1] * len(lines),
            "kpi": [line[0] for line in lines],
            "weight": [line[1] for line in lines],
            "role": [line[2] for line in lines],
            "line": list(range(101, 101 + len(lines))),
        },
        ratings=ratings,
        points=points,
    )


def test_renormalises_over_lines_with_data_and_lists_the_rest():
    inputs = card_inputs(
        [(1, 50, "own"), (2, 30, "own"), (3, 20, "shared")],
        measurements=[(1, 100, 80), (3, 100, 100), (2, 100, None)],
    )
    card = compute_period(inputs).scorecard(1)
    assert card.kpi_part == pytest.approx((50 * 80 + 20 * 100) / 70)
    assert card.incomplete
    assert [f for f in card.flags if f["code"] == FLAG_NO_DATA] == [
        {"code": FLAG_NO_DATA, "line": 102, "kpi": 2}
    ]
    missing = next(row for row in card.breakdown if row.get("kpi") == 2)
    assert missing["score"] is None and missing["has_data"] is False and missing["value"] == Decimal("0.00")
    assert breakdown_sum(card) == card.total == Decimal("85.71")


def test_no_data_at_all_gives_no_total_never_zero():
    inputs = card_inputs([(1, 100, "own")], measurements=[])
    card = compute_period(inputs).scorecard(1)
    assert card.kpi_part is None and card.total is None and card.base is None
    assert FLAG_NO_KPI_DATA in codes(card) and card.incomplete
    assert all(row["value"] is None for row in card.breakdown)


def test_evaluation_kpi_without_data_is_no_data_not_the_kpis_score():
    inputs = card_inputs(
        [(1, 100, "shared")],
        measurements=[(1, 100, 90)],
        matrix_rows={
            "matrix": [5, 5],
            "kpi": [1, 1],
            "unit": [1, 2],
            "role": ["collaborating", "lead"],
            "share": [30, 70],
            "eval_kpi": [9, None],
        },
    )
    inputs.kpis = {"kpi": [1, 9], "direction": ["higher_better"] * 2, "cap": [1.2, 1.2]}
    result = compute_period(inputs)
    row = result.matrix_row(5, 1)
    assert row.contribution is None and row.responsibility_points is None and row.shortfall is None
    assert result.matrices[0].composite is None and not result.matrices[0].complete
    card = result.scorecard(1)
    assert card.total is None and card.incomplete


def test_contribution_above_100_has_no_shortfall_and_counts_above_100():
    result = compute_period(
        one_kpi(
            100,
            130,
            matrix_rows={
                "matrix": [1, 1],
                "kpi": [1, 1],
                "unit": [1, 2],
                "role": ["lead", "support"],
                "share": [80, 20],
            },
        )
    )
    lead = result.matrix_row(1, 1)
    assert (
        lead.contribution == pytest.approx(120)
        and lead.responsibility_points == pytest.approx(96)
        and lead.shortfall == 0
    )


@pytest.mark.parametrize(
    ("raters", "k", "counted"),
    [(0, 5, False), (4, 5, False), (5, 5, True), (3, 3, True), (2, 3, False)],
)
def test_review_part_needs_k_distinct_raters(raters, k, counted):
    ratings = {
        "subject": ["unit:1"] * (raters * 2),
        "rater": list(range(raters)) * 2,
        "value": [5, 3] * raters,
    }
    card = compute_period(
        card_inputs([(1, 100, "own")], rho=0.25, ratings=ratings), EngineParams(anonymity_threshold=k)
    ).scorecard(1)
    assert card.raters == raters
    if counted:
        assert card.review_part == pytest.approx(75.0) and card.rho_effective == 0.25
        assert card.total == Decimal("86.25")  # 0.75 × 90 + 0.25 × 75
        assert FLAG_REVIEW not in codes(card)
    else:
        assert card.review_part is None and card.rho_effective == 0
        assert card.total == Decimal("90.00")
        (flag,) = [f for f in card.flags if f["code"] == FLAG_REVIEW]
        assert flag["reason"] == (REASON_NO_RATINGS if raters == 0 else REASON_BELOW_K) and flag["k"] == k
        review_row = next(row for row in card.breakdown if row["kind"] == "review")
        assert review_row["review_part"] is None and review_row["value"] == Decimal("0.00")


def test_review_ignores_other_subjects_and_no_flag_without_rho():
    ratings = {"subject": ["unit:2"] * 5, "rater": [1, 2, 3, 4, 5], "value": [5] * 5}
    card = compute_period(card_inputs([(1, 100, "own")], rho=0.0, ratings=ratings)).scorecard(1)
    assert card.raters == 0 and FLAG_REVIEW not in codes(card)


@pytest.mark.parametrize(
    ("points", "expected", "clamped"),
    [
        ([4, 3], 7, False),
        ([8, 5], 10, True),
        ([-6, -7.5], -10, True),
        ([10], 10, False),
        ([], 0, False),
    ],
)
def test_points_clamped_to_cap(points, expected, clamped):
    inputs = card_inputs([(1, 100, "own")], points={"subject": ["unit:1"] * len(points), "points": points})
    card = compute_period(inputs, EngineParams(point_cap=10)).scorecard(1)
    assert card.points == expected and card.points_raw == pytest.approx(sum(points))
    assert (FLAG_POINTS_CLAMPED in codes(card)) is clamped
    assert card.total == Decimal("90.00") + Decimal(str(expected)).quantize(Decimal("0.01"))
    assert breakdown_sum(card) == card.total


def test_collaborative_share_below_minimum_is_flagged():
    low = compute_period(
        card_inputs([(1, 90, "own"), (2, 10, "shared")]), EngineParams(min_collaborative_weight=20)
    ).scorecard(1)
    ok = compute_period(
        card_inputs([(1, 70, "own"), (2, 30, "shared")]), EngineParams(min_collaborative_weight=20)
    ).scorecard(1)
    assert low.collaborative_share == 10 and FLAG_COLLAB_LOW in codes(low)
    assert ok.collaborative_share == 30 and FLAG_COLLAB_LOW not in codes(ok)


def test_reference_line_weight_is_ignored_and_no_flag_above_threshold():
    inputs = card_inputs([(1, 100, "own"), (2, 40, "reference")], measurements=[(1, 100, 80), (2, 100, 50)])
    inputs.lines["threshold"] = [None, 40]
    card = compute_period(inputs).scorecard(1)
    assert card.kpi_part == pytest.approx(80) and FLAG_SPECIAL_REVIEW not in codes(card)


def test_rounding_thirds_still_adds_up_exactly():
    inputs = card_inputs(
        [(1, 1, "own"), (2, 1, "own"), (3, 1, "shared")],
        measurements=[(1, 3, 1), (2, 3, 2), (3, 7, 6)],
        rho=1 / 3,
        ratings={"subject": ["unit:1"] * 5, "rater": [1, 2, 3, 4, 5], "value": [2, 3, 3, 4, 5]},
        points={"subject": ["unit:1"], "points": [-10 / 3]},
    )
    card = compute_period(inputs).scorecard(1)
    assert card.total == Decimal(str(round(float(card.base) + card.points, 2)))
    assert breakdown_sum(card) == card.total


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="role"):
        compute_period(card_inputs([(1, 100, "main")]))
    with pytest.raises(ValueError, match="twice"):
        compute_period(
            one_kpi(
                1,
                1,
                matrix_rows={
                    "matrix": [1, 1],
                    "kpi": [1, 1],
                    "unit": [3, 3],
                    "role": ["lead", "support"],
                    "share": [50, 50],
                },
            )
        )
    with pytest.raises(ValueError, match="more than one matrix"):
        compute_period(
            one_kpi(
                1,
                1,
                matrix_rows={
                    "matrix": [1, 2],
                    "kpi": [1, 1],
                    "unit": [3, 4],
                    "role": ["lead", "lead"],
                    "share": [100, 100],
                },
            )
        )
    inputs = card_inputs([(1, 100, "own")])
    inputs.lines["scorecard"] = [99]
    with pytest.raises(ValueError, match="scorecard"):
        compute_period(inputs)
    with pytest.raises(ValueError, match="missing column"):
        compute_period(PeriodInputs(lines={"scorecard": [1]}))


def test_empty_period():
    result = compute_period(PeriodInputs())
    assert result.scorecards == [] and result.matrices == [] and result.kpi_scores == {}


def test_largest_remainder_keeps_group_totals():
    values = np.array([1 / 3, 1 / 3, 1 / 3, 2.005, -1.004, 0.0])
    groups = np.array([0, 0, 0, 1, 1, 1])
    cents, totals = largest_remainder_cents(values, groups, 2, np.array([1.0, 1.001]))
    # 200.5 and -100.4 hundredths: floors 200 and -101 leave one hundredth, given to the larger remainder (.6)
    assert cents.tolist() == [34, 33, 33, 200, -100, 0]
    assert totals.tolist() == [100, 100]


# --------------------------------------------------------------------------------------------- properties

UNITS = (1, 2, 3, 4)
KPIS = (1, 2, 3, 4, 5, 6)


@st.composite
def periods(draw):
    """A random period: KPIs with or without data, matrices (one lead, shares summing to 100, optional
    evaluation KPIs), one scorecard per unit with own/shared/reference lines, ratings and points."""
    kpis = {"kpi": list(KPIS), "direction": [], "cap": []}
    measurements = {"kpi": [], "target": [], "actual": []}
    for k in KPIS:
        kpis["direction"].append(draw(st.sampled_from(["higher_better", "lower_better"])))
        kpis["cap"].append(draw(st.sampled_from([1.0, 1.2, 1.5])))
        if draw(st.integers(0, 4)):
            measurements["kpi"].append(k)
            measurements["target"].append(draw(st.integers(1, 1000)))
            measurements["actual"].append(draw(st.one_of(st.none(), st.integers(0, 1500))))
    matrix_rows = {"matrix": [], "kpi": [], "unit": [], "role": [], "share": [], "eval_kpi": []}
    for k in draw(st.lists(st.sampled_from(KPIS), unique=True, max_size=4)):
        units = draw(st.lists(st.sampled_from(UNITS), unique=True, min_size=1, max_size=4))
        cuts = sorted(
            draw(st.lists(st.integers(1, 99), unique=True, min_size=len(units) - 1, max_size=len(units) - 1))
        )
        shares = np.diff([0, *cuts, 100]).tolist()
        for i, unit in enumerate(units):
            matrix_rows["matrix"].append(100 + k)
            matrix_rows["kpi"].append(k)
            matrix_rows["unit"].append(unit)
            matrix_rows["role"].append(
                "lead" if i == 0 else draw(st.sampled_from(["collaborating", "support"]))
            )
            matrix_rows["share"].append(shares[i])
            matrix_rows["eval_kpi"].append(draw(st.one_of(st.none(), st.sampled_from(KPIS))))
    scorecards = {"scorecard": [], "subject": [], "unit": [], "rho": []}
    lines = {"scorecard": [], "kpi": [], "weight": [], "role": [], "threshold": [], "line": []}
    line_id = 1000
    for unit in UNITS:
        scorecards["scorecard"].append(unit)
        scorecards["subject"].append(f"unit:{unit}")
        scorecards["unit"].append(unit)
        scorecards["rho"].append(draw(st.sampled_from([0, 0.1, 0.2, 1 / 3, 0.5])))
        for k in draw(st.lists(st.sampled_from(KPIS), unique=True, max_size=5)):
            role = draw(st.sampled_from(["own", "shared", "reference"]))
            lines["scorecard"].append(unit)
            lines["kpi"].append(k)
            lines["weight"].append(0 if role == "reference" else draw(st.integers(0, 60)))
            lines["role"].append(role)
            lines["threshold"].append(draw(st.integers(50, 110)) if role == "reference" else None)
            lines["line"].append(line_id)
            line_id += 1
    ratings = {"subject": [], "rater": [], "value": []}
    for unit in UNITS:
        for rater in range(draw(st.integers(0, 7))):
            ratings["subject"].append(f"unit:{unit}")
            ratings["rater"].append(rater)
            ratings["value"].append(draw(st.integers(1, 5)))
    points = {"subject": [], "points": []}
    for _ in range(draw(st.integers(0, 6))):
        points["subject"].append(f"unit:{draw(st.sampled_from(UNITS))}")
        points["points"].append(draw(st.sampled_from([-5, -3, -2.5, 1, 2, 3, 4.75])))
    return PeriodInputs(
        kpis=kpis,
        measurements=measurements,
        matrix_rows=matrix_rows,
        scorecards=scorecards,
        lines=lines,
        ratings=ratings,
        points=points,
    )


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def card_view(card):
    return (
        card.total,
        card.kpi_part,
        card.review_part,
        card.points,
        card.incomplete,
        [f["code"] for f in card.flags],
        [(r["kind"], r.get("line"), r["value"]) for r in card.breakdown],
    )


@PROPERTY
@given(periods())
def test_property_breakdown_adds_up_to_total(inputs):
    for card in compute_period(inputs).scorecards:
        if card.total is None:
            assert card.kpi_part is None and all(row["value"] is None for row in card.breakdown)
        else:
            assert breakdown_sum(card) == card.total
            assert abs(float(card.total) - (card.base + card.points)) <= 0.005 + 1e-9
            assert -10 <= card.points <= 10


@PROPERTY
@given(periods(), st.sampled_from(KPIS), st.integers(1, 500))
def test_property_raising_an_actual_never_lowers_a_higher_better_line(inputs, kpi, raise_by):
    measured = dict(zip(inputs.measurements["kpi"], inputs.measurements["actual"], strict=True))
    # The raised KPI is higher_better wherever it is used (as K or as an evaluation KPI).
    for i, k in enumerate(inputs.kpis["kpi"]):
        if k == kpi:
            inputs.kpis["direction"][i] = "higher_better"
    if measured.get(kpi) is None:
        return
    before = compute_period(inputs)
    index = inputs.measurements["kpi"].index(kpi)
    inputs.measurements["actual"][index] += raise_by
    after = compute_period(inputs)
    for card_before, card_after in zip(before.scorecards, after.scorecards, strict=True):
        for row_b, row_a in zip(card_before.breakdown, card_after.breakdown, strict=True):
            if row_b["kind"] == "line" and row_b["score"] is not None:
                assert row_a["score"] >= row_b["score"] - 1e-9
        if card_before.total is not None:
            assert card_after.total >= card_before.total


@PROPERTY
@given(
    periods(),
    st.sampled_from(UNITS),
    st.sampled_from(KPIS),
    st.integers(0, 50),
    st.sampled_from(["own", "shared", "reference"]),
)
def test_property_adding_a_line_changes_no_other_scorecard(inputs, unit, kpi, weight, role):
    before = {card.scorecard: card_view(card) for card in compute_period(inputs).scorecards}
    if any(
        s == unit and k == kpi for s, k in zip(inputs.lines["scorecard"], inputs.lines["kpi"], strict=True)
    ):
        return
    inputs.lines["scorecard"].append(unit)
    inputs.lines["kpi"].append(kpi)
    inputs.lines["weight"].append(weight)
    inputs.lines["role"].append(role)
    inputs.lines["threshold"].append(60 if role == "reference" else None)
    inputs.lines["line"].append(9999)
    after = {card.scorecard: card_view(card) for card in compute_period(inputs).scorecards}
    for scorecard, view in before.items():
        if scorecard != unit:
            assert after[scorecard] == view


@PROPERTY
@given(periods())
def test_property_kpi_part_is_the_weighted_mean_over_lines_with_data(inputs):
    result = compute_period(inputs)
    for card in result.scorecards:
        rows = [r for r in card.breakdown if r["kind"] == "line" and r["role"] != "reference"]
        with_data = [(r["weight"], r["score"]) for r in rows if r["score"] is not None and r["weight"] > 0]
        weight = sum(w for w, _s in with_data)
        if weight:
            # breakdown floats carry 6 decimals
            assert card.kpi_part == pytest.approx(sum(w * s for w, s in with_data) / weight, abs=1e-5)
        else:
            assert card.kpi_part is None
        assert card.incomplete == any(r["score"] is None and r["weight"] > 0 for r in rows)


@PROPERTY
@given(periods(), st.integers(3, 8))
def test_property_review_only_counts_with_k_raters(inputs, k):
    for card in compute_period(inputs, EngineParams(anonymity_threshold=k)).scorecards:
        if card.raters >= k:
            assert card.review_part is not None and card.rho_effective == card.rho
        else:
            assert card.review_part is None and card.rho_effective == 0


@PROPERTY
@given(periods(), st.sampled_from([0, 2.5, 5, 10]))
def test_property_points_clamp(inputs, cap):
    for card in compute_period(inputs, EngineParams(point_cap=cap)).scorecards:
        assert card.points == pytest.approx(max(-cap, min(cap, card.points_raw)))
        assert (FLAG_POINTS_CLAMPED in codes(card)) == (abs(card.points_raw) > cap)


@PROPERTY
@given(periods())
def test_property_matrix_points_and_shortfall(inputs):
    for row in compute_period(inputs).matrix_rows:
        if row.contribution is None:
            assert row.responsibility_points is None and row.shortfall is None
        else:
            assert row.responsibility_points == pytest.approx(row.share * row.contribution / 100)
            assert row.shortfall == pytest.approx(row.share * (100 - min(row.contribution, 100)) / 100)
            if row.contribution <= 100:
                assert row.responsibility_points + row.shortfall == pytest.approx(row.share)


def test_vectorised_columns_are_available_as_frames():
    result = compute_period(seed_inputs())
    cards = result.frame("scorecards").set_index("scorecard")
    assert cards.loc[1, "total_cents"] == 9740 and cards.loc[1, "kpi_part"] == pytest.approx(98)
    lines = result.frame("lines")
    assert len(lines) == 9 and lines["special_review"].sum() == 1
    assert set(result.frame("matrices")["composite"].round(6)) == {90.0, 96.5}


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        compute_period(PeriodInputs(kpis={"kpi": [1, 2], "direction": ["higher_better"]}))


def as_stored(result) -> list[tuple]:
    """Each scorecard's breakdown and flags as the snapshot writer stores them, read back by the field."""
    read = CompactRowsJSONField().from_db_value
    return [
        (read(breakdown, None, connection), json.loads(flags))
        for breakdown, flags in zip(result.breakdown_documents(), result.flag_documents(), strict=True)
    ]


def as_encoded(result) -> list[tuple]:
    """Each scorecard's plain breakdown and flags through the JSON encoder (Decimals become strings)."""
    return [
        json.loads(json.dumps([card.breakdown, card.flags], cls=DjangoJSONEncoder))
        for card in result.scorecards
    ]


def test_documents_are_the_plain_records_as_json():
    result = compute_period(seed_inputs())
    assert [list(pair) for pair in as_stored(result)] == as_encoded(result)
    sales = as_stored(result)[0][0]
    assert [row["value"] for row in sales] == [str(row["value"]) for row in result.scorecard(1).breakdown]


def test_documents_without_line_ids_or_total():
    inputs = card_inputs(
        [(1, 60, "own"), (2, 40, "shared")], rho=0.5, points={"subject": ["unit:1"], "points": [9]}
    )
    inputs.measurements = {"kpi": [], "target": [], "actual": []}
    del inputs.lines["line"]
    result = compute_period(
        inputs, EngineParams(anonymity_threshold=3, point_cap=7, min_collaborative_weight=50)
    )
    ((breakdown, flags),) = as_stored(result)
    assert [list(pair) for pair in as_stored(result)] == as_encoded(result)
    assert all(row["value"] is None for row in breakdown)
    assert [flag["code"] for flag in flags] == [
        FLAG_NO_DATA,
        FLAG_NO_DATA,
        FLAG_REVIEW,
        FLAG_POINTS_CLAMPED,
        FLAG_COLLAB_LOW,
        FLAG_NO_KPI_DATA,
    ]
    assert [flag["line"] for flag in flags[:2]] == [None, None]


@PROPERTY
@given(periods(), st.sampled_from([1, 5]), st.sampled_from([10, 2.5]), st.sampled_from([20.0, 35]))
def test_property_documents_are_the_plain_records_as_json(inputs, k, cap, minimum):
    result = compute_period(
        inputs, EngineParams(anonymity_threshold=k, point_cap=cap, min_collaborative_weight=minimum)
    )
    assert [list(pair) for pair in as_stored(result)] == as_encoded(result)


def test_breakdowns_written_with_their_keys_still_read_back():
    """Documents written before the layout numbers name their keys ({"c": …}); both forms read the same."""
    card = compute_period(seed_inputs()).scorecard(1)
    rows = json.loads(json.dumps(card.breakdown, cls=DjangoJSONEncoder))
    read = CompactRowsJSONField().from_db_value
    with_keys = json.dumps(CompactRowsJSONField().get_prep_value(card.breakdown), cls=DjangoJSONEncoder)
    assert '"c"' in with_keys and read(with_keys, None, connection) == rows
    assert read(compute_period(seed_inputs()).breakdown_documents()[0], None, connection) == rows
