"""Demo and benchmark data: the two demo tenants (`seed_demo`) and tenants of any size (`seed_scale`).

The demo is built by area, one function per area, each taking the `DemoContext` of one tenant:

    org_build → people_build → logins_build → periods_build → history_build       (here: `STEPS`)
    → goals_build → matrices_build → scorecards_build           (goals/, responsibility/, interlock/demo.py)

Each app brings its own steps in `<app>/demo.py` (a `DEMO_STEPS` list), found by `app_demo_steps()`;
`ctx` hands them the units, positions, employees, logins and periods by key, and what lower apps built.

The org steps write straight through the models with bulk inserts (paths computed in Python from the
ids bulk_create returns), inside `tenant_scope(tenant)`, so a tenant's organisation takes a fraction of a
second. The goals, responsibility and interlock steps go through their areas' services as the tenant's
HR admin (audited like a person's work); together they take a few seconds.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from collab.audit import audit_record, snapshot
from collab.models import Employee, Membership, OrgUnit, Period, Position, Role, Tenant
from collab.tenancy import tenant_scope

# One shared password for every demo login, printed by seed_demo. It guards demo data only;
# set COLLAB_DEMO_PASSWORD to use another one.
DEMO_PASSWORD = os.environ.get("COLLAB_DEMO_PASSWORD", "collab-demo-2025")
CONSULTANT_USERNAME = "consultant"
BATCH_SIZE = 2000

Kind = OrgUnit.Kind


# --- plans: what each demo tenant looks like ---------------------------------------------------------


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: str
    parent: str | None
    # Positions of the unit as (title, job family, level); the first is the head's.
    positions: tuple[tuple[str, str, str], ...]
    staff: int  # employees besides the head


@dataclass(frozen=True)
class LoginPlan:
    username: str
    roles: tuple[str, ...]
    unit: str  # code of the unit where the login's employee works
    seat: int  # 0: the unit's head; n: its n-th staff member


@dataclass(frozen=True)
class TenantPlan:
    slug: str
    name: str
    locale: str
    employee_prefix: str
    names: str  # "zh" or "pinyin"
    units: tuple[UnitPlan, ...]
    logins: tuple[LoginPlan, ...]
    consultant: LoginPlan


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


def demo_plans() -> list[TenantPlan]:
    return [_mining_plan(), _tech_plan()]


# --- names ----------------------------------------------------------------------------------------------

_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢钟谭陆范石廖夏"
    "方白孟秦邱江薛段雷侯龙郝龚邵严武"
)
_ZH_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚华玉兰萍红建国"
    "志文辉力斌波宁宇浩凯鹏飞鑫晨欣怡婷雪琳璐颖佳欢峰海东亮俊帅"
)
_PINYIN_SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang "
    "Xie Song Tang Han Feng Deng Cao Peng"
).split()
_PINYIN_GIVEN = (
    "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Juan Tao Ming Chao Xia Ping Gang Hua Hao "
    "Kai Peng Fei Xin Chen Yi Ting Xue Lin Jia Yu Ning Bo Haoran Zihan Yuxuan Siyu Jiahui"
).split()


def person_name(rng: random.Random, style: str) -> str:
    if style == "pinyin":
        return f"{rng.choice(_PINYIN_SURNAMES)} {rng.choice(_PINYIN_GIVEN)}"
    given = "".join(rng.choice(_ZH_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_ZH_SURNAMES) + given


# --- bulk building blocks (shared by seed_demo and seed_scale) -------------------------------------------


def bulk_units(tenant: Tenant, rows: Iterable[tuple[str, str, str, str | None]]) -> dict[str, OrgUnit]:
    """Insert units given as (code, name, kind, parent code), parents listed before their children.

    One bulk insert per depth; ids come back from bulk_create, so each path ("/<ancestor ids>/<id>/")
    is computed in Python from the parent's and written with one bulk update per depth.
    """
    levels: dict[int, list[tuple[str, str, str, str | None]]] = defaultdict(list)
    depth_of: dict[str, int] = {}
    for code, name, kind, parent in rows:
        depth = 0 if parent is None else depth_of[parent] + 1
        depth_of[code] = depth
        levels[depth].append((code, name, kind, parent))
    units: dict[str, OrgUnit] = {}
    for depth in sorted(levels):
        batch = [
            OrgUnit(
                tenant=tenant,
                code=code,
                name=name,
                kind=kind,
                parent=units.get(parent) if parent else None,
                depth=depth,
                path="",
            )
            for code, name, kind, parent in levels[depth]
        ]
        OrgUnit.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        for unit in batch:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            units[unit.code] = unit
        OrgUnit.objects.bulk_update(batch, ["path"], batch_size=BATCH_SIZE)
    return units


def bulk_heads(
    tenant: Tenant, units: Sequence[OrgUnit], make: Callable[[OrgUnit], Employee]
) -> dict[int, Employee]:
    """One head per unit, reporting to the head of the parent unit; one bulk insert per depth."""
    heads: dict[int, Employee] = {}
    by_depth: dict[int, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        by_depth[unit.depth].append(unit)
    for depth in sorted(by_depth):
        batch = []
        for unit in by_depth[depth]:
            head = make(unit)
            head.tenant = tenant
            head.manager = heads.get(unit.parent_id)
            batch.append(head)
        Employee.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        heads.update({head.org_unit_id: head for head in batch})
    return heads


# --- the demo ------------------------------------------------------------------------------------------


@dataclass
class DemoContext:
    """Everything one tenant's demo build has made so far, by key, for the next area's function."""

    tenant: Tenant
    plan: TenantPlan
    rng: random.Random
    today: date
    units: dict[str, OrgUnit] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)  # (unit code, title)
    heads: dict[str, Employee] = field(default_factory=dict)  # unit code → head
    staff: dict[str, list[Employee]] = field(default_factory=dict)  # unit code → staff (not the head)
    users: dict[str, Any] = field(default_factory=dict)  # username → User
    periods: dict[str, Period] = field(default_factory=dict)  # label ("2025", "2025 Q1", "2025-01") → Period
    extra: dict[str, Any] = field(default_factory=dict)  # free room for later areas

    def employee_at(self, unit_code: str, seat: int) -> Employee:
        return self.heads[unit_code] if seat == 0 else self.staff[unit_code][seat - 1]

    @property
    def hr_user(self):
        return self.users[self.plan.logins[0].username]


def org_build(ctx: DemoContext) -> None:
    """The unit tree and each unit's positions."""
    plan, tenant = ctx.plan, ctx.tenant
    ctx.units = bulk_units(tenant, [(u.code, u.name, u.kind, u.parent) for u in plan.units])
    positions = []
    for unit_plan in plan.units:
        unit = ctx.units[unit_plan.code]
        for index, (title, family, level) in enumerate(unit_plan.positions, start=1):
            positions.append(
                Position(
                    tenant=tenant,
                    code=f"{unit_plan.code}-P{index}",
                    title=title,
                    org_unit=unit,
                    job_family=family,
                    level=level,
                )
            )
    Position.objects.bulk_create(positions, batch_size=BATCH_SIZE)
    ctx.positions = {(p.org_unit.code, p.title): p for p in positions}


