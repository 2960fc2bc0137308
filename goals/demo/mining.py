"""The mining group's goals plan: subsidiaries, business groups and their core KPIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from goals.models import ProcessTag

if TYPE_CHECKING:
    pass
from goals.demo.plans import HIGHER, LAST, LOWER, SUM, GoalPlan, GoalsPlan, KpiPlan, ObjectivePlan, P

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
