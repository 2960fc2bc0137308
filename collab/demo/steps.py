"""The platform's demo steps (org, people, logins, periods, history) and the registry of the apps' steps."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.module_loading import module_has_submodule

from collab.audit import audit_record, snapshot
from collab.demo.bulk import bulk_heads, bulk_units
from collab.demo.names import person_name
from collab.demo.plans import BATCH_SIZE, DEMO_PASSWORD, Kind, TenantPlan
from collab.models import Employee, Membership, OrgUnit, Period, Position, Tenant


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


def app_demo_steps(attribute: str = "DEMO_STEPS") -> list[Callable[[Any], None]]:
    """Every app's steps (its `<app>/demo.py`'s `DEMO_STEPS`, or the list named `attribute`: `SCALE_STEPS`
    for seed_scale), in INSTALLED_APPS order, which is the layer order (collab < goals < responsibility <
    interlock < …): an app's steps build on what the apps below it made. Found at run time, so the platform
    imports no app; an app without the list contributes nothing."""
    steps = []
    for config in apps.get_app_configs():
        ours = Path(config.path).parent == Path(settings.BASE_DIR)  # not a third-party app's `demo`
        if ours and config.name != "collab" and module_has_submodule(config.module, "demo"):
            steps += getattr(import_module(f"{config.name}.demo"), attribute, [])
    return steps
