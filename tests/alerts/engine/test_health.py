"""Static health thresholds: green / amber / red in the KPI's bad direction (pure)."""

from __future__ import annotations

import numpy as np

from alerts.engine.health import AMBER, GREEN, NO_DATA, NO_THRESHOLD, RED, health_names, threshold_health


def test_lower_better_turns_amber_and_red_at_or_above_its_lines():
    delays = [1, 4, 5, 8, 9, np.nan]
    codes = threshold_health(delays, amber=4, red=8, direction="lower_better")
    assert health_names(codes) == ["green", "amber", "amber", "red", "red", "no_data"]


def test_higher_better_turns_amber_and_red_at_or_below_its_lines_and_lines_may_be_missing():
    rates = np.array([0.9, 0.6, 0.5, 0.3, 0.1])
    codes = threshold_health(rates, amber=0.6, red=0.3, direction="higher_better")
    assert codes.tolist() == [GREEN, AMBER, AMBER, RED, RED]
    only_red = threshold_health(rates, amber=np.nan, red=0.3, direction="higher_better")
    assert only_red.tolist() == [GREEN, GREEN, GREEN, RED, RED]
    none = threshold_health(rates, amber=np.nan, red=np.nan, direction="higher_better")
    assert (none == NO_THRESHOLD).all()


def test_per_series_lines_and_directions_and_the_worst_state_is_the_maximum():
    codes = threshold_health(
        [5, 5, 5, np.nan],
        amber=[4, 6, 4, 4],
        red=[8, 2, 5, 8],
        direction=["lower_better", "higher_better", "lower_better", "lower_better"],
    )
    assert codes.tolist() == [AMBER, AMBER, RED, NO_DATA]
    assert codes.max() == RED
    assert threshold_health(5, amber=4, red=8, direction="both") == NO_THRESHOLD