def people_build(ctx: DemoContext) -> None:
    """Employees in every unit: a head (reporting to the parent unit's head) and staff reporting to them."""
    plan, tenant, rng = ctx.plan, ctx.tenant, ctx.rng
    plans = {u.code: u for u in plan.units}
    counter = iter(range(1, 1_000_000))

    def employee(unit: OrgUnit, title: str) -> Employee:
        number = f"{plan.employee_prefix}{next(counter):05d}"
        return Employee(
            tenant=tenant,
            employee_no=number,
            name=person_name(rng, plan.names),
            email=f"{number.lower()}@{plan.slug}.example.com",
            org_unit=unit,
            position=ctx.positions[(unit.code, title)],
        )

    heads = bulk_heads(
        tenant, list(ctx.units.values()), lambda unit: employee(unit, plans[unit.code].positions[0][0])
    )
    ctx.heads = {unit.code: heads[unit.pk] for unit in ctx.units.values()}
    staff: list[Employee] = []
    for code, unit in ctx.units.items():
        titles = [title for title, _f, _l in plans[code].positions[1:]] or [plans[code].positions[0][0]]
        members = []
        for index in range(plans[code].staff):
            member = employee(unit, titles[index % len(titles)])
            member.manager = ctx.heads[code]
            members.append(member)
        ctx.staff[code] = members
        staff.extend(members)
    Employee.objects.bulk_create(staff, batch_size=BATCH_SIZE)


def _login_user(username: str, password_hash: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, email=f"{username}@example.com", password=password_hash)
        user.save()
    return user


