"""Scores of KPIs and progress of goals for a period (DESIGN.md §6, §7a).

Everything for a whole period is loaded with a fixed handful of `values_list` queries (two for a goal
tree, one or two for a set of KPIs), computed in one vectorised pass by `goals.engine`, and handed out
as plain data. The number of queries never grows with the tree.

Quarter and year periods use a KPI's direct measurement where there is one, else the value derived from
the months (and quarters) of the period by the KPI's aggregation rule; `source_target`/`source_actual`
say which ("direct" | "derived" | None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import pgettext_lazy

from collab.models import Period
from goals.engine import scores as engine_scores
from goals.engine.common import BAND_AMBER, BAND_GREEN, BAND_NONE, BAND_RED, to_plain
from goals.engine.periods import period_value
from goals.engine.rollup import parent_positions, rollup
from goals.models import KPI, Goal, Measurement

DIGITS = 2  # rounding of scores and progress in plain results (pages and API show the same numbers)

# The words for the bands on every page. The context keeps them apart from the same English words with
# another meaning (a band word must not share a msgid with a button or a dialog word).
BAND_LABELS = {
    BAND_GREEN: pgettext_lazy("score band", "On target"),
    BAND_AMBER: pgettext_lazy("score band", "Near target"),
    BAND_RED: pgettext_lazy("score band", "Off target"),
    BAND_NONE: pgettext_lazy("score band", "No data"),
}
# Bootstrap's contextual class of each band: how pages colour it (display, so not the engine's).
BAND_CSS = {BAND_GREEN: "success", BAND_AMBER: "warning", BAND_RED: "danger",
            BAND_NONE: "secondary"}


@dataclass(frozen=True)
class KpiValue:
    kpi_id: int
    target: float | None
    actual: float | None
    score: float | None
    band: str
    source_target: str | None
    source_actual: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class GoalScore:
    goal_id: int
    parent_id: int | None
    kpi_id: int
    depth: int
    weight: float
    progress: float | None  # leaves: the KPI score; parents: rolled up from the children with data
    band: str
    measured: float | None  # the score of the goal's own KPI, shown beside a parent's rolled-up progress
    measured_band: str
    target: float | None
    actual: float | None
    is_leaf: bool
    children: int
    children_with_data: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PeriodScores:
    period_id: int
    goals: dict[int, GoalScore]
    kpis: dict[int, KpiValue]

    def goal(self, goal_id: int) -> GoalScore | None:
        return self.goals.get(goal_id)


_NO_KPI = KpiValue(0, None, None, None, BAND_NONE, None, None)


def period_measurements(period: Period, kpis: Iterable[int] | QuerySet) -> QuerySet:
    """The measurements a period's values come from: its own, plus its months (and quarters for a year)."""
    rows = Measurement.objects.filter(kpi_id__in=kpis)
    if period.kind == Period.Kind.MONTH:
        rows = rows.filter(period_id=period.pk)
    elif period.kind == Period.Kind.QUARTER:
        months = range(3 * (period.quarter or 1) - 2, 3 * (period.quarter or 1) + 1)
        rows = rows.filter(
            Q(period_id=period.pk)
            | Q(period__kind=Period.Kind.MONTH, period__year=period.year, period__month__in=list(months))
        )
    else:
        rows = rows.filter(
            Q(period_id=period.pk)
            | Q(period__kind__in=[Period.Kind.MONTH, Period.Kind.QUARTER], period__year=period.year)
        )
    # Floats straight from the database: no Decimal per value (the scores are floats anyway).
    rows = rows.annotate(target_f=Cast("target", FloatField()), actual_f=Cast("actual", FloatField()))
    return rows.values_list(
        "kpi_id", "period__kind", "period__year", "period__quarter", "period__month", "target_f", "actual_f"
    )


