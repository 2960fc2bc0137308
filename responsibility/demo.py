"""Demo data of responsibility matrices (责任量化).

`matrices_build(ctx)` is the responsibility area's demo step (`DEMO_STEPS`, run by `collab.demo` after the
goals step: it uses its KPIs). Each matrix is created through `matrix_create` as the demo HR admin,
replaying the year like the goals step (see `goals.demo.replay.year_replayed`), and takes effect from this
year.

The technology company holds the seed's three tables exactly (客户留存率 50/30/20, 应收账款周转天数 60/40,
大客户续约率 40/25/25/10 with an evaluation KPI per row); each mining subsidiary splits its 设备开机率,
事故率 and 单位成本 between its departments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from goals.demo.mining import MINING_SUBSIDIARIES
from goals.demo.replay import replaying_the_year
from responsibility.services.matrices import matrix_create

if TYPE_CHECKING:
    from collab.demo.steps import DemoContext


@dataclass(frozen=True)
class RowPlan:
    unit: str
    role: str  # lead | collaborating | support
    share: str
    dimension: str
    evaluation_kpi: str | None = None
    method: str = ""


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


MATRIX_PLANS: dict[str, Callable[[], dict[str, tuple[RowPlan, ...]]]] = {
    "mining": _mining_matrices,
    "tech": lambda: TECH_MATRICES,
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


DEMO_STEPS = [matrices_build]
