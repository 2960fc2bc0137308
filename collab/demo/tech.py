"""The technology company demo tenant's plan."""

from __future__ import annotations

from collab.demo.plans import CONSULTANT_USERNAME, Kind, LoginPlan, TenantPlan, UnitPlan
from collab.models import Role


def _tech_plan() -> TenantPlan:
    units: list[UnitPlan] = [
        UnitPlan(
            "TEC",
            "Skylark Technology Co., Ltd.",
            Kind.SUBSIDIARY,
            None,
            (
                ("Chief Executive Officer", "Management", "E1"),
                ("Chief Operating Officer", "Management", "E2"),
            ),
            1,
        ),
    ]
    departments = [
        (
            "SAL",
            "Sales",
            (
                ("Sales Director", "Sales", "M1"),
                ("Account Executive", "Sales", "P3"),
                ("Sales Operations Analyst", "Sales", "P3"),
            ),
            [
                (
                    "Key Accounts",
                    ("Key Account Manager", "Sales", "M3"),
                    ("Account Executive", "Sales", "P3"),
                ),
                ("Channel Sales", ("Channel Sales Lead", "Sales", "M3"), ("Channel Manager", "Sales", "P3")),
            ],
        ),
        (
            "CS",
            "Customer Service",
            (("Customer Service Manager", "Service", "M2"), ("Quality Analyst", "Service", "P3")),
            [
                (
                    "Tier-1 Support",
                    ("Support Team Lead", "Service", "M3"),
                    ("Customer Service Agent", "Service", "P2"),
                ),
                (
                    "Tier-2 Support",
                    ("Support Team Lead", "Service", "M3"),
                    ("Support Engineer", "Service", "P3"),
                ),
            ],
        ),
        (
            "RND",
            "R&D",
            (
                ("R&D Director", "Engineering", "M1"),
                ("Product Manager", "Product", "P4"),
                ("Solution Architect", "Engineering", "P5"),
            ),
            [
                (
                    "Platform Team",
                    ("Engineering Manager", "Engineering", "M3"),
                    ("Software Engineer", "Engineering", "P3"),
                ),
                (
                    "Mobile Team",
                    ("Engineering Manager", "Engineering", "M3"),
                    ("Mobile Engineer", "Engineering", "P3"),
                ),
                ("QA Team", ("QA Lead", "Engineering", "M3"), ("QA Engineer", "Engineering", "P3")),
            ],
        ),
        (
            "DLV",
            "Delivery",
            (("Delivery Director", "Delivery", "M1"), ("Project Manager", "Delivery", "P4")),
            [
                (
                    "Implementation",
                    ("Implementation Lead", "Delivery", "M3"),
                    ("Implementation Consultant", "Delivery", "P3"),
                )
            ],
        ),
        (
            "FIN",
            "Finance",
            (
                ("Finance Manager", "Finance", "M2"),
                ("Accountant", "Finance", "P3"),
                ("Internal Auditor", "Finance", "P4"),
            ),
            [],
        ),
        (
            "HR",
            "HR",
            (
                ("HR Manager", "HR", "M2"),
                ("HR Business Partner", "HR", "P4"),
                ("Recruiter", "HR", "P3"),
                ("External Performance Consultant", "Consulting", "P5"),
            ),
            [],
        ),
    ]
    for key, name, positions, teams in departments:
        units.append(UnitPlan(f"TEC-{key}", name, Kind.DEPARTMENT, "TEC", positions, len(positions)))
        for index, (team, lead, member) in enumerate(teams, start=1):
            units.append(UnitPlan(f"TEC-{key}-T{index}", team, Kind.TEAM, f"TEC-{key}", (lead, member), 4))
    return TenantPlan(
        slug="tech",
        name="Skylark Technology",
        locale="en",
        employee_prefix="TK",
        names="pinyin",
        units=tuple(units),
        logins=(
            LoginPlan("tech-hr", (Role.HR_ADMIN,), "TEC-HR", 0),
            LoginPlan("tech-manager", (Role.MANAGER,), "TEC-SAL", 0),
            LoginPlan("tech-employee", (Role.EMPLOYEE,), "TEC-CS-T1", 1),
            LoginPlan("tech-committee", (Role.COMMITTEE,), "TEC-DLV", 0),
            LoginPlan("tech-auditor", (Role.AUDITOR,), "TEC-FIN", 2),
        ),
        consultant=LoginPlan(CONSULTANT_USERNAME, (Role.HR_ADMIN,), "TEC-HR", 3),
    )
