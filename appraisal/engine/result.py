"""An appraisal's result, computed from plain numbers (no ORM).

The result formula is a cycle's weights over its components (the scorecard score, the review part and the
manager's grade as its value). A component a person has no data for is left out and the weights of the rest
renormalised: a missing review is never averaged in as zero."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Result:
    score: Decimal | None  # None: no component had data
    # Each counted component's weight after renormalisation, in percent (sums to 100 when any counted).
    effective_weights: dict[str, Decimal]
    left_out: tuple[str, ...]  # components with a weight but no data


def result_score(components: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Result:
    """Σ weight × value over the components with data and a positive weight, divided by their weights."""
    counted = {
        name: Decimal(weight)
        for name, weight in weights.items()
        if Decimal(weight) > 0 and components.get(name) is not None
    }
    left_out = tuple(
        name for name, weight in weights.items() if Decimal(weight) > 0 and components.get(name) is None
    )
    total_weight = sum(counted.values(), Decimal("0"))
    if not total_weight:
        return Result(None, {}, left_out)
    score = sum((Decimal(components[name]) * weight for name, weight in counted.items()), Decimal("0"))
    effective = {
        name: (weight * 100 / total_weight).quantize(CENT, ROUND_HALF_UP) for name, weight in counted.items()
    }
    return Result((score / total_weight).quantize(CENT, ROUND_HALF_UP), effective, left_out)


@dataclass(frozen=True)
class Band:
    code: str
    order: int  # 0 = the best grade
    min_score: Decimal


def suggested_grade(score: Decimal | None, bands: Sequence[Band]) -> str | None:
    """The best grade whose band the score reaches (None without a score or when it reaches none)."""
    if score is None:
        return None
    for band in sorted(bands, key=lambda band: band.order):
        if score >= band.min_score:
            return band.code
    return None


def departure(suggested: str | None, chosen: str, bands: Sequence[Band]) -> int:
    """How many grades `chosen` lies from `suggested` (0 when there is no suggestion)."""
    if suggested is None:
        return 0
    order = {band.code: band.order for band in bands}
    ranks = sorted(order.values())
    return abs(ranks.index(order[chosen]) - ranks.index(order[suggested]))
