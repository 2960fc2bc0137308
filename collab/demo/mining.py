"""The mining group demo tenant's plan."""

from __future__ import annotations

from collab.demo.plans import CONSULTANT_USERNAME, Kind, LoginPlan, TenantPlan, UnitPlan
from collab.models import Role


def _mining_plan() -> TenantPlan:
    units: list[UnitPlan] = [
        UnitPlan(
            "MIN",
            "鸿岩矿业集团",
            Kind.GROUP,
            None,
            (("集团总裁", "管理", "E1"), ("总裁助理", "管理", "M2")),
            1,
        ),
        UnitPlan(
            "MIN-HR",
            "集团人力资源部",
            Kind.DEPARTMENT,
            "MIN",
            (
                ("人力资源总监", "人力资源", "M1"),
                ("绩效主管", "人力资源", "P4"),
                ("薪酬专员", "人力资源", "P3"),
            ),
            2,
        ),
        UnitPlan(
            "MIN-AUD",
            "集团审计部",
            Kind.DEPARTMENT,
            "MIN",
            (("审计总监", "审计", "M1"), ("内审专员", "审计", "P3")),
            2,
        ),
        UnitPlan(
            "MIN-STR",
            "集团战略运营部",
            Kind.DEPARTMENT,
            "MIN",
            (("战略运营总监", "战略", "M1"), ("经营分析师", "战略", "P4"), ("外部绩效顾问", "咨询", "P5")),
            2,
        ),
    ]
    business_groups = [
        (
            "MIN-COAL",
            "煤炭事业群",
            [("MIN-JB", "晋北鸿岩煤业有限公司"), ("MIN-ER", "鄂尔多斯鸿岩能源有限公司")],
            ("综采一队", "综采二队"),
            "采煤工",
        ),
        (
            "MIN-METAL",
            "有色金属事业群",
            [("MIN-GN", "赣南鸿岩钨业有限公司"), ("MIN-DX", "滇西鸿岩铜业有限公司")],
            ("采矿一班", "选矿班"),
            "采矿工",
        ),
    ]
    departments = [
        (
            "PROD",
            "生产部",
            (("生产部经理", "生产", "M2"), ("生产调度员", "生产", "P3"), ("质量检验员", "生产", "P2")),
        ),
        (
            "EQP",
            "设备部",
            (("设备部经理", "设备", "M2"), ("设备工程师", "设备", "P4"), ("点检员", "设备", "P2")),
        ),
        (
            "SAFE",
            "安监部",
            (("安监部经理", "安全", "M2"), ("安全检查员", "安全", "P3"), ("隐患整改专员", "安全", "P3")),
        ),
        (
            "PUR",
            "采购部",
            (("采购部经理", "采购", "M2"), ("采购专员", "采购", "P3"), ("仓储管理员", "采购", "P2")),
        ),
        ("FIN", "财务部", (("财务部经理", "财务", "M2"), ("成本会计", "财务", "P3"), ("出纳", "财务", "P2"))),
    ]
    for bg_code, bg_name, subsidiaries, production_teams, worker in business_groups:
        units.append(
            UnitPlan(
                bg_code,
                bg_name,
                Kind.BUSINESS_GROUP,
                "MIN",
                (("事业群总经理", "管理", "E2"), ("经营计划经理", "管理", "M2")),
                1,
            )
        )
        for sub_code, sub_name in subsidiaries:
            units.append(
                UnitPlan(
                    sub_code,
                    sub_name,
                    Kind.SUBSIDIARY,
                    bg_code,
                    (("总经理", "管理", "E3"), ("副总经理", "管理", "M1")),
                    1,
                )
            )
            for key, dept_name, positions in departments:
                units.append(
                    UnitPlan(f"{sub_code}-{key}", dept_name, Kind.DEPARTMENT, sub_code, positions, 3)
                )
            for index, team in enumerate(production_teams, start=1):
                units.append(
                    UnitPlan(
                        f"{sub_code}-PROD-T{index}",
                        team,
                        Kind.TEAM,
                        f"{sub_code}-PROD",
                        (("车间班组长", "生产", "S1"), (worker, "生产", "S3")),
                        4,
                    )
                )
            units.append(
                UnitPlan(
                    f"{sub_code}-EQP-T1",
                    "机电维修班",
                    Kind.TEAM,
                    f"{sub_code}-EQP",
                    (("车间班组长", "设备", "S1"), ("维修电工", "设备", "S3")),
                    3,
                )
            )
    return TenantPlan(
        slug="mining",
        name="鸿岩矿业集团",
        locale="zh-hans",
        employee_prefix="MN",
        names="zh",
        units=tuple(units),
        logins=(
            LoginPlan("mining-hr", (Role.HR_ADMIN,), "MIN-HR", 0),
            LoginPlan("mining-manager", (Role.MANAGER,), "MIN-JB-PROD", 0),
            LoginPlan("mining-employee", (Role.EMPLOYEE,), "MIN-JB-PROD-T1", 0),
            LoginPlan("mining-committee", (Role.COMMITTEE,), "MIN-STR", 0),
            LoginPlan("mining-auditor", (Role.AUDITOR,), "MIN-AUD", 0),
        ),
        consultant=LoginPlan(CONSULTANT_USERNAME, (Role.COMMITTEE,), "MIN-STR", 2),
    )
