"""Demo data of responsibility matrices and interlocked scorecards (责任量化 + 动态互锁), and their scores.

`matrices_build(ctx)` and `scorecards_build(ctx)` are steps of `collab.demo.STEPS`, after
`collab.demo_goals.goals_build` (they use its KPIs). Everything goes through the services
(`matrix_create`, `scorecard_create`, `scorecard_publish`, `scores_recompute`) as the demo HR admin,
replaying the year like the goals step (see `collab.demo_goals.year_replayed`): the matrices take effect
from this year, the scorecards exist for the year and for each quarter so far, and every one of those
periods is recomputed, so dashboards have a current score and a trend.

The technology company holds the seed's three tables exactly (客户留存率 50/30/20, 应收账款周转天数 60/40,
大客户续约率 40/25/25/10 with an evaluation KPI per row); each mining subsidiary splits its 设备开机率,
事故率 and 单位成本 between its departments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from collab.demo_goals import MINING_SUBSIDIARIES, replaying_the_year
from interlock.services import scorecard_create, scorecard_publish, scores_recompute
from responsibility.services import matrix_create

if TYPE_CHECKING:
    from collab.demo import DemoContext


@dataclass(frozen=True)
class RowPlan:
    unit: str
    role: str  # lead | collaborating | support
    share: str
    dimension: str
    evaluation_kpi: str | None = None
    method: str = ""


@dataclass(frozen=True)
class CardPlan:
    unit: str
    rho: str
    lines: str  # "KPI-CODE role weight [threshold], …"
    position: str | None = None  # title: a scorecard of that position of `unit` (a manager's contract)


# --- the technology company: the seed tables ----------------------------------------------------------

TECH_MATRICES: dict[str, tuple[RowPlan, ...]] = {
    "CUST-RET": (
        RowPlan("TEC-SAL", "lead", "50", "Owns the customer relationship (直接维护客户关系)"),
        RowPlan("TEC-CS", "collaborating", "30", "Solves after-sales problems (解决售后问题)"),
        RowPlan("TEC-RND", "support", "20", "Product stability drives satisfaction (产品稳定性影响满意度)"),
    ),
    "AR-DSO": (
        RowPlan("TEC-FIN", "lead", "60", "Receivables management and collection (账款管理与催收)"),
        RowPlan(
            "TEC-SAL", "collaborating", "40", "Payment progress and customer contact (回款进度与客户沟通)"
        ),
    ),
    "KA-RENEW": (
        RowPlan("TEC-SAL", "lead", "40", "Relationship (关系维护)", "KA-RATIO",
                "Renewal ratio, quality of key-contact relationships (续约比例、关键人关系质量评价)"),
        RowPlan("TEC-CS", "collaborating", "25", "Service quality (服务响应质量)", "CS-COMPLAINT",
                "Complaint rate, satisfaction (投诉率、满意度)"),
        RowPlan("TEC-DLV", "collaborating", "25", "On-time, high-quality delivery (项目按期高质量交付)",
                "DLV-MILESTONE", "Milestone on-time rate, acceptance pass rate (里程碑准时率、验收通过率)"),
        RowPlan("TEC-RND", "support", "10", "Product stability and fit (产品稳定性与适配度)", "RD-INCIDENTS",
                "Major incidents, custom-request response (重大故障数、定制需求响应情况)"),
    ),
}

TECH_CARDS = (
    CardPlan("TEC-SAL", "0.2", "CUST-RET own 35, KA-RENEW own 20, SALES-REV own 25, AR-DSO shared 20"),
    CardPlan(
        "TEC-CS", "0.2",
        "CS-COMPLAINT own 30, CS-CSAT own 20, CS-RESPONSE own 15, CUST-RET shared 20, KA-RENEW shared 15",
    ),
    CardPlan(
        "TEC-RND", "0", "RD-AVAIL own 45, RD-INCIDENTS own 35, KA-RENEW shared 20, CUST-RET reference 0 95"
    ),
    CardPlan("TEC-DLV", "0", "DLV-MILESTONE own 40, DLV-ACCEPT own 35, KA-RENEW shared 25"),
    CardPlan("TEC-FIN", "0.2", "AR-DSO own 50, FIN-OPEX own 30, FIN-MARGIN own 20"),
    CardPlan("TEC-HR", "0", "HR-TTH own 60, HR-TRAIN own 40"),
    # Performance contracts: the sales director above the minimum collaborative share, the customer
    # service manager under it (flagged).
    CardPlan("TEC-SAL", "0", "SALES-REV own 40, KA-RENEW own 30, AR-DSO shared 30", "Sales Director"),
    CardPlan(
        "TEC-CS", "0", "CS-COMPLAINT own 50, CS-CSAT own 40, CUST-RET shared 10", "Customer Service Manager"
    ),
)


# --- the mining group: per subsidiary ------------------------------------------------------------------


def _mining_matrices() -> dict[str, tuple[RowPlan, ...]]:
    out = {}
    for sub in MINING_SUBSIDIARIES:
        out[f"{sub}-UPT"] = (
            RowPlan(f"{sub}-EQP", "lead", "50", "设备维护保养与故障抢修"),
            RowPlan(f"{sub}-PROD", "collaborating", "30", "规范操作、配合计划停机"),
            RowPlan(f"{sub}-PUR", "support", "20", "备件及时供应", "MIN-OTD", "关键物料交付准时率"),
        )
        out[f"{sub}-ACC"] = (
            RowPlan(f"{sub}-SAFE", "lead", "50", "安全监督检查与隐患整改", "MIN-RECT", "安全检查整改闭环率"),
            RowPlan(f"{sub}-PROD", "collaborating", "35", "现场作业规范"),
            RowPlan(f"{sub}-EQP", "support", "15", "设备本质安全"),
        )
        out[f"{sub}-UC"] = (
            RowPlan(f"{sub}-FIN", "lead", "40", "成本核算与预算控制", "MIN-BUD", "预算执行偏差率"),
            RowPlan(f"{sub}-PROD", "collaborating", "35", "产量与消耗"),
            RowPlan(f"{sub}-PUR", "collaborating", "25", "采购价格与库存", "MIN-PCR", "采购成本降低率"),
        )
    return out


def _mining_cards() -> tuple[CardPlan, ...]:
    cards = []
    for sub in MINING_SUBSIDIARIES:
        cards += [
            CardPlan(
                f"{sub}-PROD", "0.2",
                f"MIN-FPY own 25, MIN-SUP own 15, MIN-TRN own 10, {sub}-UPT shared 20, {sub}-ACC shared 15, "
                f"{sub}-UC shared 15",
            ),
            CardPlan(
                f"{sub}-EQP", "0", f"{sub}-UPT own 40, MIN-DT own 20, MIN-DIG own 15, {sub}-ACC shared 25"
            ),
            CardPlan(f"{sub}-SAFE", "0.2", f"{sub}-ACC own 55, MIN-RECT own 45, {sub}-CAP reference 0 90"),
            CardPlan(
                f"{sub}-PUR", "0", f"MIN-OTD own 50, MIN-PCR own 20, {sub}-UPT shared 15, {sub}-UC shared 15"
            ),
            CardPlan(f"{sub}-FIN", "0", f"{sub}-UC own 60, MIN-BUD own 40, MIN-GM reference 0 95"),
        ]
    # Performance contracts of two managers of 晋北: production (collaborative share 30 %) and
    # equipment (10 %, under the minimum: flagged).
    cards += [
        CardPlan("MIN-JB-PROD", "0", "MIN-JB-CAP own 40, MIN-FPY own 30, MIN-JB-UPT shared 30", "生产部经理"),
        CardPlan("MIN-JB-EQP", "0", "MIN-JB-UPT own 50, MIN-DT own 40, MIN-JB-ACC shared 10", "设备部经理"),
    ]
    return tuple(cards)


MATRIX_PLANS: dict[str, Callable[[], dict[str, tuple[RowPlan, ...]]]] = {
    "mining": _mining_matrices,
    "tech": lambda: TECH_MATRICES,
}
CARD_PLANS: dict[str, Callable[[], tuple[CardPlan, ...]]] = {
    "mining": _mining_cards,
    "tech": lambda: TECH_CARDS,
}


# --------------------------------------------------------------------------------------------- steps


@replaying_the_year
def matrices_build(ctx: DemoContext) -> None:
    """The responsibility matrices, in effect from this year."""
    factory = MATRIX_PLANS.get(ctx.plan.slug)
    if factory is None or "kpis" not in ctx.extra:
        return
    kpis, period = ctx.extra["kpis"], ctx.extra["goal_period"]
    matrices = {}
    for code, rows in factory().items():
        matrices[code] = matrix_create(
            actor=ctx.hr_user,
            kpi=kpis[code],
            effective_from=period,
            rows=[
                {
                    "org_unit": ctx.units[row.unit],
                    "role": row.role,
                    "share": row.share,
                    "contribution_dimension": row.dimension,
                    "evaluation_kpi": kpis[row.evaluation_kpi] if row.evaluation_kpi else None,
                    "evaluation_method": row.method,
                }
                for row in rows
            ],
        )
    ctx.extra["matrices"] = matrices


def scored_periods(ctx: DemoContext) -> list:
    """This year and its quarters up to the current one."""
    year = ctx.today.year
    quarter = (ctx.today.month - 1) // 3 + 1
    return [ctx.periods[str(year)], *(ctx.periods[f"{year} Q{q}"] for q in range(1, quarter + 1))]


def _lines(specs: str, kpis: dict) -> list[dict]:
    lines = []
    for spec in specs.split(","):
        code, role, weight, *rest = spec.split()
        threshold = rest[0] if rest else None
        lines.append({"kpi": kpis[code], "role": role, "weight": weight, "threshold": threshold})
    return lines


@replaying_the_year
def scorecards_build(ctx: DemoContext) -> None:
    """Published scorecards of departments and two managers' positions for the year and each quarter so
    far, then a recompute of each of those periods."""
    factory = CARD_PLANS.get(ctx.plan.slug)
    if factory is None or "kpis" not in ctx.extra:
        return
    kpis, actor = ctx.extra["kpis"], ctx.hr_user
    plans = factory()
    periods = scored_periods(ctx)
    for period in periods:
        for plan in plans:
            card = scorecard_create(
                actor=actor,
                period=period,
                org_unit=None if plan.position else ctx.units[plan.unit],
                position=ctx.positions[(plan.unit, plan.position)] if plan.position else None,
                review_weight=plan.rho,
                lines=_lines(plan.lines, kpis),
            )
            scorecard_publish(actor=actor, scorecard=card, lock_version=card.lock_version)
    for period in periods:
        scores_recompute(period=period, actor=actor)
