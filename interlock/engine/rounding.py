"""Exact breakdowns: values rounded to hundredths so that each group's rows add up to its rounded total."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from interlock.engine.constants import DIGITS


def largest_remainder_cents(
    values: np.ndarray, groups: np.ndarray, n_groups: int, totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Round `values` to whole hundredths so that, in every group, they add up to the group's rounded total.

    values: floats (units, not hundredths); groups: group of each value (0..n_groups-1); totals: the exact
    (unrounded) total of each group. Returns (cents per value, cents per group total) as int64 arrays.
    Groups whose total is NaN get 0 everywhere (callers blank them). Vectorised: one lexsort, no loop.
    """
    values = np.where(np.isfinite(values), values, 0.0)
    scaled = np.round(values * 100.0, DIGITS)
    floor = np.floor(scaled)
    remainder = scaled - floor
    total_cents = np.rint(np.round(np.where(np.isfinite(totals), totals, 0.0) * 100.0, DIGITS))
    floor_sum = np.bincount(groups, weights=floor, minlength=n_groups)
    count = np.bincount(groups, minlength=n_groups)
    missing = np.clip(total_cents - floor_sum, 0, count)
    total_cents = floor_sum + missing  # equal unless float noise pushed it outside [Σ floor, Σ floor + n]
    order = np.lexsort((np.arange(len(values)), -remainder, groups))
    starts = np.concatenate(([0], np.cumsum(count)[:-1])) if n_groups else np.zeros(0, dtype=np.int64)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values)) - starts[groups[order]]
    cents = floor + (rank < missing[groups])
    return cents.astype(np.int64), total_cents.astype(np.int64)


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)  # 2880 → Decimal("28.80"), exponent −2 always


def decimals(cents: np.ndarray) -> list[Decimal]:
    """Two-place Decimals for many hundredths; one Decimal per distinct value (they are immutable)."""
    unique, inverse = np.unique(np.asarray(cents, dtype=np.int64), return_inverse=True)
    made = [cents_to_decimal(c) for c in unique.tolist()]
    return [made[i] for i in inverse.tolist()]
