"""Demo data of the goal cascade (目标穿透): strategy map, KPI library, decomposition tree, measurements.

`goals_build(ctx)` is the goals area's demo step (`DEMO_STEPS`, run by `collab.demo`). Everything is
written through the goals services (`objective_create`, `objective_link_create`, `kpi_create`,
`goal_create`, `period_tree_publish`, `measurements_bulk_upsert`) as the tenant's demo HR admin, so the
audit trail shows who built what.

The demo replays the year (`year_replayed`): the HR admin drew the map, built the library and the tree and
entered each month's numbers while those periods were still open. The services refuse writes to closed
periods, so this year's closed periods are opened for the replay and closed again right after, inside
the same transaction; nothing outside the build ever sees them open. Score recomputes the replay's
writes queued for those periods are dropped before they close again (each scoring step recomputes the
periods it scores itself, and a queued run would only be refused for a closed period).

Numbers: each KPI has a target and a "performance" (actual ÷ target for higher-is-better KPIs, target ÷
actual for lower-is-better ones); the months vary around it with a little noise and a slight upward trend,
so the year's scores spread over the green, amber and red bands. KPIs with no performance get no
measurement at all, so pages show "no data" rather than a made-up zero. The current month has targets but
no actuals yet (except for KPIs summed over months, whose quarter and year values would otherwise mix
a month without an actual into the target).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from typing import TYPE_CHECKING

from collab.models import Job, Period
from goals.models import KPI, Objective, Perspective, ProcessTag
from goals.services.kpis import kpi_create
from goals.services.measurements.writes import measurements_bulk_upsert
from goals.services.objectives import objective_create, objective_link_create
from goals.services.tree.nodes import goal_create
from goals.services.tree.whole_tree import period_tree_publish

if TYPE_CHECKING:
    from collab.demo import DemoContext

P = Perspective
HIGHER, LOWER = KPI.Direction.HIGHER_BETTER, KPI.Direction.LOWER_BETTER
AVG, SUM, LAST = KPI.Aggregation.AVERAGE, KPI.Aggregation.SUM, KPI.Aggregation.LAST


# --------------------------------------------------------------------------------------------- replay


@contextmanager
def year_replayed(ctx: DemoContext) -> Iterator[None]:
    """This year's closed periods open for the block (database and `ctx.periods`), closed again after."""
    closed = [
        period
        for period in ctx.periods.values()
        if period.year == ctx.today.year and period.status == Period.Status.CLOSED
    ]
    Period.objects.filter(pk__in=[p.pk for p in closed]).update(status=Period.Status.ACTIVE)
    for period in closed:
        period.status = Period.Status.ACTIVE
    try:
        yield
    finally:
        # Recomputes queued by the replay's writes for these periods would only be refused once they are
        # closed again; the steps recompute every period they score themselves, so drop those requests.
        Job.objects.filter(
            status=Job.Status.QUEUED, key__in=[f"period:{p.pk}" for p in closed]
        ).delete()
        Period.objects.filter(pk__in=[p.pk for p in closed]).update(status=Period.Status.CLOSED)
        for period in closed:
            period.status = Period.Status.CLOSED


