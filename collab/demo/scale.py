"""seed_scale: a tenant of any size, for benchmarks."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from collab.audit import audit_record
from collab.demo.bulk import bulk_heads, bulk_units
from collab.demo.names import person_name
from collab.demo.plans import BATCH_SIZE, DEMO_PASSWORD, Kind
from collab.demo.running import _local_today
from collab.demo.steps import _login_user, app_demo_steps, period_rows
from collab.models import Employee, Membership, OrgUnit, Period, Position, Role, Tenant
from collab.tenancy import tenant_scope

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
class ScaleSizes:
    """Proportions of a scale tenant per org unit; the defaults are issue 9's group (100,000 employees →
    10,000 units, 10,000 KPIs, 2,000 matrices, 20,000 goals, 20,000 scorecards, 200,000 lines)."""

    goals_per_unit: int = 2
    kpis_per_unit: float = 1.0
    matrices_per_unit: float = 0.2
    lines_per_card: int = 10
    org_only: bool = False  # units, positions, people and logins only (no app steps)


@dataclass
class ScaleContext:
    """What the platform built, for the apps' `SCALE_STEPS` (run in layer order inside the tenant's scope and
    the build's transaction). Steps add their counts to `counts` (shown by the command) and may leave
    objects for the apps above them in `extra`."""

    tenant: Tenant
    rng: random.Random
    today: date
    sizes: ScaleSizes
    hr_user: object
    units: list[OrgUnit]  # breadth-first: a parent always before its children
    head_positions: dict[int, Position]  # unit id → the head's position
    periods: dict[str, Period]  # label ("2025", "2025 Q1", "2025-01") → period
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> Period:
        """The period the scale tenant's goals and scorecards belong to: this year (active)."""
        return self.periods[str(self.today.year)]

    def months_done(self) -> list[Period]:
        """This year's months before the current one (at least January): the months with actuals."""
        last = max(self.today.month - 1, 1)
        return [self.periods[f"{self.today.year}-{month:02d}"] for month in range(1, last + 1)]


@dataclass(frozen=True)
class ScaleResult:
    tenant: Tenant
    units: int
    positions: int
    employees: int
    username: str
    manager_username: str
    counts: dict[str, int]
    timings: list[tuple[str, float]]


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


def _manager_unit(ordered: list[OrgUnit], staffed: set[int]) -> OrgUnit | None:
    """The unit the manager login heads: the first staffed subsidiary (depth 2), else the deepest staffed
    unit above it — a part of the group, not all of it."""
    for depth in (2, 1, 0):
        for unit in ordered:
            if unit.depth == depth and unit.pk in staffed:
                return unit
    return None


@transaction.atomic
def scale_build(
    *,
    slug: str,
    name: str,
    units: int,
    employees: int,
    sizes: ScaleSizes | None = None,
    today: date | None = None,
) -> ScaleResult:
    """A tenant with `units` org units and `employees` employees, then every app's `SCALE_STEPS` (KPIs, the
    goal tree, matrices, scorecards, measurements, a score recompute), all with batched bulk inserts.

    Each unit gets two positions (head and staff); the employees are spread evenly over the units in
    breadth-first order, the first of each unit being its head (reporting to the parent's head). Two
    logins with the demo password: `<slug>-hr` (HR admin, the top unit's head) and `<slug>-manager` (a
    manager, head of the first subsidiary).
    """
    sizes = sizes or ScaleSizes()
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()
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

        period_list = period_rows(tenant, today or _local_today(tenant))
        Period.objects.bulk_create(period_list)
        password = make_password(DEMO_PASSWORD)
        username, manager_username = f"{slug}-hr", f"{slug}-manager"
        user = _login_user(username, password)
        Membership.objects.create(tenant=tenant, user=user, roles=[Role.HR_ADMIN.value])
        manager = _login_user(manager_username, password)
        Membership.objects.create(tenant=tenant, user=manager, roles=[Role.MANAGER.value])
        logins = [(staffed[0] if staffed else None, user), (_manager_unit(ordered, set(heads)), manager)]
        for unit, login in logins:
            if unit is not None and unit.pk in heads and heads[unit.pk].user_id is None:
                heads[unit.pk].user = login
                heads[unit.pk].save(update_fields=["user"])
        timings.append(("org", time.perf_counter() - started))

        ctx = ScaleContext(
            tenant=tenant,
            rng=rng,
            today=today or _local_today(tenant),
            sizes=sizes,
            hr_user=user,
            units=ordered,
            head_positions=head_position,
            periods={period.label: period for period in period_list},
        )
        for step in [] if sizes.org_only else app_demo_steps("SCALE_STEPS"):
            began = time.perf_counter()
            step(ctx)
            timings.append((step.__name__, time.perf_counter() - began))
        audit_record(
            actor=None,
            action="tenant.seed_scale",
            obj=tenant,
            after={"units": len(unit_map), "positions": len(positions), "employees": employees, **ctx.counts},
        )
    return ScaleResult(
        tenant=tenant,
        units=len(unit_map),
        positions=len(positions),
        employees=employees,
        username=username,
        manager_username=manager_username,
        counts=ctx.counts,
        timings=timings,
    )
