"""Static health thresholds (green / amber / red) on KPI values, vectorised across series.

A KPI may carry an amber and a red threshold in its bad direction: for ``lower_better`` (delay days) a value
at or above red is red, at or above amber is amber, else green; for ``higher_better`` (conversion rate) at or
below. Either threshold may be missing (NaN): a KPI with only a red line is green or red. A value is compared
as given, no rounding. ``both`` has no bad side for one line to guard, so it has no static health.

Codes are ordered so that the worst state of a stage is the maximum of its codes: no data (−1) below "no
thresholds" (0), green (1), amber (2), red (3).
"""

from __future__ import annotations

import numpy as np

from .anomaly import direction_codes

NO_DATA, NO_THRESHOLD, GREEN, AMBER, RED = -1, 0, 1, 2, 3
HEALTH_NAMES = {NO_DATA: "no_data", NO_THRESHOLD: "none", GREEN: "green", AMBER: "amber", RED: "red"}


def threshold_health(values, *, amber, red, direction) -> np.ndarray:
    """Health codes, one per value; ``amber``, ``red`` and ``direction`` are one each or one per value."""
    values = np.asarray(values, dtype=float)
    amber = np.broadcast_to(np.asarray(amber, dtype=float), values.shape)
    red = np.broadcast_to(np.asarray(red, dtype=float), values.shape)
    names = np.broadcast_to(np.asarray(direction, dtype=object), values.shape).ravel()
    codes = direction_codes(names, names.size).reshape(values.shape)
    # Measure how far into the bad side each line is crossed: a higher-better value is flipped.
    sign = np.where(codes == 1, -1.0, 1.0)
    bad_value, bad_amber, bad_red = sign * values, sign * amber, sign * red
    with np.errstate(invalid="ignore"):
        health = np.where(
            bad_value >= bad_red, RED, np.where(bad_value >= bad_amber, AMBER, GREEN)
        )  # comparisons with NaN are false
    has_line = ~(np.isnan(amber) & np.isnan(red)) & (codes != 0)
    health = np.where(has_line, health, NO_THRESHOLD)
    return np.where(np.isnan(values), NO_DATA, health).astype(np.int8)


def health_names(codes) -> list:
    """The names of health codes (``"green"``…), for plain results."""
    return [HEALTH_NAMES[int(code)] for code in np.asarray(codes).ravel()]
