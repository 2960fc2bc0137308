"""The goals part of seed_scale (`SCALE_STEPS`): a KPI library, a strategy map, this year's goal tree
(strategy → unit goals, published) and the months' measurements, with bulk inserts.

Proportions (`collab.demo.scale.ScaleSizes`): `kpis_per_unit` KPIs (each owned by a unit, a unit's first
KPI is its "own" one), `goals_per_unit` goals a unit. The group's goals are the strategy (the tree's roots);
a unit's i-th goal hangs under its parent unit's i-th goal, so the goal tree follows the org tree and every
sibling group's weights add up to exactly 100 (the tree is published through `period_tree_publish`, which
checks that). 90 % of the KPIs have a target and an actual in every month so far; performance is drawn per
KPI (a little noise a month), so scores spread over the bands.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from collab.demo.plans import BATCH_SIZE
from goals.models import KPI, Goal, Measurement, Objective, ObjectiveLink, Perspective
from goals.services.tree.whole_tree import period_tree_publish

if TYPE_CHECKING:
    from collab.demo.scale import ScaleContext

_OBJECTIVES = {
    Perspective.FINANCIAL: ("利润增长", "成本领先", "现金流健康"),
    Perspective.CUSTOMER: ("客户满意", "市场份额", "大客户保有"),
    Perspective.INTERNAL_PROCESS: ("安全生产", "设备可靠", "交付准时"),
    Perspective.LEARNING_GROWTH: ("人才梯队", "数字化能力", "质量文化"),
}
_KPI_NAMES = (
    "产量完成率",
    "单位成本",
    "设备开机率",
    "事故率",
    "交付准时率",
    "客户满意度",
    "预算执行偏差率",
    "培训覆盖率",
    "一次合格率",
    "回款周期",
)
_LOWER = {"单位成本", "事故率", "预算执行偏差率", "回款周期"}
MEASURED_SHARE = 0.9


def split_100(count: int) -> list[Decimal]:
    """`count` weights (two decimals) that add up to exactly 100; the first takes the rounding."""
    if count <= 0:
        return []
    each = (Decimal(100) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return [Decimal(100) - each * (count - 1), *([each] * (count - 1))]


def _strategy_map(ctx: ScaleContext) -> list[Objective]:
    root = ctx.units[0]
    objectives = [
        Objective(
            tenant=ctx.tenant,
            period=ctx.year,
            perspective=perspective,
            name=name,
            owner_unit=root,
            order=order,
        )
        for order, (perspective, name) in enumerate(
            (perspective, name) for perspective, names in _OBJECTIVES.items() for name in names
        )
    ]
    Objective.objects.bulk_create(objectives)
    by_perspective = defaultdict(list)
    for objective in objectives:
        by_perspective[objective.perspective].append(objective)
    layers = list(_OBJECTIVES)
    links = [  # cause (lower perspective) → effect (the one above), same position in the layer
        ObjectiveLink(tenant=ctx.tenant, cause=cause, effect=by_perspective[upper][index])
        for lower, upper in zip(layers[1:], layers[:-1], strict=True)
        for index, cause in enumerate(by_perspective[lower])
    ]
    ObjectiveLink.objects.bulk_create(links)
    ctx.counts["objectives"] = len(objectives)
    return objectives


def _kpis(ctx: ScaleContext, objectives: list[Objective]) -> list[KPI]:
    rng, units = ctx.rng, ctx.units
    count = max(1, round(len(units) * ctx.sizes.kpis_per_unit))
    rows = []
    for index in range(count):
        unit = units[index % len(units)]
        label = _KPI_NAMES[index % len(_KPI_NAMES)]
        objective = objectives[index % len(objectives)]
        rows.append(
            KPI(
                tenant=ctx.tenant,
                code=f"K{index + 1:06d}",
                name=f"{unit.name}{label}",
                unit="%",
                direction=KPI.Direction.LOWER_BETTER if label in _LOWER else KPI.Direction.HIGHER_BETTER,
                perspective=objective.perspective,
                owner_unit_id=unit.pk,
                is_collaborative=rng.random() < 0.3,
                frequency=KPI.Frequency.MONTHLY,
                aggregation=KPI.Aggregation.AVERAGE,
                objective_id=objective.pk,
            )
        )
    KPI.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    ctx.counts["kpis"] = len(rows)
    return rows


def _goal_tree(ctx: ScaleContext, kpis: list[KPI]) -> int:
    """`goals_per_unit` goals a unit, a unit's i-th under its parent's i-th; level by level (ids come back
    from the insert, paths are written with one bulk update a level)."""
    rng, per_unit = ctx.rng, max(1, ctx.sizes.goals_per_unit)
    own = {}  # unit id → its own KPI
    for kpi in kpis:
        own.setdefault(kpi.owner_unit_id, kpi)
    children = defaultdict(list)
    for unit in ctx.units:
        children[unit.parent_id].append(unit)
    goal_of: dict[tuple[int, int], Goal] = {}  # (unit id, i) → goal
    level = [unit for unit in ctx.units if unit.parent_id is None]
    total = 0
    while level:
        batch = []
        for unit in level:
            siblings = children[unit.parent_id]
            weights = split_100(len(siblings) if unit.parent_id else per_unit)
            for i in range(per_unit):
                kpi = own.get(unit.pk) if i == 0 and unit.pk in own else kpis[rng.randrange(len(kpis))]
                parent = goal_of.get((unit.parent_id, i)) if unit.parent_id else None
                weight = weights[siblings.index(unit)] if unit.parent_id else weights[i]
                goal = Goal(
                    tenant=ctx.tenant,
                    period=ctx.year,
                    parent=parent,
                    org_unit_id=unit.pk,
                    position=ctx.head_positions.get(unit.pk) if i == 0 else None,
                    kpi_id=kpi.pk,
                    weight=weight,
                    order=i,
                    depth=unit.depth,
                    path="",
                )
                goal_of[(unit.pk, i)] = goal
                batch.append(goal)
        Goal.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        for goal in batch:
            goal.path = f"{goal.parent.path if goal.parent else '/'}{goal.pk}/"
        Goal.objects.bulk_update(batch, ["path"], batch_size=BATCH_SIZE)
        total += len(batch)
        level = [child for unit in level for child in children[unit.pk]]
    return total


def _measurements(ctx: ScaleContext, kpis: list[KPI]) -> int:
    rng = random.Random(f"{ctx.tenant.slug}-measurements")
    months = ctx.months_done()
    rows: list[Measurement] = []
    count = 0
    for kpi in kpis:
        if rng.random() >= MEASURED_SHARE:
            continue
        target = round(rng.uniform(50, 1000), 2)
        performance = max(0.3, rng.gauss(1.0, 0.15))
        for period in months:
            achieved = performance * (1 + rng.gauss(0, 0.03))
            actual = target * achieved if kpi.direction == KPI.Direction.HIGHER_BETTER else target / achieved
            rows.append(
                Measurement(
                    tenant_id=ctx.tenant.pk,
                    kpi_id=kpi.pk,
                    period_id=period.pk,
                    target=Decimal(f"{target:.2f}"),
                    actual=Decimal(f"{actual:.2f}"),
                )
            )
        if len(rows) >= 10 * BATCH_SIZE:
            Measurement.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            count, rows = count + len(rows), []
    Measurement.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return count + len(rows)


def goals_scale(ctx: ScaleContext) -> None:
    """Strategy map, KPI library, this year's published goal tree and the measurements so far."""
    objectives = _strategy_map(ctx)
    kpis = _kpis(ctx, objectives)
    ctx.counts["goals"] = _goal_tree(ctx, kpis)
    period_tree_publish(actor=ctx.hr_user, period=ctx.year)
    ctx.counts["measurements"] = _measurements(ctx, kpis)
    ctx.extra["kpis"] = kpis


SCALE_STEPS = [goals_scale]