def _values(
    period: Period, rules: Mapping[int, tuple[str, Any, str]], kpis: Iterable[int] | QuerySet
) -> dict[int, KpiValue]:
    """{kpi id: KpiValue} for the KPIs in `rules` ({id: (direction, cap, aggregation)}): one query."""
    rows = list(period_measurements(period, kpis))
    effective = period_value(
        rows,
        {kpi: rule[2] for kpi, rule in rules.items()},
        kind=period.kind,
        year=period.year,
        quarter=period.quarter,
        month=period.month,
    )
    ids = list(rules)
    targets = [effective.get(k, {}).get("target") for k in ids]
    actuals = [effective.get(k, {}).get("actual") for k in ids]
    directions, caps = [rules[k][0] for k in ids], [rules[k][1] for k in ids]
    scores = engine_scores.kpi_scores(targets, actuals, directions, caps)
    bands = engine_scores.bands(scores)
    plain_scores = to_plain(scores, DIGITS)
    return {
        kpi: KpiValue(
            kpi_id=kpi,
            target=target,
            actual=actual,
            score=score,
            band=str(band),
            source_target=effective.get(kpi, {}).get("source_target"),
            source_actual=effective.get(kpi, {}).get("source_actual"),
        )
        for kpi, target, actual, score, band in zip(ids, targets, actuals, plain_scores, bands, strict=True)
    }


def kpi_values(period: Period, kpis: Iterable[KPI] | None = None) -> dict[int, KpiValue]:
    """Target, actual, score and band of KPIs in a period (all active KPIs when `kpis` is None).

    Given KPI instances: one query; otherwise two (the KPIs' rules, then the measurements).
    """
    if kpis is None:
        rules = {
            pk: (direction, cap, aggregation)
            for pk, direction, cap, aggregation in KPI.objects.filter(is_active=True).values_list(
                "pk", "direction", "cap", "aggregation"
            )
        }
    else:
        rules = {k.pk: (k.direction, k.cap, k.aggregation) for k in kpis}
    if not rules:
        return {}
    return _values(period, rules, list(rules))


def kpi_value(period: Period, kpi: KPI) -> KpiValue:
    return kpi_values(period, [kpi]).get(kpi.pk, _NO_KPI)


def period_scores(period: Period, goals: QuerySet | None = None) -> PeriodScores:
    """Progress of every goal of the period's tree and the values of their KPIs: two queries in all.

    `goals` may narrow the tree (e.g. a subtree by path); it must hold whole subtrees for the roll-up of a
    node to be complete (a node whose parent is left out counts as a root).
    """
    goals = Goal.objects.filter(period_id=period.pk) if goals is None else goals
    floats = {"weight_f": Cast("weight", FloatField()), "cap_f": Cast("kpi__cap", FloatField())}
    rows = list(
        goals.annotate(**floats).values_list(
            "pk", "parent_id", "weight_f", "kpi_id", "kpi__direction", "cap_f", "kpi__aggregation"
        )
    )
    if not rows:
        return PeriodScores(period_id=period.pk, goals={}, kpis={})
    ids, parents, weights, kpi_ids = ([row[i] for row in rows] for i in range(4))
    rules = {row[3]: (row[4], row[5], row[6]) for row in rows}
    values = _values(period, rules, goals.values("kpi_id"))

    # Each goal's own KPI score, by position: KPI ids → index into the per-KPI arrays (no per-node lookup).
    kpi_order = list(values)
    kpi_index = {kpi: i for i, kpi in enumerate(kpi_order)}
    kpi_scores = np.asarray([np.nan if values[k].score is None else values[k].score for k in kpi_order])
    goal_kpi = np.fromiter((kpi_index[k] for k in kpi_ids), dtype=np.int64, count=len(kpi_ids))
    measured = kpi_scores[goal_kpi]
    id_arr = np.asarray(ids, dtype=np.int64)
    weight_arr = np.asarray(weights, dtype=float)
    result = rollup(parent_positions(id_arr, parents), weight_arr, measured)

    progress = to_plain(result.progress, DIGITS)
    progress_bands = engine_scores.bands(result.progress).tolist()
    depth = result.depth.tolist()
    children = result.children.tolist()
    with_data = result.children_with_data.tolist()
    out = {}
    for i, goal_id in enumerate(ids):
        value = values[kpi_ids[i]]
        out[goal_id] = GoalScore(
            goal_id,
            parents[i],
            kpi_ids[i],
            depth[i],
            weights[i],
            progress[i],
            progress_bands[i],
            value.score,
            value.band,
            value.target,
            value.actual,
            children[i] == 0,
            children[i],
            with_data[i],
        )
    return PeriodScores(period_id=period.pk, goals=out, kpis=values)