def logins_build(ctx: DemoContext) -> None:
    """A login per role (and the consultant), each a member with that role and linked to an employee."""
    password_hash = ctx.extra.get("password_hash") or make_password(DEMO_PASSWORD)
    for login in (*ctx.plan.logins, ctx.plan.consultant):
        user = _login_user(login.username, password_hash)
        ctx.users[login.username] = user
        employee = ctx.employee_at(login.unit, login.seat)
        employee.user = user
        employee.save(update_fields=["user"])
        # The members list names people; the consultant keeps the name of their first tenant.
        if not user.first_name:
            user.first_name = employee.name
            user.save(update_fields=["first_name"])
        Membership.objects.create(tenant=ctx.tenant, user=user, roles=list(login.roles))


def period_rows(tenant: Tenant, today: date) -> list[Period]:
    """Last year (all closed) and this year: the year, its quarters and months, with statuses by today's date.

    This year: past quarters and months are closed except last month (in review), the current ones are
    active and the rest are being planned.
    """
    status, rows = Period.Status, []
    current_quarter = (today.month - 1) // 3 + 1
    for year in (today.year - 1, today.year):
        past_year = year < today.year
        rows.append(
            Period(
                tenant=tenant,
                kind=Period.Kind.YEAR,
                year=year,
                status=status.CLOSED if past_year else status.ACTIVE,
            )
        )
        for quarter in range(1, 5):
            if past_year or quarter < current_quarter:
                state = status.CLOSED
            else:
                state = status.ACTIVE if quarter == current_quarter else status.PLANNING
            rows.append(
                Period(tenant=tenant, kind=Period.Kind.QUARTER, year=year, quarter=quarter, status=state)
            )
        for month in range(1, 13):
            if past_year or month < today.month - 1:
                state = status.CLOSED
            elif month == today.month - 1:
                state = status.REVIEW
            else:
                state = status.ACTIVE if month == today.month else status.PLANNING
            rows.append(Period(tenant=tenant, kind=Period.Kind.MONTH, year=year, month=month, status=state))
    return rows


def periods_build(ctx: DemoContext) -> None:
    """The periods of last year and this year (see `period_rows`)."""
    rows = period_rows(ctx.tenant, ctx.today)
    Period.objects.bulk_create(rows)
    ctx.periods = {period.label: period for period in rows}


def history_build(ctx: DemoContext) -> None:
    """A believable audit trail: tenant creation, org load, logins, period closings, one transfer."""
    hr = ctx.hr_user
    tenant = ctx.tenant
    audit_record(actor=None, action="tenant.create", obj=tenant, after=snapshot(tenant))
    audit_record(
        actor=hr,
        action="org.import",
        object_type="collab.orgunit",
        object_repr=tenant.name,
        after={
            "units": len(ctx.units),
            "positions": len(ctx.positions),
            "employees": len(ctx.heads) + sum(len(v) for v in ctx.staff.values()),
        },
    )
    for login in (*ctx.plan.logins, ctx.plan.consultant):
        membership = Membership.objects.get(user=ctx.users[login.username])
        audit_record(
            actor=hr,
            action="membership.create",
            obj=membership,
            object_repr=f"{login.username} · {', '.join(login.roles)}",
            after=snapshot(membership),
        )
    for period in ctx.periods.values():
        if period.kind == Period.Kind.MONTH and period.status == Period.Status.CLOSED:
            before = snapshot(period)
            before["status"] = Period.Status.REVIEW
            audit_record(actor=hr, action="period.close", obj=period, before=before, after=snapshot(period))
    # A transfer: the first staff member of the second production team moves to the first team.
    teams = [code for code, unit in ctx.units.items() if unit.kind == Kind.TEAM and ctx.staff.get(code)]
    if len(teams) >= 2:
        mover, target = ctx.staff[teams[1]][0], ctx.units[teams[0]]
        before = snapshot(mover)
        mover.org_unit, mover.manager = target, ctx.heads[teams[0]]
        mover.position = ctx.staff[teams[0]][0].position
        mover.save(update_fields=["org_unit", "manager", "position"])
        ctx.staff[teams[1]].remove(mover)
        ctx.staff[teams[0]].append(mover)
        audit_record(actor=hr, action="employee.transfer", obj=mover, before=before, after=snapshot(mover))


# The platform's steps; each runs inside the tenant's scope and transaction, as the apps' steps do.
STEPS: list[Callable[[DemoContext], None]] = [
    org_build,
    people_build,
    logins_build,
    periods_build,
    history_build,
]


