"""manage.py seed_demo and seed_scale: the demo tenants, their logins, and tenants of a given size."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from collab.demo import running as demo_running
from collab.demo import steps as demo_steps
from collab.demo.running import _local_today, demo_build, demo_plans, tenant_build
from collab.demo.scale import scale_tree
from collab.demo.steps import period_rows
from collab.models import AuditEvent, Employee, Job, Membership, OrgUnit, Period, Position, Tenant
from collab.tenancy import tenant_scope
from goals.models import KPI, Goal, Measurement, Objective, ObjectiveLink
from goals.selectors.scores import period_scores
from goals.selectors.tree.periods import tree_publication
from goals.services.tree.whole_tree import sibling_groups_off
from interlock.models import Scorecard, ScorecardLine, ScoreSnapshot
from responsibility.models import MatrixRow

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


@pytest.fixture(autouse=True)
def org_steps_only(request, monkeypatch):
    """Tests of the org, people and logins run the org steps only (a fraction of a second); tests that use
    `full_steps` (or `full_demo`) build everything (goals, matrices, scorecards and scores take seconds)."""
    if "full_steps" not in request.fixturenames:
        monkeypatch.setattr(demo_running, "app_demo_steps", list)


@pytest.fixture
def full_steps():
    """Marks a test that runs every step of the demo (see `org_steps_only`)."""


@pytest.fixture
def seeded(db):
    return seed()


@pytest.fixture
def full_demo(db, full_steps):
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


def test_seed_demo_shows_released_review_results_of_hr(full_demo):
    from feedback.models import ResultRelease

    with tenant_scope(Tenant.objects.get(slug="tech")):
        shown = ResultRelease.objects.filter(subject__org_unit__code="TEC-HR", shown=True)
        assert shown.filter(slice="").count() == 2  # two closed quarterly rounds, each from ≥ k raters
        assert shown.filter(slice__startswith="business_line:").exists()


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
    statuses = {p.label: p.status for p in period_rows(tenant, date(2025, 5, 15))}
    assert statuses["2025-03"] == "closed" and statuses["2025-04"] == "review"
    assert statuses["2025-05"] == "active" and statuses["2025-06"] == "planning"
    assert (
        statuses["2025 Q1"] == "closed"
        and statuses["2025 Q2"] == "active"
        and statuses["2025 Q3"] == "planning"
    )
    assert statuses["2025"] == "active" and statuses["2024"] == "closed" and statuses["2024-12"] == "closed"
    january = {p.label: p.status for p in period_rows(tenant, date(2026, 1, 3))}
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
    assert employee.user.get_full_name() == employee.name  # the members list names the person


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


def test_seed_demo_if_empty_is_idempotent_and_still_prints_the_logins(full_demo):
    def counts():
        with tenant_scope(Tenant.objects.get(slug="mining")):
            return (
                OrgUnit.objects.count(),
                Employee.objects.count(),
                Period.objects.count(),
                AuditEvent.objects.count(),
                get_user_model().objects.count(),
                KPI.objects.count(),
                Goal.objects.count(),
                Measurement.objects.count(),
                MatrixRow.objects.count(),
                Scorecard.objects.count(),
                ScoreSnapshot.objects.count(),
            )

    before = counts()
    assert min(before) > 0
    again = seed("--if-empty")
    assert counts() == before
    assert "nothing was changed" in again
    assert printed_password(again) == printed_password(full_demo)
    for slug in ("mining", "tech"):
        for role in ROLES:
            assert f"{slug}-{ROLE_LOGIN[role]}" in again


def test_seed_demo_without_if_empty_refuses_to_run_twice(seeded):
    with pytest.raises(CommandError, match="already exist"):
        seed()
    assert Tenant.objects.filter(slug="mining").count() == 1


def test_seed_demo_builds_only_the_missing_tenant(db):
    tenant_build(demo_plans()[0])  # mining only, as if tech had been deleted
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
    for plan in demo_plans():
        assert sorted(role for login in plan.logins for role in login.roles) == sorted(ROLES)
        assert len({login.username for login in plan.logins}) == len(ROLES)


# --- the demo shows the product working (goals, matrices, scorecards, scores) ------------------------------


def _this_year(tenant: Tenant) -> Period:
    return Period.objects.get(kind="year", year=_local_today(tenant).year)


def _matrix_rows(kpi_code: str) -> dict[str, tuple[str, str, str | None]]:
    """{unit code: (role, share, evaluation KPI code)} of the KPI's matrix in effect."""
    rows = MatrixRow.objects.filter(matrix__kpi__code=kpi_code).select_related("org_unit", "evaluation_kpi")
    return {
        row.org_unit.code: (row.role, f"{row.share.normalize():f}", getattr(row.evaluation_kpi, "code", None))
        for row in rows
    }


