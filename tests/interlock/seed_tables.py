"""The seed's responsibility tables (seed 000 §一.2.2 and §一.3) as test data, shared by the engine tests (as
frames) and the database tests (built through the services by `tests.factories.interlock.build_seed_tables`).

Measurements are chosen so every number is exact by hand:
    客户留存率        target 90 %,  actual 81 %   → 90   (the worked example of DESIGN.md §6)
    应收账款周转天数   target 45 d,  actual 50 d   → 90   (lower is better)
    大客户续约率      target 90 %,  actual 85.5 % → 95
    续约比例 110 · 投诉率 80 (lower) · 里程碑准时率 100 · 重大故障数 75 (lower) · 销售额 110 · 产品稳定性 100
"""

from __future__ import annotations

from interlock.engine import PeriodInputs

# name: (id in the engine tests, code, name, direction, target, actual)
KPIS = {
    "retention": (1, "CUST-RET", "客户留存率", "higher_better", "90", "81"),
    "dso": (2, "AR-DSO", "应收账款周转天数", "lower_better", "45", "50"),
    "renewal": (3, "KA-RENEW", "大客户续约率", "higher_better", "90", "85.5"),
    "renewal_ratio": (4, "KA-RATIO", "续约比例", "higher_better", "80", "88"),
    "complaint_rate": (5, "CS-COMPLAINT", "投诉率", "lower_better", "2", "2.5"),
    "milestone_on_time": (6, "DLV-MILESTONE", "里程碑准时率", "higher_better", "95", "95"),
    "major_incidents": (7, "RD-INCIDENTS", "重大故障数", "lower_better", "3", "4"),
    "revenue": (8, "SALES-REV", "销售额", "higher_better", "1000", "1100"),
    "stability": (9, "RD-STABILITY", "产品稳定性", "higher_better", "99.9", "99.9"),
}
KPI = {name: spec[0] for name, spec in KPIS.items()}

# name: (id in the engine tests, code, name)
UNITS = {
    "sales": (11, "SALES", "销售部"),
    "service": (12, "SERVICE", "客服部"),
    "rnd": (13, "RND", "研发部"),
    "finance": (14, "FINANCE", "财务部"),
    "delivery": (15, "DELIVERY", "交付/实施部"),
}
UNIT = {name: spec[0] for name, spec in UNITS.items()}

# KPI name: (matrix id, rows of (unit, role, share, evaluation KPI, contribution dimension, evaluation
# method))
MATRICES = {
    "retention": (
        101,
        [
            ("sales", "lead", "50", None, "直接维护客户关系", ""),
            ("service", "collaborating", "30", None, "解决售后问题", ""),
            ("rnd", "support", "20", None, "产品稳定性影响满意度", ""),
        ],
    ),
    "dso": (
        102,
        [
            ("finance", "lead", "60", None, "账款管理与催收", ""),
            ("sales", "collaborating", "40", None, "回款进度与客户沟通", ""),
        ],
    ),
    "renewal": (
        103,
        [
            ("sales", "lead", "40", "renewal_ratio", "关系维护", "续约比例、关键人关系质量评价"),
            ("service", "collaborating", "25", "complaint_rate", "服务响应质量", "投诉率、满意度"),
            (
                "delivery",
                "collaborating",
                "25",
                "milestone_on_time",
                "项目按期高质量交付",
                "里程碑准时率、验收通过率",
            ),
            ("rnd", "support", "10", "major_incidents", "产品稳定性与适配度", "重大故障数、定制需求响应情况"),
        ],
    ),
}

# (scorecard id, unit, ρ, lines of (line id, KPI, weight, role, threshold))
SCORECARDS = [
    (
        1,
        "sales",
        "0.2",
        [
            (11, "retention", "40", "own", None),
            (12, "dso", "20", "shared", None),
            (13, "renewal", "20", "shared", None),
            (14, "revenue", "20", "own", None),
        ],
    ),
    (
        2,
        "service",
        "0",
        [
            (21, "retention", "30", "shared", None),
            (22, "complaint_rate", "70", "own", None),
        ],
    ),
    (
        3,
        "rnd",
        "0",
        [
            (31, "stability", "80", "own", None),
            (32, "retention", "0", "reference", "95"),
            (33, "renewal", "20", "shared", None),
        ],
    ),
]
RATINGS = {"sales": [4, 4, 4, 4, 5]}  # five distinct raters (k = 5): mean 4.2 → review part 80
POINTS = {"sales": ["2", "1"]}  # +3 approved

EXPECTED_TOTALS = {"sales": "97.40", "service": "83.00", "rnd": "95.00"}


def seed_inputs() -> PeriodInputs:
    """The seed tables as engine inputs (ids from the tables above)."""
    kpis = {"kpi": [], "direction": [], "cap": []}
    measurements = {"kpi": [], "target": [], "actual": []}
    for kid, _code, _name, direction, target, actual in KPIS.values():
        kpis["kpi"].append(kid)
        kpis["direction"].append(direction)
        kpis["cap"].append(1.2)
        measurements["kpi"].append(kid)
        measurements["target"].append(float(target))
        measurements["actual"].append(float(actual))
    matrix_rows = {"matrix": [], "kpi": [], "unit": [], "role": [], "share": [], "eval_kpi": []}
    for kpi_name, (matrix_id, rows) in MATRICES.items():
        for unit, role, share, eval_kpi, _dimension, _method in rows:
            matrix_rows["matrix"].append(matrix_id)
            matrix_rows["kpi"].append(KPI[kpi_name])
            matrix_rows["unit"].append(UNIT[unit])
            matrix_rows["role"].append(role)
            matrix_rows["share"].append(float(share))
            matrix_rows["eval_kpi"].append(KPI[eval_kpi] if eval_kpi else None)
    scorecards = {"scorecard": [], "subject": [], "unit": [], "rho": []}
    lines = {"scorecard": [], "kpi": [], "weight": [], "role": [], "threshold": [], "line": []}
    for card_id, unit, rho, card_lines in SCORECARDS:
        scorecards["scorecard"].append(card_id)
        scorecards["subject"].append(f"unit:{UNIT[unit]}")
        scorecards["unit"].append(UNIT[unit])
        scorecards["rho"].append(float(rho))
        for line_id, kpi_name, weight, role, threshold in card_lines:
            lines["scorecard"].append(card_id)
            lines["kpi"].append(KPI[kpi_name])
            lines["weight"].append(float(weight))
            lines["role"].append(role)
            lines["threshold"].append(float(threshold) if threshold else None)
            lines["line"].append(line_id)
    ratings = {"subject": [], "rater": [], "value": []}
    for unit, values in RATINGS.items():
        for rater, value in enumerate(values):
            ratings["subject"].append(f"unit:{UNIT[unit]}")
            ratings["rater"].append(rater)
            ratings["value"].append(value)
    points = {"subject": [], "points": []}
    for unit, values in POINTS.items():
        for value in values:
            points["subject"].append(f"unit:{UNIT[unit]}")
            points["points"].append(float(value))
    return PeriodInputs(
        kpis=kpis,
        measurements=measurements,
        matrix_rows=matrix_rows,
        scorecards=scorecards,
        lines=lines,
        ratings=ratings,
        points=points,
    )
