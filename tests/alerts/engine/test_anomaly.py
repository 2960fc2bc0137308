"""Robust-z and seasonal-difference verdicts on monthly series, and the threshold backtest (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from alerts.engine.anomaly import (
    BOTH,
    HIGHER_BETTER,
    LOWER_BETTER,
    backtest,
    check_latest,
    evaluate,
    series_matrix,
)


def noise(rows: int, points: int, seed: int = 7) -> np.ndarray:
    return 100 + np.random.default_rng(seed).normal(0, 2, (rows, points))


def test_a_planted_spike_is_found_and_quiet_series_stay_quiet():
    matrix = noise(200, 36)
    matrix[17, -1] += 16  # 8 σ
    verdicts = check_latest(matrix, direction=LOWER_BETTER)
    assert np.flatnonzero(verdicts.flagged).tolist() == [17]
    assert verdicts.value[17] > verdicts.upper[17] and verdicts.score[17] > 3.5
    # The band is the median of the last 12 points ± 3.5 robust σ.
    window = matrix[17, -13:-1]
    assert verdicts.expected[17] == pytest.approx(np.median(window))
    mad = np.median(np.abs(window - np.median(window)))
    assert verdicts.upper[17] - verdicts.expected[17] == pytest.approx(3.5 * 1.4826 * mad)


def test_a_level_shift_is_found_while_the_window_holds_the_old_level():
    matrix = noise(50, 36, seed=3)
    matrix[4, -3:] -= 12  # the last three months 6 σ lower
    verdicts = check_latest(matrix, direction=HIGHER_BETTER)
    assert np.flatnonzero(verdicts.flagged).tolist() == [4]
    history = evaluate(matrix[4], direction=HIGHER_BETTER)
    assert history.flagged[0, -3:].all() and not history.flagged[0, :-3].any()


def test_a_seasonal_pattern_does_not_alert_once_two_seasons_exist():
    months = np.arange(36)
    rng = np.random.default_rng(11)
    # Year-end push: December doubles, January halves; noise 1 %.
    profile = np.where(months % 12 == 11, 2.0, np.where(months % 12 == 0, 0.5, 1.0))
    series = 100 * profile * (1 + 0.01 * rng.standard_normal(36))
    seasonal = evaluate(series, season=12)
    assert (seasonal.method[0, 24:] == 2).all()  # seasonal differences from month 25 on
    assert not seasonal.flagged[0, 24:].any()
    # December of the third year: the mean of last December and the one before, each moved by the median
    # yearly change of the last 12 months; the band from the MAD of those changes × √(3/4), or 1 % of the
    # expected value where that is wider (here: the noise is 1 %).
    changes = series[23:35] - series[11:23]
    step = np.median(changes)
    expected = (series[23] + step + series[11] + 2 * step) / 2
    assert seasonal.expected[0, 35] == pytest.approx(expected)
    robust_sigma = 1.4826 * np.median(np.abs(changes - step)) * np.sqrt(0.75)
    half_width = 3.5 * max(robust_sigma, 0.01 * expected)
    assert seasonal.upper[0, 35] - seasonal.expected[0, 35] == pytest.approx(half_width)
    loose = evaluate(series, positions=[35], season=12, relative_floor=0)
    assert loose.upper[0, 0] - loose.expected[0, 0] == pytest.approx(3.5 * robust_sigma)
    # The same points judged without the season: every December and January is flagged.
    plain = evaluate(series)
    assert plain.flagged[0, [23, 24, 35]].all()
    # The season is each series' own: the same series twice, seasonal and not.
    both = evaluate(np.vstack([series, series]), season=[12, 0])
    assert both.method[:, 35].tolist() == [2, 1] and both.flagged[:, 35].tolist() == [False, True]


def test_a_spike_does_not_come_back_as_an_anomaly_a_season_later():
    months = np.arange(40)
    rng = np.random.default_rng(13)
    series = 100 + 10 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 1, 40)
    series[26] += 15  # a spike; month 38 looks a season back at it
    verdicts = evaluate(series, season=12)
    assert np.flatnonzero(verdicts.flagged[0]).tolist() == [26]
    assert abs(verdicts.expected[0, 38] - series[38]) < 5
    # A genuine drop a season after the spike is still found.
    series[38] -= 15
    assert np.flatnonzero(evaluate(series, season=12).flagged[0]).tolist() == [26, 38]


def test_no_verdict_before_the_minimum_history_and_how_much_is_missing():
    series = np.array([10.0, 11, 10, 12, 11, 10, 11, 500])  # 7 points of history, then a spike
    verdicts = check_latest(series)
    assert not verdicts.flagged[0] and np.isnan(verdicts.expected[0])
    assert verdicts.history[0] == 7 and verdicts.missing[0] == 1
    assert verdicts.records()[0]["status"] == "too_short"
    assert check_latest(series[:4]).missing[0] == 5
    # One more point of history and the spike is judged.
    longer = np.array([10.0, 11, 10, 12, 11, 10, 11, 10, 500])
    assert check_latest(longer).flagged[0] and check_latest(longer).missing[0] == 0
    assert check_latest(longer, min_history=9).missing[0] == 1
    with pytest.raises(ValueError, match="window must hold"):
        check_latest(longer, min_history=13)
    with pytest.raises(ValueError, match="positions"):
        evaluate(longer, positions=[9])


def test_only_the_bad_direction_flags_unless_both_are_asked_for():
    matrix = noise(2, 24, seed=5)
    matrix[0, -1] += 20
    matrix[1, -1] -= 20
    for direction, expected in [
        (LOWER_BETTER, [True, False]),
        (HIGHER_BETTER, [False, True]),
        (BOTH, [True, True]),
        ([LOWER_BETTER, HIGHER_BETTER], [True, True]),
        ([HIGHER_BETTER, LOWER_BETTER], [False, False]),
    ]:
        assert check_latest(matrix, direction=direction).flagged.tolist() == expected, direction
    with pytest.raises(ValueError, match="unknown direction"):
        check_latest(matrix, direction="up")


def test_missing_points_shorten_the_history_and_a_missing_value_gets_no_verdict():
    matrix = noise(3, 20, seed=9)
    matrix[0, -1] += 20
    matrix[0, [10, 12, 14]] = np.nan  # three gaps in the window: 9 of 12 points remain
    matrix[1, -1] = np.nan
    matrix[2, 10:-1] = np.nan  # only 3 points in the window (columns 7–9)
    verdicts = check_latest(matrix)
    assert verdicts.flagged.tolist() == [True, False, False]
    assert verdicts.history.tolist() == [9, 12, 3]
    assert verdicts.missing.tolist() == [0, 0, 5]
    assert [r["status"] for r in verdicts.records()] == ["verdict", "no_value", "too_short"]
    assert verdicts.records()[1]["value"] is None and verdicts.records()[1]["expected"] is None


def test_a_flat_history_has_a_floor_on_its_band():
    series = np.array([50.0] * 12 + [50.4, 60])
    verdicts = evaluate(series, positions=[12, 13])
    assert verdicts.flagged.tolist() == [[False, True]]  # 0.8 % off is inside a 1 %-of-level floor
    assert verdicts.upper[0, 0] == pytest.approx(50 + 3.5 * 0.5)


def test_records_are_plain_and_name_the_series_and_position():
    verdicts = evaluate(noise(2, 10), positions=[8, 9], threshold=[3.0, 4.0])
    records = verdicts.records()
    assert [(r["series"], r["position"]) for r in records] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(type(r["expected"]) is float and type(r["flagged"]) is bool for r in records)
    assert all(r["upper"] - r["expected"] == pytest.approx(r["expected"] - r["lower"]) for r in records)
    # Each series' own threshold: the second's band is 4 robust σ wide each side, the first's 3.
    matrix = noise(2, 10)
    for row, k in [(0, 3.0), (1, 4.0)]:
        window = matrix[row, :8]
        robust_sigma = 1.4826 * np.median(np.abs(window - np.median(window)))
        assert verdicts.upper[row, 0] - verdicts.expected[row, 0] == pytest.approx(k * robust_sigma)
    assert records[0]["method"] == "robust_z"


def test_series_matrix_lays_long_rows_on_a_gapless_period_axis():
    keys, periods, matrix = series_matrix(
        series=["b", "a", "a", "b", "a"], periods=[24300, 24300, 24303, 24301, 24301], values=[1, 2, 3, 4, 5]
    )
    assert keys.tolist() == ["a", "b"] and periods.tolist() == [24300, 24301, 24302, 24303]
    np.testing.assert_array_equal(matrix, [[2, 5, np.nan, 3], [1, 4, np.nan, np.nan]])


def test_backtest_counts_flags_and_removed_false_alarms_per_candidate_threshold():
    series = noise(1, 36, seed=21)[0]
    series[[20, 30]] += [9, 20]  # a mild bump the analyst called normal, and a real spike
    current = evaluate(series, direction=LOWER_BETTER)
    assert np.flatnonzero(current.flagged[0]).tolist() == [20, 30]
    z_bump = current.score[0, 20]
    labels = np.zeros(36, dtype=bool)
    labels[20] = True
    result = backtest(series, labels, [3.5, z_bump + 0.1, 50], current_threshold=3.5, direction=LOWER_BETTER)
    assert result.current_flags == 2 and result.labelled_false_alarms == 1
    assert result.flags.tolist() == [2, 1, 0]
    assert result.false_alarms_removed.tolist() == [0, 1, 1]
    assert result.false_alarms_kept.tolist() == [1, 0, 0]
    assert result.other_flags_removed.tolist() == [0, 0, 1]  # 50 would also silence the real spike
    assert result.records()[1] == {
        "threshold": pytest.approx(z_bump + 0.1),
        "flags": 1,
        "false_alarms_removed": 1,
        "false_alarms_kept": 0,
        "other_flags_removed": 0,
    }
    with pytest.raises(ValueError, match="shape"):
        backtest(series, labels[:-1], [3.5])


def test_the_backtest_at_a_threshold_counts_what_the_check_flags_at_it():
    months = np.arange(48)
    rng = np.random.default_rng(17)
    matrix = 100 + 15 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 2, (40, 48))
    matrix[rng.integers(0, 40, 12), rng.integers(8, 48, 12)] += rng.choice([-1, 1], 12) * 14
    labels = np.zeros(matrix.shape, dtype=bool)
    for k in (2.5, 3.5, 5.0):
        flagged = evaluate(matrix, season=12, threshold=k, direction=BOTH).flagged
        result = backtest(matrix, labels, [k], current_threshold=k, season=12)
        assert result.flags[0] == result.current_flags == flagged.sum() > 0


def test_weekly_series_turn_seasonal_after_two_years_of_weeks():
    weeks = np.arange(120)
    rng = np.random.default_rng(19)
    # A yearly peak in weeks 46–50 (year-end orders), noise 2 %.
    peak = np.isin(weeks % 52, [46, 47, 48, 49, 50])
    series = 100 * np.where(peak, 1.6, 1.0) * (1 + 0.02 * rng.standard_normal(120))
    verdicts = evaluate(series, season=52)
    assert (verdicts.method[0, :104][verdicts.status[0, :104] == 0] == 1).all()
    assert (verdicts.method[0, 104:] == 2).all()
    assert not verdicts.flagged[0, 104:].any()
    assert verdicts.flagged[0, [46, 98]].all()  # the peak, while only the plain robust z could judge it