def _assert_goal_cascade(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        year = _this_year(tenant)
        # Strategy map: objectives in all four perspectives, linked cause → effect.
        assert set(Objective.objects.filter(period=year).values_list("perspective", flat=True)) == {
            "financial",
            "customer",
            "internal_process",
            "learning_growth",
        }
        assert ObjectiveLink.objects.filter(cause__period=year).count() >= 6
        # KPI library: both directions, collaborative KPIs with end-to-end process tags, all on the map.
        kpis = KPI.objects.all()
        assert kpis.count() >= 15
        assert {"higher_better", "lower_better"} == set(kpis.values_list("direction", flat=True))
        assert kpis.filter(is_collaborative=True).exclude(process_tag="").exists()
        assert not kpis.filter(objective=None).exists()
        # The tree: published, every sibling group (the top level included) weighs exactly 100, from the
        # top unit down to positions.
        goals = Goal.objects.filter(period=year)
        assert goals.count() >= 25
        assert sibling_groups_off(year) == []
        publication = tree_publication(year)
        assert publication is not None and not publication.changed_since
        assert goals.filter(position__isnull=False).exists()
        assert goals.filter(parent=None).values("org_unit").distinct().count() == 1
        assert goals.values("depth").distinct().count() >= 4
        # Measurements give every colour band, and "no data" where nothing was measured.
        measured = Measurement.objects.filter(actual__isnull=False).values("kpi").distinct().count()
        assert measured >= 15 and measured < kpis.count()  # some KPIs are not measured yet
        bands = {score.band for score in period_scores(year).goals.values()}
        assert {"green", "amber", "red"} <= bands
        kpi_bands = {value.band for value in period_scores(year).kpis.values()}
        assert {"green", "amber", "red", "none"} <= kpi_bands


def _assert_scorecards(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        year = _this_year(tenant)
        cards = Scorecard.objects.filter(period=year)
        assert cards.count() >= 8 and not cards.exclude(status="published").exists()
        assert cards.filter(review_weight=Decimal("0.2")).exists()
        lines = ScorecardLine.objects.filter(scorecard__period=year)
        assert lines.filter(role="shared").exists() and lines.filter(role="own").exists()
        assert lines.filter(role="reference", weight=0, threshold__isnull=False).exists()
        for card in cards.prefetch_related("lines"):
            assert sum(line.weight for line in card.lines.all() if line.role != "reference") == 100
        # Performance contracts: one manager's position at or above the minimum collaborative share, one
        # under it (flagged).
        contracts = {card.position.title: card.collaborative_warning for card in cards.exclude(position=None)}
        assert sorted(contracts.values()) == [False, True]
        # Scores: a snapshot for every published scorecard of the year and of the current quarter.
        today = _local_today(tenant)
        quarter = Period.objects.get(kind="quarter", year=today.year, quarter=(today.month - 1) // 3 + 1)
        for period in (year, quarter):
            assert (
                ScoreSnapshot.objects.filter(period=period).count()
                == Scorecard.objects.filter(period=period, status="published").count()
            )
        flags = [flag["code"] for snap in ScoreSnapshot.objects.filter(period=year) for flag in snap.flags]
        assert "special_review" in flags and "collaborative_share_low" in flags
        # The replay left the periods as they were, and no recompute waits for a closed period (it would
        # only fail) or has failed.
        expected = {p.label: p.status for p in period_rows(tenant, today)}
        assert {p.label: p.status for p in Period.objects.all()} == expected
        closed = [f"period:{p.pk}" for p in Period.objects.filter(status="closed")]
        assert not Job.objects.filter(key__in=closed).exclude(status="done").exists()
        assert not Job.objects.filter(status="failed").exists()


def test_the_demo_shows_the_product_working(full_demo, client):
    tech, mining = Tenant.objects.get(slug="tech"), Tenant.objects.get(slug="mining")
    for tenant in (tech, mining):
        _assert_goal_cascade(tenant)
        _assert_scorecards(tenant)
    with tenant_scope(tech):
        # The seed tables, as they stand.
        assert _matrix_rows("CUST-RET") == {
            "TEC-SAL": ("lead", "50", None),
            "TEC-CS": ("collaborating", "30", None),
            "TEC-RND": ("support", "20", None),
        }
        assert _matrix_rows("AR-DSO") == {
            "TEC-FIN": ("lead", "60", None),
            "TEC-SAL": ("collaborating", "40", None),
        }
        assert _matrix_rows("KA-RENEW") == {
            "TEC-SAL": ("lead", "40", "KA-RATIO"),
            "TEC-CS": ("collaborating", "25", "CS-COMPLAINT"),
            "TEC-DLV": ("collaborating", "25", "DLV-MILESTONE"),
            "TEC-RND": ("support", "10", "RD-INCIDENTS"),
        }
        rnd = Scorecard.objects.get(period=_this_year(tech), org_unit__code="TEC-RND")
        assert rnd.lines.get(kpi__code="CUST-RET").role == "reference"
    with tenant_scope(mining):
        # Cross-department matrices: a lead and other departments of the same subsidiary.
        rows = _matrix_rows("MIN-JB-UPT")
        assert rows == {
            "MIN-JB-EQP": ("lead", "50", None),
            "MIN-JB-PROD": ("collaborating", "30", None),
            "MIN-JB-PUR": ("support", "20", "MIN-OTD"),
        }
        assert MatrixRow.objects.values("matrix").distinct().count() >= 3
    # The pages show it: the HR admin's tree, KPI library and strategy map.
    client.post("/accounts/login/", {"username": "mining-hr", "password": printed_password(full_demo)})
    pages = {
        "/t/mining/goals/tree/": "设备开机率（煤炭事业群）",  # the top levels (deeper ones load on opening)
        "/t/mining/goals/kpis/": "事故率",
        "/t/mining/goals/kpis/?process_tag=procure_to_pay": "关键物料交付准时率",
        "/t/mining/goals/strategy-map/": "安全生产",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_the_demo_builds_early_in_january(db, full_steps):
    """Nothing of this year is closed yet, last year is; one month of numbers still scores."""
    today = date(2027, 1, 3)
    demo_build(today=today)
    tenant = Tenant.objects.get(slug="tech")
    with tenant_scope(tenant):
        year = Period.objects.get(kind="year", year=today.year)
        assert sibling_groups_off(year) == [] and tree_publication(year) is not None
        assert {p.label: p.status for p in Period.objects.all()} == {
            p.label: p.status for p in period_rows(tenant, today)
        }
        quarter = Period.objects.get(kind="quarter", year=today.year, quarter=(today.month - 1) // 3 + 1)
        assert ScoreSnapshot.objects.filter(period=year).exists()
        assert ScoreSnapshot.objects.filter(period=quarter).exists()
        assert ScoreSnapshot.objects.filter(total__isnull=False).exists()


# --- seed_scale -----------------------------------------------------------------------------------------


def scale(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def test_seed_scale_creates_a_tenant_of_the_requested_size(client):
    output = scale("--units", "200", "--employees", "2000", "--slug", "bench", "--org-only")
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
        assert sorted(Membership.objects.values_list("roles", flat=True)) == [["hr_admin"], ["manager"]]
        manager = Employee.objects.get(user__username="bench-manager")
        assert manager.org_unit.depth == 2 and manager.manager_id is not None  # heads a subsidiary
        assert not KPI.objects.exists() and not Scorecard.objects.exists()  # --org-only
    password = re.search(r"bench-hr / (\S+)", output).group(1)
    response = client.post("/accounts/login/", {"username": "bench-hr", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/bench/"


def test_seed_scale_with_fewer_employees_than_units_staffs_the_top_of_the_tree():
    scale("--units", "50", "--employees", "7", "--slug", "thin", "--org-only")
    tenant = Tenant.objects.get(slug="thin")
    assert_tree_is_consistent(tenant)
    with tenant_scope(tenant):
        assert Employee.objects.count() == 7
        assert Employee.objects.filter(manager__isnull=True).count() == 1
        assert Employee.objects.filter(manager__isnull=False, manager__org_unit__isnull=True).count() == 0


def test_seed_scale_builds_a_full_tenant_in_the_issue_proportions(tenant_b):
    """Every app's SCALE_STEPS: a published goal tree following the org tree, matrices, unit and position
    scorecards publishable as they are, measurements, and scores — nothing of it in the other tenant."""
    output = scale("--employees", "400", "--slug", "big")  # 40 units: a tenth of the employees
    assert "40 units, 80 positions, 400 employees, 12 objectives, 40 kpis, 80 goals" in output
    assert "8 matrices, 24 matrix rows, 80 scorecards, 800 scorecard lines, 80 snapshots" in output
    assert "big-manager / " in output and "scorecards_scale" in output
    tenant = Tenant.objects.get(slug="big")
    today = _local_today(tenant)
    with tenant_scope(tenant):
        year = Period.objects.get(kind="year", year=today.year)
        assert Goal.objects.filter(period=year).count() == 80
        assert sibling_groups_off(year) == []  # every sibling group's weights add up to 100
        assert tree_publication(year) is not None
        units = {unit.pk: unit for unit in OrgUnit.objects.all()}
        for goal in Goal.objects.select_related("parent"):
            assert goal.path.endswith(f"/{goal.pk}/")
            if goal.parent is not None:
                assert units[goal.org_unit_id].parent_id == goal.parent.org_unit_id
                assert goal.path == f"{goal.parent.path}{goal.pk}/"
        assert Objective.objects.count() == 12 and ObjectiveLink.objects.count() == 9
        assert Measurement.objects.filter(actual__isnull=False).count() == Measurement.objects.count() > 0
        assert MatrixRow.objects.filter(role="lead").count() == 8
        for shares in Counter(MatrixRow.objects.values_list("matrix_id", flat=True)).values():
            assert shares == 3
        cards = Scorecard.objects.filter(period=year, status="published")
        assert cards.filter(org_unit__isnull=False).count() == 40
        assert cards.filter(position__isnull=False).count() == 40
        for card in cards.prefetch_related("lines"):
            lines = list(card.lines.all())
            assert len(lines) == 10 and sum(line.weight for line in lines) == Decimal(100)
        assert ScorecardLine.objects.filter(role="shared").exists()
        assert ScoreSnapshot.objects.filter(period=year).count() == 80
        assert ScoreSnapshot.objects.filter(period=year, total__isnull=False).exists()
        assert AuditEvent.objects.filter(action="tenant.seed_scale").count() == 1
    with tenant_scope(tenant_b):
        assert not Goal.objects.exists() and not Scorecard.objects.exists() and not KPI.objects.exists()


def test_seed_scale_tree_shape():
    rows = scale_tree(5000)
    assert len(rows) == 5000 and len({code for code, *_ in rows}) == 5000
    seen = set()
    for code, _name, _kind, parent in rows:
        assert parent is None or parent in seen
        seen.add(code)
    assert scale_tree(1) == [("U000001", "规模测试集团", "group", None)]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--units", "0", "--employees", "5"], "at least 1"),
        (["--units", "5", "--employees", "-1"], "negative"),
        (["--units", "5", "--employees", "5", "--slug", "Bad Slug"], "Cannot use the slug"),
        (["--units", "5", "--employees", "5", "--slug", "alpha"], "already exists"),
        (["--units", "x", "--employees", "5"], "invalid int value"),
        (["--employees", "5", "--lines-per-card", "0"], "--lines-per-card"),
    ],
)
def test_seed_scale_refuses_bad_arguments(arguments, message, tenant_a):
    with pytest.raises(CommandError, match=message):
        scale(*arguments)
    assert Tenant.objects.count() == 1


def test_every_app_brings_its_demo_steps_in_layer_order(full_steps):
    # Each app's demo builds on the apps below it (matrices need the goals' KPIs, scorecards need both), so
    # the steps run in INSTALLED_APPS order, the layer order; the platform finds them without importing apps.
    from alerts.demo import process_kpis_build, processes_build
    from appraisal.demo import appraisal_cycle_build
    from feedback.demo import (
        collaboration_events_build,
        points_build,
        review_campaigns_build,
        review_templates_build,
    )
    from feedback.demo_results import review_results_build
    from goals.demo.build import goals_build
    from interlock.demo import scorecards_build
    from responsibility.demo import matrices_build

    steps = [
        goals_build,
        matrices_build,
        scorecards_build,
        review_templates_build,
        review_results_build,
        review_campaigns_build,
        collaboration_events_build,
        points_build,
        appraisal_cycle_build,
        processes_build,
        process_kpis_build,
    ]
    assert demo_steps.app_demo_steps() == steps


def test_every_app_brings_its_scale_steps_in_layer_order():
    from goals.demo.scale import goals_scale
    from interlock.demo import scorecards_scale
    from responsibility.demo import matrices_scale

    assert demo_steps.app_demo_steps("SCALE_STEPS") == [goals_scale, matrices_scale, scorecards_scale]
