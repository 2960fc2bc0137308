"""manage.py seed_demo and seed_scale: the demo tenants, their logins, and tenants of a given size."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from collab import demo
from collab.models import AuditEvent, Employee, Membership, OrgUnit, Period, Position, Tenant
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

ROLES = ("hr_admin", "manager", "employee", "committee", "auditor")
ROLE_LOGIN = {
    "hr_admin": "hr",
    "manager": "manager",
    "employee": "employee",
    "committee": "committee",
    "auditor": "auditor",
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    match = re.search(r"Password for every demo login: (\S+)", output)
    assert match, output
    return match.group(1)


def assert_tree_is_consistent(tenant: Tenant) -> list[OrgUnit]:
    """Every path is the parent's path plus the unit's own id, and depth counts the ancestors."""
    with tenant_scope(tenant):
        units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert (unit.parent_id is None) == (parent is None)
        expected = f"{parent.path if parent else '/'}{unit.pk}/"
        assert unit.path == expected, (unit.code, unit.path, expected)
        assert unit.depth == (parent.depth + 1 if parent else 0)
    return list(units.values())


@pytest.fixture
def seeded(db):
    return seed()


# --- seed_demo ------------------------------------------------------------------------------------------


def test_seed_demo_creates_the_mining_group(seeded):
    tenant = Tenant.objects.get(slug="mining")
    assert tenant.locale == "zh-hans"
    units = assert_tree_is_consistent(tenant)
    kinds = Counter(unit.kind for unit in units)
    assert (
        kinds["group"] == 1
        and kinds["business_group"] == 2
        and kinds["subsidiary"] >= 4
        and kinds["team"] > 0
    )
    with tenant_scope(tenant):
        for subsidiary in OrgUnit.objects.filter(kind="subsidiary"):
            departments = set(subsidiary.children.filter(kind="department").values_list("name", flat=True))
            assert departments == {"生产部", "设备部", "安监部", "采购部", "财务部"}
            assert subsidiary.parent.kind == "business_group"
        titles = set(Position.objects.values_list("title", flat=True))
        assert {"车间班组长", "采购专员", "安全检查员", "设备工程师", "成本会计"} <= titles
        # Every unit has people in positions of their own unit; everyone but the top has a manager.
        staffed = set(Employee.objects.values_list("org_unit_id", flat=True))
        assert staffed == {unit.pk for unit in units}
        assert Employee.objects.filter(manager__isnull=True).count() == 1
        assert not Employee.objects.exclude(position__org_unit=models_f("org_unit")).exists()
        for person in Employee.objects.select_related("manager__org_unit", "org_unit").exclude(manager=None):
            manager_unit = person.manager.org_unit
            assert manager_unit == person.org_unit or person.org_unit.path.startswith(manager_unit.path)


def models_f(name):
    from django.db.models import F

    return F(name)


def test_seed_demo_creates_the_technology_company(seeded):
    tenant = Tenant.objects.get(slug="tech")
    units = assert_tree_is_consistent(tenant)
    departments = {unit.name for unit in units if unit.kind == "department"}
    assert departments == {"Sales", "Customer Service", "R&D", "Delivery", "Finance", "HR"}
    with tenant_scope(tenant):
        assert set(Employee.objects.values_list("org_unit_id", flat=True)) == {unit.pk for unit in units}
        assert Position.objects.count() >= 12


def test_seed_demo_creates_sensible_periods(seeded):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the tenant's day
    with tenant_scope(Tenant.objects.get(slug="mining")):
        periods = {p.label: p.status for p in Period.objects.all()}
    assert periods[str(today.year)] == "active"
    assert periods[str(today.year - 1)] == "closed"
    assert periods[f"{today.year} Q{(today.month - 1) // 3 + 1}"] == "active"
    assert periods[f"{today.year}-{today.month:02d}"] == "active"
    assert len([label for label in periods if label.startswith(str(today.year))]) == 17
    assert "closed" in periods.values()


def test_period_statuses_follow_the_date():
    tenant = Tenant(pk=1, slug="x")
    statuses = {p.label: p.status for p in demo.period_rows(tenant, date(2025, 5, 15))}
    assert statuses["2025-03"] == "closed" and statuses["2025-04"] == "review"
    assert statuses["2025-05"] == "active" and statuses["2025-06"] == "planning"
    assert (
        statuses["2025 Q1"] == "closed"
        and statuses["2025 Q2"] == "active"
        and statuses["2025 Q3"] == "planning"
    )
    assert statuses["2025"] == "active" and statuses["2024"] == "closed" and statuses["2024-12"] == "closed"
    january = {p.label: p.status for p in demo.period_rows(tenant, date(2026, 1, 3))}
    assert january["2026-01"] == "active" and january["2025-12"] == "closed"
    assert "review" not in january.values()


@pytest.mark.parametrize("slug", ["mining", "tech"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_login_signs_in_with_the_printed_password(slug, role, seeded, client):
    username = f"{slug}-{ROLE_LOGIN[role]}"
    assert username in seeded
    response = client.post(
        "/accounts/login/", {"username": username, "password": printed_password(seeded)}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/t/{slug}/"
    assert f'data-home="{role}"' in response.content.decode()
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        membership = Membership.objects.get(user__username=username)
        assert membership.roles == [role]
        employee = Employee.objects.get(user__username=username)
    assert employee.name in seeded


def test_the_consultant_belongs_to_both_tenants_and_picks_one(seeded, client):
    assert "consultant" in seeded and "picks a tenant" in seeded
    response = client.post(
        "/accounts/login/", {"username": "consultant", "password": printed_password(seeded)}, follow=True
    )
    content = response.content.decode()
    assert "/t/mining/" in content and "/t/tech/" in content
    for slug in ("mining", "tech"):
        with tenant_scope(Tenant.objects.get(slug=slug)):
            assert Membership.objects.filter(user__username="consultant").exists()
            assert Employee.objects.filter(user__username="consultant").exists()
        assert client.get(f"/t/{slug}/").status_code == 200


def test_a_wrong_password_does_not_sign_in(seeded, client):
    response = client.post("/accounts/login/", {"username": "mining-hr", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_demo_leaves_an_audit_trail_the_auditor_can_read(seeded, client):
    client.post("/accounts/login/", {"username": "mining-auditor", "password": printed_password(seeded)})
    with tenant_scope(Tenant.objects.get(slug="mining")):
        transfer = AuditEvent.objects.get(action="employee.transfer")
        assert AuditEvent.objects.filter(action="membership.create").count() == 6
    assert transfer.before["org_unit"] != transfer.after["org_unit"]
    response = client.get(f"/t/mining/audit/{transfer.pk}/")
    assert response.status_code == 200
    assert 'data-field="org_unit" data-status="changed"' in response.content.decode()
    assert client.get("/t/mining/audit/", {"action": "period.close"}).status_code == 200


def test_seed_demo_if_empty_is_idempotent_and_still_prints_the_logins(seeded):
    def counts():
        with tenant_scope(Tenant.objects.get(slug="mining")):
            return (
                OrgUnit.objects.count(),
                Employee.objects.count(),
                Period.objects.count(),
                AuditEvent.objects.count(),
                get_user_model().objects.count(),
            )

    before = counts()
    again = seed("--if-empty")
    assert counts() == before
    assert "nothing was changed" in again
    assert printed_password(again) == printed_password(seeded)
    for slug in ("mining", "tech"):
        for role in ROLES:
            assert f"{slug}-{ROLE_LOGIN[role]}" in again


def test_seed_demo_without_if_empty_refuses_to_run_twice(seeded):
    with pytest.raises(CommandError, match="already exist"):
        seed()
    assert Tenant.objects.filter(slug="mining").count() == 1


def test_seed_demo_builds_only_the_missing_tenant(db):
    demo.tenant_build(demo.demo_plans()[0])  # mining only, as if tech had been deleted
    output = seed("--if-empty")
    assert "Created demo tenant(s) tech" in output
    assert set(Tenant.objects.values_list("slug", flat=True)) == {"mining", "tech"}
    assert get_user_model().objects.filter(username="consultant").count() == 1


def test_seed_demo_refuses_when_a_demo_login_name_is_taken(db):
    get_user_model().objects.create_user("tech-auditor", password="someone-elses-password")
    with pytest.raises(CommandError, match="tech-auditor"):
        seed()
    assert not Tenant.objects.filter(slug__in=["mining", "tech"]).exists()


def test_the_demo_plan_has_one_login_per_role_in_each_tenant():
    for plan in demo.demo_plans():
        assert sorted(role for login in plan.logins for role in login.roles) == sorted(ROLES)
        assert len({login.username for login in plan.logins}) == len(ROLES)


# --- seed_scale -----------------------------------------------------------------------------------------


def scale(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def test_seed_scale_creates_a_tenant_of_the_requested_size(client):
    output = scale("--units", "200", "--employees", "2000", "--slug", "bench")
    assert re.search(r"200 units, 400 positions, 2000 employees in \d+\.\ds", output)
    tenant = Tenant.objects.get(slug="bench")
    units = assert_tree_is_consistent(tenant)
    assert len(units) == 200
    assert {unit.kind for unit in units} == {"group", "business_group", "subsidiary", "department", "team"}
    assert len({unit.code for unit in units}) == 200
    with tenant_scope(tenant):
        assert Employee.objects.count() == 2000
        assert Position.objects.count() == 400
        per_unit = Counter(Employee.objects.values_list("org_unit_id", flat=True))
        assert set(per_unit.values()) == {10}
        assert Employee.objects.filter(manager__isnull=True).count() == 1
        assert not Employee.objects.exclude(position__org_unit=models_f("org_unit")).exists()
        assert Period.objects.filter(status="closed").exists()
        assert Membership.objects.get().roles == ["hr_admin"]
    password = re.search(r"bench-hr / (\S+)", output).group(1)
    response = client.post("/accounts/login/", {"username": "bench-hr", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/bench/"


def test_seed_scale_with_fewer_employees_than_units_staffs_the_top_of_the_tree():
    scale("--units", "50", "--employees", "7", "--slug", "thin")
    tenant = Tenant.objects.get(slug="thin")
    assert_tree_is_consistent(tenant)
    with tenant_scope(tenant):
        assert Employee.objects.count() == 7
        assert Employee.objects.filter(manager__isnull=True).count() == 1
        assert Employee.objects.filter(manager__isnull=False, manager__org_unit__isnull=True).count() == 0


def test_seed_scale_tree_shape():
    rows = demo.scale_tree(5000)
    assert len(rows) == 5000 and len({code for code, *_ in rows}) == 5000
    seen = set()
    for code, _name, _kind, parent in rows:
        assert parent is None or parent in seen
        seen.add(code)
    assert demo.scale_tree(1) == [("U000001", "规模测试集团", "group", None)]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--units", "0", "--employees", "5"], "at least 1"),
        (["--units", "5", "--employees", "-1"], "negative"),
        (["--units", "5", "--employees", "5", "--slug", "Bad Slug"], "Cannot use the slug"),
        (["--units", "5", "--employees", "5", "--slug", "alpha"], "already exists"),
        (["--units", "x", "--employees", "5"], "invalid int value"),
    ],
)
def test_seed_scale_refuses_bad_arguments(arguments, message, tenant_a):
    with pytest.raises(CommandError, match=message):
        scale(*arguments)
    assert Tenant.objects.count() == 1