def app_demo_steps() -> list[Callable[[DemoContext], None]]:
    """Every app's `DEMO_STEPS` (from its `<app>/demo.py`), in INSTALLED_APPS order, which is the layer order
    (collab < goals < responsibility < interlock < …): an app's demo builds on what the apps below it made.
    Found at run time, so the platform imports no app."""
    steps = []
    for config in apps.get_app_configs():
        ours = Path(config.path).parent == Path(settings.BASE_DIR)  # not a third-party app's `demo`
        if ours and config.name != "collab" and module_has_submodule(config.module, "demo"):
            steps += import_module(f"{config.name}.demo").DEMO_STEPS
    return steps


@dataclass(frozen=True)
class LoginRow:
    tenant_slug: str
    tenant_name: str
    roles: tuple[str, ...]
    username: str
    employee: str
    unit: str


def demo_tenants_present() -> dict[str, bool]:
    slugs = [plan.slug for plan in demo_plans()]
    present = set(Tenant.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    return {slug: slug in present for slug in slugs}


def _local_today(tenant: Tenant) -> date:
    try:
        zone = ZoneInfo(tenant.timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def tenant_build(
    plan: TenantPlan, *, password_hash: str | None = None, today: date | None = None
) -> DemoContext:
    """Build one demo tenant from its plan, running every area's step inside its scope."""
    tenant = Tenant.objects.create(slug=plan.slug, name=plan.name, locale=plan.locale)
    ctx = DemoContext(
        tenant=tenant, plan=plan, rng=random.Random(plan.slug), today=today or _local_today(tenant)
    )
    ctx.extra["password_hash"] = password_hash or make_password(DEMO_PASSWORD)
    with tenant_scope(tenant):
        for step in [*STEPS, *app_demo_steps()]:
            step(ctx)
    return ctx


class DemoConflict(Exception):
    """A demo login name is already taken by a user who is not part of the demo."""


@transaction.atomic
def demo_build(*, today: date | None = None) -> list[str]:
    """Create whichever demo tenant is missing (all in one transaction); returns the slugs built."""
    present = demo_tenants_present()
    plans = [plan for plan in demo_plans() if not present[plan.slug]]
    taken = set(
        get_user_model()
        .objects.filter(username__in=[login.username for plan in plans for login in plan.logins])
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoConflict(
            f"These demo user names already exist outside the demo tenants: {', '.join(sorted(taken))}"
        )
    password_hash = make_password(DEMO_PASSWORD)
    for plan in plans:
        tenant_build(plan, password_hash=password_hash, today=today)
    return [plan.slug for plan in plans]


def _unit_label(unit: OrgUnit) -> str:
    return f"{unit.parent.name} / {unit.name}" if unit.parent else unit.name


def demo_logins() -> list[LoginRow]:
    """Every demo login as stored now (what seed_demo prints), read tenant by tenant inside its scope."""
    rows: list[LoginRow] = []
    for plan in demo_plans():
        tenant = Tenant.objects.filter(slug=plan.slug).first()
        if tenant is None:
            continue
        usernames = [login.username for login in (*plan.logins, plan.consultant)]
        with tenant_scope(tenant):
            memberships = {
                m.user.username: m
                for m in Membership.objects.filter(user__username__in=usernames).select_related("user")
            }
            employees = {
                e.user_id: e
                for e in Employee.objects.filter(user__username__in=usernames).select_related(
                    "org_unit__parent"
                )
            }
        for username in usernames:
            membership = memberships.get(username)
            if membership is None:
                continue
            employee = employees.get(membership.user_id)
            rows.append(
                LoginRow(
                    tenant.slug,
                    tenant.name,
                    tuple(membership.roles),
                    username,
                    employee.name if employee else "",
                    _unit_label(employee.org_unit) if employee else "",
                )
            )
    return rows


# --- seed_scale: a tenant of any size, for benchmarks ---------------------------------------------------

SCALE_KINDS = (Kind.GROUP, Kind.BUSINESS_GROUP, Kind.SUBSIDIARY, Kind.DEPARTMENT, Kind.TEAM)
_SCALE_DEPARTMENTS = (
    "生产部",
    "设备部",
    "安监部",
    "采购部",
    "财务部",
    "销售部",
    "客服部",
    "研发部",
    "交付部",
    "人力资源部",
)


@dataclass(frozen=True)
class ScaleResult:
    tenant: Tenant
    units: int
    positions: int
    employees: int
    username: str


def scale_tree(count: int) -> list[tuple[str, str, str, str | None]]:
    """`count` units as (code, name, kind, parent code) in breadth-first order, at most five levels deep.

    The fan-out is the smallest that fits `count` units into group → business group → subsidiary →
    department → team; the tree is filled level by level, so parents always come before children.
    """
    if count < 1:
        return []
    fanout = 1
    while sum(fanout**depth for depth in range(len(SCALE_KINDS))) < count:
        fanout += 1
    rows: list[tuple[str, str, str, str | None]] = [("U000001", "规模测试集团", Kind.GROUP, None)]
    depth_of = {"U000001": 0}
    serial = {kind: 0 for kind in SCALE_KINDS}
    cursor = 0
    while len(rows) < count:
        parent_code = rows[cursor][0]
        depth = depth_of[parent_code] + 1
        kind = SCALE_KINDS[depth]
        for _child in range(fanout):
            if len(rows) == count:
                break
            serial[kind] += 1
            code = f"U{len(rows) + 1:06d}"
            number = serial[kind]
            name = {
                Kind.BUSINESS_GROUP: f"第{number}事业群",
                Kind.SUBSIDIARY: f"第{number}子公司",
                Kind.DEPARTMENT: f"{_SCALE_DEPARTMENTS[number % len(_SCALE_DEPARTMENTS)]}{number}",
                Kind.TEAM: f"班组{number}",
            }[kind]
            rows.append((code, name, kind, parent_code))
            depth_of[code] = depth
        cursor += 1
    return rows


@transaction.atomic
def scale_build(
    *, slug: str, name: str, units: int, employees: int, today: date | None = None
) -> ScaleResult:
    """A tenant with `units` org units and `employees` employees, written with batched bulk inserts.

    Each unit gets two positions (head and staff); the employees are spread evenly over the units in
    breadth-first order, the first of each unit being its head (reporting to the parent's head). One
    HR admin login (`<slug>-hr`, the demo password) is linked to the top unit's head.
    """
    tenant = Tenant.objects.create(slug=slug, name=name, locale="zh-hans")
    rng = random.Random(slug)
    with tenant_scope(tenant):
        unit_map = bulk_units(tenant, scale_tree(units))
        ordered = sorted(unit_map.values(), key=lambda unit: unit.pk)
        positions = []
        for unit in ordered:
            positions.append(
                Position(
                    tenant=tenant,
                    code=f"{unit.code}-H",
                    title="负责人",
                    org_unit=unit,
                    job_family="管理",
                    level="M2",
                )
            )
            positions.append(
                Position(
                    tenant=tenant,
                    code=f"{unit.code}-S",
                    title="专员",
                    org_unit=unit,
                    job_family="业务",
                    level="P3",
                )
            )
        Position.objects.bulk_create(positions, batch_size=BATCH_SIZE)
        head_position = {p.org_unit_id: p for p in positions[0::2]}
        staff_position = {p.org_unit_id: p for p in positions[1::2]}

        staffed = ordered[: min(len(ordered), employees)]  # breadth-first: ancestors are always staffed
        base, extra = divmod(employees, len(staffed)) if staffed else (0, 0)
        counter = iter(range(1, employees + 1))

        def person(unit: OrgUnit, position: Position, manager_id: int | None = None) -> Employee:
            # Plain ids, not instances: 100,000 rows go through here and descriptors cost time.
            return Employee(
                tenant_id=tenant.pk,
                employee_no=f"S{next(counter):07d}",
                name=person_name(rng, "zh"),
                org_unit_id=unit.pk,
                position_id=position.pk,
                manager_id=manager_id,
            )

        heads = bulk_heads(tenant, staffed, lambda unit: person(unit, head_position[unit.pk]))
        batch: list[Employee] = []
        for index, unit in enumerate(staffed):
            for _member in range(base + (1 if index < extra else 0) - 1):
                batch.append(person(unit, staff_position[unit.pk], heads[unit.pk].pk))
                if len(batch) >= 10 * BATCH_SIZE:
                    Employee.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                    batch = []
        Employee.objects.bulk_create(batch, batch_size=BATCH_SIZE)

        Period.objects.bulk_create(period_rows(tenant, today or _local_today(tenant)))
        username = f"{slug}-hr"
        user = _login_user(username, make_password(DEMO_PASSWORD))
        Membership.objects.create(tenant=tenant, user=user, roles=[Role.HR_ADMIN.value])
        if staffed:
            root_head = heads[staffed[0].pk]
            root_head.user = user
            root_head.save(update_fields=["user"])
        audit_record(
            actor=None,
            action="tenant.seed_scale",
            obj=tenant,
            after={"units": len(unit_map), "positions": len(positions), "employees": employees},
        )
    return ScaleResult(
        tenant=tenant, units=len(unit_map), positions=len(positions), employees=employees, username=username
    )
