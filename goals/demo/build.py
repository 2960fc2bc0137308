"""The goals demo step: the plan written through the goals services, with a year of measurements."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING

from collab.models import Period
from goals.models import KPI, Objective
from goals.services.kpis import kpi_create
from goals.services.measurements.writes import measurements_bulk_upsert
from goals.services.objectives import objective_create, objective_link_create
from goals.services.tree.nodes import goal_create
from goals.services.tree.whole_tree import period_tree_publish

if TYPE_CHECKING:
    from collab.demo import DemoContext
from goals.demo.plans import HIGHER, SUM, KpiPlan
from goals.demo.replay import replaying_the_year
from goals.demo.tech import GOALS_PLANS


def _quantize(value: float, decimals: int) -> Decimal:
    return Decimal(repr(round(value, decimals))).quantize(Decimal(1).scaleb(-decimals))


def monthly_values(
    plan: KpiPlan, months: list[int], rng: random.Random
) -> list[tuple[int, Decimal, Decimal]]:
    """(month, target, actual) for each month: performance with noise and a slight upward trend."""
    target = float(plan.target)
    out = []
    for month in months:
        performance = plan.performance * (0.97 + 0.05 * month / 12) * (1 + rng.gauss(0, 0.025))
        actual = target * performance if plan.direction == HIGHER else target / performance
        if plan.decimals == 0:  # counts: round up or down at random so the year's sum keeps the level
            whole = int(actual)
            actual = whole + (1 if rng.random() < actual - whole else 0)
        out.append((month, Decimal(plan.target), _quantize(max(actual, 0.0), plan.decimals)))
    return out




def _create_goals(ctx: DemoContext, period: Period, nodes, parent, kpis: dict[str, KPI]) -> int:
    if nodes and sum(node.weight for node in nodes) != 100:
        raise ValueError(f"demo tree: sibling weights under {parent} do not add up to 100")
    count = 0
    for order, node in enumerate(nodes):
        goal = goal_create(
            actor=ctx.hr_user,
            period=period,
            org_unit=ctx.units[node.unit],
            kpi=kpis[node.kpi],
            parent=parent,
            position=ctx.positions[(node.unit, node.position)] if node.position else None,
            weight=Decimal(node.weight),
            order=order,
        )
        count += 1 + _create_goals(ctx, period, node.children, goal, kpis)
    return count


@replaying_the_year
def goals_build(ctx: DemoContext) -> None:
    """Strategy map, KPI library, the published tree of this year and the measurements so far."""
    factory = GOALS_PLANS.get(ctx.plan.slug)
    if factory is None:
        return
    plan = factory()
    actor, year = ctx.hr_user, ctx.today.year
    period = ctx.periods[str(year)]
    objectives: dict[str, Objective] = {}
    for order, item in enumerate(plan.objectives):
        objectives[item.key] = objective_create(
            actor=actor,
            data={
                "period": period,
                "perspective": item.perspective,
                "name": item.name,
                "description": item.description,
                "owner_unit": ctx.units[item.owner],
                "order": order,
            },
        )
    for cause, effect in plan.links:
        objective_link_create(actor=actor, cause=objectives[cause], effect=objectives[effect])

    kpis: dict[str, KPI] = {}
    for item in plan.kpis:
        kpis[item.code] = kpi_create(
            actor=actor,
            data={
                "code": item.code,
                "name": item.name,
                "description": item.description,
                "unit": item.unit,
                "direction": item.direction,
                "perspective": item.perspective,
                "owner_unit": ctx.units[item.owner],
                "is_collaborative": item.collaborative,
                "frequency": KPI.Frequency.MONTHLY,
                "aggregation": item.aggregation,
                "data_source": item.data_source,
                "process_tag": item.process,
                "objective": objectives[item.objective],
            },
        )

    goals = _create_goals(ctx, period, plan.tree, None, kpis)
    period_tree_publish(actor=actor, period=period)

    # Measurements: every month so far with target and actual, the current month's targets only.
    rng = random.Random(f"{ctx.plan.slug}-measurements")
    done = list(range(1, max(ctx.today.month - 1, 1) + 1))
    rows = []
    for item in plan.kpis:
        if item.performance is None:
            continue
        for month, target, actual in monthly_values(item, done, rng):
            rows.append(
                {"kpi": kpis[item.code], "period": ctx.periods[f"{year}-{month:02d}"], "target": target,
                 "actual": actual}
            )
        if ctx.today.month not in done and item.aggregation != SUM:
            rows.append(
                {"kpi": kpis[item.code], "period": ctx.periods[f"{year}-{ctx.today.month:02d}"],
                 "target": Decimal(item.target)}
            )
    measurements_bulk_upsert(actor=actor, rows=rows, check_lock_version=False)  # the seed is the editor
    ctx.extra.update(kpis=kpis, objectives=objectives, goal_period=period, goals=goals)


DEMO_STEPS = [goals_build]
