"""Building the demo tenants (all steps, inside each tenant's scope) and listing their logins."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from collab.demo.mining import _mining_plan
from collab.demo.plans import DEMO_PASSWORD, TenantPlan
from collab.demo.steps import STEPS, DemoContext, app_demo_steps
from collab.demo.tech import _tech_plan
from collab.models import Employee, Membership, OrgUnit, Tenant
from collab.tenancy import tenant_scope


def demo_plans() -> list[TenantPlan]:
    return [_mining_plan(), _tech_plan()]


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
