"""A group's grade distribution against the tenant's guideline (plain data in and out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Rule:
    grade_codes: tuple[str, ...]
    at_most: bool  # False: at least
    percent: Decimal


@dataclass(frozen=True)
class RuleCheck:
    rule: Rule
    count: int
    share: Decimal  # percent of the graded people, two decimals
    met: bool


def shares(counts: Mapping[str, int]) -> dict[str, Decimal]:
    """Each grade's share of the graded people, in percent."""
    total = sum(counts.values())
    if not total:
        return {code: Decimal("0") for code in counts}
    return {
        code: (Decimal(n) * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for code, n in counts.items()
    }


def check_distribution(counts: Mapping[str, int], rules: Sequence[Rule]) -> list[RuleCheck]:
    """Every rule with the group's count and share of its grades and whether the rule holds. A group with
    nobody graded meets every rule (there is nothing to calibrate yet)."""
    total = sum(counts.values())
    checks = []
    for rule in rules:
        count = sum(counts.get(code, 0) for code in rule.grade_codes)
        share = (
            (Decimal(count) * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP) if total else Decimal("0")
        )
        exact = Decimal(count) * 100 / total if total else Decimal("0")
        met = not total or (exact <= rule.percent if rule.at_most else exact >= rule.percent)
        checks.append(RuleCheck(rule, count, share, met))
    return checks
