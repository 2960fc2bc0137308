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

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from collab.demo.plans import BATCH_SIZE
from goals.demo.mining import MINING_SUBSIDIARIES
from goals.demo.replay import replaying_the_year
from responsibility.models import MatrixRole, MatrixRow, ResponsibilityMatrix
from responsibility.services.matrices import matrix_create

if TYPE_CHECKING:
    from collab.demo.scale import ScaleContext
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


# --------------------------------------------------------------------------------------------- seed_scale

_SCALE_ROWS = (
    (MatrixRole.LEAD, Decimal(50), "主责：指标达成"),
    (MatrixRole.COLLABORATING, Decimal(30), "协同：过程配合"),
    (MatrixRole.SUPPORT, Decimal(20), "支持：资源保障"),
)


def matrices_scale(ctx: ScaleContext) -> None:
    """seed_scale's matrices (`SCALE_STEPS`): `matrices_per_unit` a unit, each on a lead unit's own KPI, in
    effect from this year, with three rows (lead 50 / collaborating 30 / support 20) given to the lead and
    two of its sibling units (other units where it has fewer); half of the non-lead rows are judged by the
    row unit's own KPI. Leaves `ctx.extra["matrix_kpis"]`: unit id → the matrix KPIs it has a row in."""
    kpis = ctx.extra.get("kpis")
    if not kpis:
        return
    rng, units = ctx.rng, ctx.units
    own = {}
    for kpi in kpis:
        own.setdefault(kpi.owner_unit_id, kpi)
    siblings = defaultdict(list)
    for unit in units:
        siblings[unit.parent_id].append(unit.pk)
    leads = [unit for unit in units if unit.pk in own and len(siblings[unit.parent_id]) > 1]
    leads.sort(key=lambda unit: -unit.depth)  # departments and teams first
    leads = leads[: round(len(units) * ctx.sizes.matrices_per_unit)]
    matrices = [
        ResponsibilityMatrix(tenant=ctx.tenant, kpi=own[unit.pk], effective_from=ctx.year, version=1)
        for unit in leads
    ]
    ResponsibilityMatrix.objects.bulk_create(matrices, batch_size=BATCH_SIZE)
    rows, matrix_kpis = [], defaultdict(list)
    all_ids = [unit.pk for unit in units]
    for unit, matrix in zip(leads, matrices, strict=True):
        others = [pk for pk in siblings[unit.parent_id] if pk != unit.pk]
        members = [unit.pk, *rng.sample(others, min(2, len(others)))]
        while len(members) < 3 and len(all_ids) > len(members):
            candidate = rng.choice(all_ids)
            members += [] if candidate in members else [candidate]
        for order, (member, (role, share, dimension)) in enumerate(zip(members, _SCALE_ROWS, strict=True)):
            judged = own.get(member) if role != MatrixRole.LEAD and rng.random() < 0.5 else None
            rows.append(
                MatrixRow(
                    tenant=ctx.tenant,
                    matrix=matrix,
                    org_unit_id=member,
                    role=role,
                    share=share,
                    contribution_dimension=dimension,
                    order=order,
                    evaluation_kpi=judged if judged and judged.pk != matrix.kpi_id else None,
                )
            )
            matrix_kpis[member].append(matrix.kpi_id)
    MatrixRow.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    ctx.counts.update(matrices=len(matrices), matrix_rows=len(rows))
    ctx.extra["matrix_kpis"] = matrix_kpis


SCALE_STEPS = [matrices_scale]