def replaying_the_year(step: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
    @wraps(step)
    def run(ctx: DemoContext) -> None:
        with year_replayed(ctx):
            step(ctx)

    return run


# --------------------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class ObjectivePlan:
    key: str
    perspective: str
    name: str
    owner: str  # unit code
    description: str = ""


@dataclass(frozen=True)
class KpiPlan:
    code: str
    name: str
    unit: str
    direction: str
    perspective: str
    owner: str  # unit code
    objective: str  # objective key
    target: str  # monthly target
    performance: float | None  # None: no measurements (shows "no data")
    aggregation: str = AVG
    collaborative: bool = False
    process: str = ""
    decimals: int = 2
    description: str = ""
    data_source: str = ""


@dataclass(frozen=True)
class GoalPlan:
    unit: str
    kpi: str
    weight: int
    position: str | None = None  # title of a position of `unit`
    children: tuple[GoalPlan, ...] = ()


@dataclass
class GoalsPlan:
    objectives: list[ObjectivePlan]
    links: list[tuple[str, str]]
    kpis: list[KpiPlan]
    tree: list[GoalPlan]
    extra: dict = field(default_factory=dict)


# --- the mining group ------------------------------------------------------------------------------------

MINING_SUBSIDIARIES = {  # subsidiary code: (business group, short name, how well it does: a factor)
    "MIN-JB": ("MIN-COAL", "晋北", 1.03),
    "MIN-ER": ("MIN-COAL", "鄂尔多斯", 0.99),
    "MIN-GN": ("MIN-METAL", "赣南", 0.93),
    "MIN-DX": ("MIN-METAL", "滇西", 0.97),
}
MINING_BUSINESS_GROUPS = {"MIN-COAL": ("煤炭事业群", 1.01), "MIN-METAL": ("有色金属事业群", 0.95)}

# The KPIs each business group and subsidiary reports on its own (the group's core four), as
# (suffix, name, unit, direction, objective, target, group performance).
MINING_CORE = (
    ("ACC", "事故率", "起/百万工时", LOWER, "safe", "0.50", 1.08),
    ("UPT", "设备开机率", "%", HIGHER, "uptime", "92", 0.96),
    ("CAP", "产能利用率", "%", HIGHER, "capacity", "85", 0.90),
    ("UC", "单位成本", "元/吨", LOWER, "cost", "320", 0.95),
)


def _mining_plan() -> GoalsPlan:
    objectives = [
        ObjectivePlan("cost", P.FINANCIAL, "降低单位成本", "MIN-STR", "吨矿完全成本逐年下降"),
        ObjectivePlan("margin", P.FINANCIAL, "提升毛利率", "MIN", "集团整体盈利能力"),
        ObjectivePlan("supply", P.CUSTOMER, "稳定供货与质量", "MIN-STR", "按合同按质按量供货"),
        ObjectivePlan("safe", P.INTERNAL_PROCESS, "安全生产", "MIN", "零死亡、事故率持续下降"),
        ObjectivePlan("uptime", P.INTERNAL_PROCESS, "提升设备开机率", "MIN-STR", "减少非计划停机"),
        ObjectivePlan("capacity", P.INTERNAL_PROCESS, "提升产能利用率", "MIN-STR", "产能充分释放"),
        ObjectivePlan("material", P.INTERNAL_PROCESS, "保障关键物料供应", "MIN-STR", "备件与材料及时到位"),
        ObjectivePlan("training", P.LEARNING_GROWTH, "强化安全培训与技能", "MIN-HR", "全员安全技能达标"),
        ObjectivePlan("digital", P.LEARNING_GROWTH, "推进设备数字化点检", "MIN-STR", "点检数据实时可见"),
    ]
    links = [
        ("training", "safe"),
        ("safe", "uptime"),
        ("digital", "uptime"),
        ("material", "uptime"),
        ("uptime", "capacity"),
        ("capacity", "cost"),
        ("capacity", "supply"),
        ("supply", "margin"),
        ("cost", "margin"),
    ]
    pt = ProcessTag
    kpis = [
        KpiPlan("MIN-GM", "毛利率", "%", HIGHER, P.FINANCIAL, "MIN", "margin", "28", 0.97,
                data_source="财务月报"),
        KpiPlan("MIN-PCR", "采购成本降低率", "%", HIGHER, P.FINANCIAL, "MIN-STR", "cost", "3", 1.10,
                process=pt.PROCURE_TO_PAY, data_source="采购系统"),
        KpiPlan("MIN-BUD", "预算执行偏差率", "%", LOWER, P.FINANCIAL, "MIN-STR", "cost", "5", 0.85,
                data_source="财务月报"),
        KpiPlan("MIN-FPY", "质量一次合格率", "%", HIGHER, P.CUSTOMER, "MIN-STR", "supply", "96", 1.01,
                process=pt.PLAN_TO_PRODUCE, data_source="质检记录"),
        KpiPlan("MIN-SUP", "合同供货履约率", "%", HIGHER, P.CUSTOMER, "MIN-STR", "supply", "96", 0.99,
                collaborative=True, process=pt.ORDER_TO_CASH, data_source="销售台账"),
        KpiPlan("MIN-RECT", "安全检查整改闭环率", "%", HIGHER, P.INTERNAL_PROCESS, "MIN", "safe", "95", 1.02,
                collaborative=True, data_source="安全隐患排查系统"),
        KpiPlan("MIN-OTD", "关键物料交付准时率", "%", HIGHER, P.INTERNAL_PROCESS, "MIN-STR", "material", "95",
                0.78, collaborative=True, process=pt.PROCURE_TO_PAY, data_source="采购系统"),
        KpiPlan("MIN-DT", "停机时间", "小时", LOWER, P.INTERNAL_PROCESS, "MIN-STR", "uptime", "40", 0.74,
                aggregation=SUM, decimals=1, data_source="设备管理系统"),
        KpiPlan("MIN-TRN", "安全培训完成率", "%", HIGHER, P.LEARNING_GROWTH, "MIN-HR", "training", "90", 1.05,
                data_source="培训系统"),
        KpiPlan("MIN-DIG", "数字化点检覆盖率", "%", HIGHER, P.LEARNING_GROWTH, "MIN-STR", "digital", "80",
                0.70, aggregation=LAST, data_source="点检系统"),
        KpiPlan("MIN-CERT", "关键岗位持证上岗率", "%", HIGHER, P.LEARNING_GROWTH, "MIN-HR", "training", "100",
                None, collaborative=True, process=pt.HIRE_TO_ONBOARD,
                description="持证数据尚未接入，暂无数据"),
    ]
    scopes = [("MIN", "集团", 1.0)]
    scopes += [(code, name, factor) for code, (name, factor) in MINING_BUSINESS_GROUPS.items()]
    scopes += [(code, short, factor) for code, (_bg, short, factor) in MINING_SUBSIDIARIES.items()]
    for scope, short, factor in scopes:
        for suffix, name, unit, direction, objective, target, performance in MINING_CORE:
            missing = scope == "MIN-DX" and suffix == "UC"  # 滇西's cost system is not connected yet
            kpis.append(
                KpiPlan(
                    f"{scope}-{suffix}",
                    name if scope == "MIN" else f"{name}（{short}）",
                    unit,
                    direction,
                    P.FINANCIAL if suffix == "UC" else P.INTERNAL_PROCESS,
                    scope,
                    objective,
                    target,
                    None if missing else round(performance * factor, 3),
                    collaborative=suffix in ("ACC", "UPT", "UC"),
                    process=pt.PLAN_TO_PRODUCE if suffix in ("UPT", "CAP") else "",
                    decimals=2,
                    data_source="生产经营日报" if suffix != "UC" else "成本核算系统",
                )
            )

    # Under a subsidiary's core KPI: which of its departments hold which KPI, with their weights.
    departments = {
        "ACC": (("SAFE", "MIN-RECT", 60), ("PROD", "MIN-TRN", 40)),
        "UPT": (("EQP", "MIN-DT", 50), ("EQP", "MIN-DIG", 20), ("PUR", "MIN-OTD", 30)),
        "CAP": (("PROD", "MIN-FPY", 60), ("PROD", "MIN-SUP", 40)),
        "UC": (("FIN", "MIN-BUD", 50), ("PUR", "MIN-PCR", 50)),
    }
    # A few positions of the first subsidiary carry goals of their own.
    positions = {
        ("PROD", "MIN-FPY"): (
            ("PROD-T1", "车间班组长", "MIN-FPY", 60),
            ("PROD-T1", "车间班组长", "MIN-DT", 40),
        ),
        ("PUR", "MIN-OTD"): (("PUR", "采购专员", "MIN-OTD", 100),),
        ("EQP", "MIN-DT"): (("EQP-T1", "车间班组长", "MIN-DT", 70), ("EQP-T1", "维修电工", "MIN-DT", 30)),
        ("SAFE", "MIN-RECT"): (("SAFE", "安全检查员", "MIN-RECT", 100),),
    }

    def subsidiary(code: str, suffix: str, weight: int) -> GoalPlan:
        children = []
        for dept, kpi, dept_weight in departments[suffix]:
            people = positions.get((dept, kpi), ()) if code == "MIN-JB" else ()
            children.append(
                GoalPlan(
                    f"{code}-{dept}",
                    kpi,
                    dept_weight,
                    children=tuple(
                        GoalPlan(f"{code}-{unit}", p_kpi, p_weight, position=title)
                        for unit, title, p_kpi, p_weight in people
                    ),
                )
            )
        return GoalPlan(code, f"{code}-{suffix}", weight, children=tuple(children))

    def business_group(code: str, suffix: str, weight: int) -> GoalPlan:
        subs = [sub for sub, (bg, _s, _f) in MINING_SUBSIDIARIES.items() if bg == code]
        return GoalPlan(
            code, f"{code}-{suffix}", weight, children=tuple(subsidiary(sub, suffix, 50) for sub in subs)
        )

    top_weights = {"ACC": 25, "UPT": 25, "CAP": 20, "UC": 15}
    tree = [
        GoalPlan(
            "MIN",
            f"MIN-{suffix}",
            weight,
            children=(business_group("MIN-COAL", suffix, 60), business_group("MIN-METAL", suffix, 40)),
        )
        for suffix, weight in top_weights.items()
    ]
    tree.append(GoalPlan("MIN", "MIN-GM", 15))
    return GoalsPlan(objectives=objectives, links=links, kpis=kpis, tree=tree)


# --- the technology company ------------------------------------------------------------------------------


def _tech_plan() -> GoalsPlan:
    objectives = [
        ObjectivePlan("margin", P.FINANCIAL, "Raise the profit margin", "TEC", "利润率"),
        ObjectivePlan("cash", P.FINANCIAL, "Collect cash faster", "TEC-FIN", "应收账款周转"),
        ObjectivePlan("satisfaction", P.CUSTOMER, "Raise customer satisfaction", "TEC-CS", "客户满意度"),
        ObjectivePlan("retention", P.CUSTOMER, "Keep and grow key customers", "TEC-SAL", "客户留存率"),
        ObjectivePlan("delivery", P.INTERNAL_PROCESS, "Deliver projects on time", "TEC-DLV", "按期交付"),
        ObjectivePlan("stability", P.INTERNAL_PROCESS, "Run a stable product", "TEC-RND", "产品稳定性"),
        ObjectivePlan("service", P.INTERNAL_PROCESS, "Resolve service requests fast", "TEC-CS", "服务响应"),
        ObjectivePlan("talent", P.LEARNING_GROWTH, "Hire and grow key talent", "TEC-HR", "关键人才"),
    ]
    links = [
        ("stability", "satisfaction"),
        ("service", "satisfaction"),
        ("delivery", "satisfaction"),
        ("satisfaction", "retention"),
        ("retention", "margin"),
        ("cash", "margin"),
        ("talent", "delivery"),
    ]
    pt = ProcessTag
    kpis = [
        KpiPlan("FIN-MARGIN", "Profit margin", "%", HIGHER, P.FINANCIAL, "TEC", "margin", "18", 0.94,
                description="利润率", data_source="Monthly P&L"),
        KpiPlan("FIN-OPEX", "Operating expense ratio", "%", LOWER, P.FINANCIAL, "TEC-FIN", "margin", "22",
                1.04, description="费用率", data_source="Monthly P&L"),
        KpiPlan("SALES-REV", "Revenue", "k CNY", HIGHER, P.FINANCIAL, "TEC-SAL", "margin", "1200", 1.05,
                aggregation=SUM, process=pt.LEAD_TO_CASH, decimals=0, description="销售额",
                data_source="CRM"),
        KpiPlan("AR-DSO", "Days sales outstanding", "days", LOWER, P.FINANCIAL, "TEC-FIN", "cash", "45", 0.90,
                collaborative=True, process=pt.ORDER_TO_CASH, description="应收账款周转天数",
                data_source="ERP receivables"),
        KpiPlan("CUST-RET", "Customer retention rate", "%", HIGHER, P.CUSTOMER, "TEC-SAL", "retention", "90",
                0.93, collaborative=True, process=pt.LEAD_TO_CASH, description="客户留存率",
                data_source="CRM"),
        KpiPlan("KA-RENEW", "Key-account renewal rate", "%", HIGHER, P.CUSTOMER, "TEC-SAL", "retention", "90",
                0.95, collaborative=True, process=pt.LEAD_TO_CASH, description="大客户续约率",
                data_source="CRM"),
        KpiPlan("KA-RATIO", "Renewal ratio", "%", HIGHER, P.CUSTOMER, "TEC-SAL", "retention", "80", 1.08,
                description="续约比例", data_source="CRM"),
        KpiPlan("CS-CSAT", "Customer satisfaction", "%", HIGHER, P.CUSTOMER, "TEC-CS", "satisfaction", "88",
                1.02, collaborative=True, description="满意度", data_source="Survey tool"),
        KpiPlan("CS-COMPLAINT", "Complaint rate", "%", LOWER, P.CUSTOMER, "TEC-CS", "satisfaction", "2", 0.76,
                description="投诉率", data_source="Ticketing system"),
        KpiPlan("DLV-MILESTONE", "Milestone on-time rate", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-DLV",
                "delivery", "90", 1.05, collaborative=True, process=pt.DEMAND_TO_DELIVERY,
                description="里程碑准时率", data_source="Project tracker"),
        KpiPlan("DLV-ACCEPT", "Acceptance pass rate", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-DLV", "delivery",
                "92", 0.96, process=pt.DEMAND_TO_DELIVERY, description="验收通过率",
                data_source="Project tracker"),
        KpiPlan("RD-INCIDENTS", "Major incidents", "count", LOWER, P.INTERNAL_PROCESS, "TEC-RND", "stability",
                "2", 0.72, aggregation=SUM, decimals=0, description="重大故障数",
                data_source="Incident log"),
        KpiPlan("RD-AVAIL", "Service availability", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-RND", "stability",
                "99.5", 1.002, description="产品稳定性", data_source="Monitoring"),
        KpiPlan("CS-RESPONSE", "Ticket response time", "hours", LOWER, P.INTERNAL_PROCESS, "TEC-CS",
                "service", "4", 1.10, description="工单响应时间", data_source="Ticketing system"),
        KpiPlan("CS-FCR", "First-contact resolution rate", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-CS",
                "service", "75", 0.90, description="一次解决率", data_source="Ticketing system"),
        KpiPlan("HR-TTH", "Time to hire for key roles", "days", LOWER, P.LEARNING_GROWTH, "TEC-HR", "talent",
                "45", 0.70, collaborative=True, process=pt.HIRE_TO_ONBOARD, description="关键岗位招聘周期",
                data_source="ATS"),
        KpiPlan("HR-TRAIN", "Training hours per employee", "hours", HIGHER, P.LEARNING_GROWTH, "TEC-HR",
                "talent", "4", None, description="人均培训学时 (LMS not connected yet: no data)"),
    ]
    G = GoalPlan
    tree = [
        G("TEC", "CUST-RET", 25, children=(
            G("TEC-SAL", "KA-RENEW", 50, children=(
                G("TEC-SAL-T1", "KA-RATIO", 60, children=(
                    G("TEC-SAL-T1", "KA-RATIO", 100, position="Key Account Manager"),
                )),
                G("TEC-SAL-T2", "SALES-REV", 40),
            )),
            G("TEC-CS", "CS-CSAT", 30, children=(
                G("TEC-CS-T1", "CS-RESPONSE", 50, children=(
                    G("TEC-CS-T1", "CS-RESPONSE", 60, position="Customer Service Agent"),
                    G("TEC-CS-T1", "CS-FCR", 40, position="Customer Service Agent"),
                )),
                G("TEC-CS-T2", "CS-FCR", 50),
            )),
            G("TEC-RND", "RD-INCIDENTS", 20, children=(
                G("TEC-RND-T1", "RD-AVAIL", 60),
                G("TEC-RND-T3", "RD-INCIDENTS", 40),
            )),
        )),
        G("TEC", "FIN-MARGIN", 30, children=(
            G("TEC-SAL", "SALES-REV", 40),
            G("TEC-DLV", "DLV-MILESTONE", 35, children=(G("TEC-DLV-T1", "DLV-ACCEPT", 100),)),
            G("TEC-FIN", "FIN-OPEX", 25),
        )),
        G("TEC", "AR-DSO", 15, children=(G("TEC-FIN", "AR-DSO", 60), G("TEC-SAL", "AR-DSO", 40))),
        G("TEC", "CS-CSAT", 15, children=(
            G("TEC-CS", "CS-COMPLAINT", 60), G("TEC-DLV", "DLV-MILESTONE", 40),
        )),
        G("TEC", "HR-TTH", 15, children=(
            G("TEC-HR", "HR-TTH", 70, children=(G("TEC-HR", "HR-TTH", 100, position="Recruiter"),)),
            G("TEC-HR", "HR-TRAIN", 30),
        )),
    ]
    return GoalsPlan(objectives=objectives, links=links, kpis=kpis, tree=tree)


GOALS_PLANS: dict[str, Callable[[], GoalsPlan]] = {"mining": _mining_plan, "tech": _tech_plan}


# --------------------------------------------------------------------------------------------- numbers


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


# --------------------------------------------------------------------------------------------- the step


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
