"""Organisation API: CRUD through the services, roles, JSON field errors, bad input, other tenants."""

from __future__ import annotations

import pytest

from collab.models import AuditEvent, Employee, OrgUnit, Period, Position
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory
from tests.versions import versioned

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha"


def _change(api, method: str, url: str, body: dict, **kwargs):
    """PATCH/PUT as an editor does: with the `lock_version` the object has now."""
    version = api.get(url).json()["lock_version"]
    return getattr(api, method)(url, {**body, "lock_version": version}, **kwargs)


@pytest.fixture
def api(api_client_for, hr_a):
    return api_client_for(hr_a)


@pytest.fixture
def tree(tenant_a):
    with tenant_scope(tenant_a):
        group = OrgUnitFactory(code="G", name="Group", kind="group")
        ops = OrgUnitFactory(code="OPS", name="Operations", parent=group)
        team = OrgUnitFactory(code="T", name="Team", kind="team", parent=ops)
    return {"group": group, "ops": ops, "team": team}


@pytest.fixture
def foreign(tenant_b):
    with tenant_scope(tenant_b):
        unit = OrgUnitFactory(code="B-U")
        return {
            "unit": unit,
            "position": PositionFactory(org_unit=unit),
            "employee": EmployeeFactory(org_unit=unit),
            "period": PeriodFactory(status="planning", year=2050),
        }


def count(tenant, model):
    with tenant_scope(tenant):
        return model.objects.count()


# ----- org units --------------------------------------------------------------------------------------------
def test_unit_crud_and_move(api, tenant_a, tree):
    created = api.post(
        f"{BASE}/org-units/",
        {"code": "D", "name": "Dept", "kind": "department", "parent": tree["group"].pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["path"] == f"{tree['group'].path}{body['id']}/" and body["depth"] == 1
    detail = f"{BASE}/org-units/{body['id']}/"
    assert api.get(detail).json()["code"] == "D"
    renamed = _change(api, "patch", detail, {"name": "Department"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Department"
    assert renamed.json()["parent"] == tree["group"].pk
    moved = _change(
        api, "patch", f"{BASE}/org-units/{tree['ops'].pk}/", {"parent": body["id"]}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["depth"] == 2
    with tenant_scope(tenant_a):
        team = OrgUnit.objects.get(pk=tree["team"].pk)
    assert (
        team.path == f"/{tree['group'].pk}/{body['id']}/{tree['ops'].pk}/{tree['team'].pk}/"
        and team.depth == 3
    )
    put = _change(
        api, "put", detail, {"code": "D", "name": "Dept again", "kind": "department"}, format="json"
    )
    assert put.status_code == 200 and put.json()["parent"] == tree["group"].pk  # PUT without parent keeps it
    refused = api.delete(versioned(detail, put.json()["lock_version"]))
    assert refused.status_code == 400 and "sub-units" in refused.json()["non_field_errors"][0]
    team = f"{BASE}/org-units/{tree['team'].pk}/"
    assert api.delete(versioned(team, api.get(team).json()["lock_version"])).status_code == 204
    assert count(tenant_a, OrgUnit) == 3


def test_move_under_a_descendant_is_a_field_error(api, tenant_a, tree):
    response = _change(
        api, "patch", f"{BASE}/org-units/{tree['group'].pk}/", {"parent": tree["team"].pk}, format="json"
    )
    assert response.status_code == 400 and "its own sub-units" in response.json()["parent"][0]
    itself = _change(
        api, "patch", f"{BASE}/org-units/{tree['group'].pk}/", {"parent": tree["group"].pk}, format="json"
    )
    assert itself.status_code == 400 and "under itself" in itself.json()["parent"][0]
    # A combined rename + bad move writes nothing at all.
    both = _change(api, "patch",
        f"{BASE}/org-units/{tree['group'].pk}/", {"name": "X", "parent": tree["team"].pk}, format="json"
    )
    assert both.status_code == 400
    with tenant_scope(tenant_a):
        group = OrgUnit.objects.get(pk=tree["group"].pk)
        assert group.name == "Group" and group.parent_id is None
        assert not AuditEvent.objects.filter(action__in=["org_unit.update", "org_unit.move"]).exists()


def test_unit_filters(api, tree):
    assert [
        u["code"] for u in api.get(f"{BASE}/org-units/", {"under": tree["group"].pk}).json()["results"]
    ] == ["OPS", "T"]
    assert [u["code"] for u in api.get(f"{BASE}/org-units/", {"root": "yes"}).json()["results"]] == ["G"]
    assert [u["code"] for u in api.get(f"{BASE}/org-units/", {"kind": "team"}).json()["results"]] == ["T"]
    assert [u["code"] for u in api.get(f"{BASE}/org-units/", {"q": "oper"}).json()["results"]] == ["OPS"]
    assert len(api.get(f"{BASE}/org-units/", {"parent": tree["ops"].pk}).json()["results"]) == 1
    for bad in ({"parent": "abc"}, {"under": "99999999999999999999"}, {"kind": "castle"}, {"q": "a\x00b"}):
        response = api.get(f"{BASE}/org-units/", bad)
        assert response.status_code == 400 and set(response.json()) == set(bad)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"code": "", "name": "N", "kind": "team"}, "code"),
        ({"code": "A\x00", "name": "N", "kind": "team"}, "code"),
        ({"code": "A", "name": "N" * 201, "kind": "team"}, "name"),
        ({"code": "A", "name": "N", "kind": "castle"}, "kind"),
        ({"code": "A", "name": "N", "kind": "team", "parent": "abc"}, "parent"),
        ({"code": "A", "name": "N", "kind": "team", "parent": "12"}, "parent"),  # ids are JSON integers
        ({"code": "A", "name": "N", "kind": "team", "parent": [1]}, "parent"),
        ({"code": "A", "name": "N", "kind": "team", "parent": True}, "parent"),
        ({"code": ["A"], "name": "N", "kind": "team"}, "code"),
        ({"code": "G", "name": "Duplicate", "kind": "team"}, "code"),
    ],
)
def test_unit_bad_input_is_a_field_error(api, tenant_a, tree, payload, field):
    response = api.post(f"{BASE}/org-units/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert count(tenant_a, OrgUnit) == 3


def test_other_tenants_parent_reads_as_missing(api, tenant_a, tree, foreign):
    foreign_id = api.post(
        f"{BASE}/org-units/",
        {"code": "X", "name": "X", "kind": "team", "parent": foreign["unit"].pk},
        format="json",
    )
    missing_id = api.post(
        f"{BASE}/org-units/", {"code": "X", "name": "X", "kind": "team", "parent": 987654321}, format="json"
    )
    too_big = api.post(
        f"{BASE}/org-units/", {"code": "X", "name": "X", "kind": "team", "parent": 10**23}, format="json"
    )
    # DESIGN.md §4: another tenant's id answers 404 exactly like a missing one, naming the field.
    assert foreign_id.status_code == missing_id.status_code == too_big.status_code == 404
    assert foreign_id.json() == missing_id.json() == too_big.json()
    assert set(foreign_id.json()) == {"detail", "parent"}
    moved = _change(
        api, "patch", f"{BASE}/org-units/{tree['team'].pk}/", {"parent": foreign["unit"].pk}, format="json"
    )
    assert moved.status_code == 404 and "parent" in moved.json()
    assert count(tenant_a, OrgUnit) == 3


# ----- positions and employees ------------------------------------------------------------------------------
def test_position_crud(api, tenant_a, tree, foreign):
    created = api.post(
        f"{BASE}/positions/", {"code": "P", "title": "Planner", "org_unit": tree["ops"].pk}, format="json"
    )
    assert created.status_code == 201 and created.json()["job_family"] == ""
    detail = f"{BASE}/positions/{created.json()['id']}/"
    patched = _change(api, "patch", detail, {"level": "L5"}, format="json")
    assert patched.json()["level"] == "L5" and patched.json()["title"] == "Planner"
    other = _change(api, "patch", detail, {"org_unit": foreign["unit"].pk}, format="json")
    assert other.status_code == 404 and "org_unit" in other.json()
    listed = api.get(f"{BASE}/positions/", {"under": tree["group"].pk}).json()
    assert len(listed["results"]) == 1
    assert len(api.get(f"{BASE}/positions/", {"q": "plan"}).json()["results"]) == 1
    version = patched.json()["lock_version"]
    assert api.delete(versioned(detail, version)).status_code == 204 and count(tenant_a, Position) == 0


def test_employee_crud_manager_rules_and_user_link(api, tenant_a, tree, foreign, hr_a, hr_b):
    boss = api.post(
        f"{BASE}/employees/",
        {"employee_no": "B", "name": "Boss", "org_unit": tree["group"].pk},
        format="json",
    ).json()
    worker = api.post(
        f"{BASE}/employees/",
        {
            "employee_no": "W",
            "name": "Worker",
            "org_unit": tree["team"].pk,
            "manager": boss["id"],
            "email": "w@example.com",
            "user": hr_a.pk,
        },
        format="json",
    )
    assert worker.status_code == 201, worker.content
    assert worker.json()["manager"] == boss["id"] and worker.json()["user"] == hr_a.pk
    loop = _change(
        api, "patch", f"{BASE}/employees/{boss['id']}/", {"manager": worker.json()["id"]}, format="json"
    )
    assert loop.status_code == 400 and "loop" in loop.json()["manager"][0]
    outsider = _change(api, "patch", f"{BASE}/employees/{boss['id']}/", {"user": hr_b.pk}, format="json")
    assert outsider.status_code == 404 and "user" in outsider.json()
    for field, value in (
        ("manager", foreign["employee"].pk),
        ("position", foreign["position"].pk),
        ("org_unit", foreign["unit"].pk),
    ):
        response = _change(api, "patch", f"{BASE}/employees/{boss['id']}/", {field: value}, format="json")
        assert response.status_code == 404 and field in response.json()
    deactivated = _change(
        api, "patch", f"{BASE}/employees/{worker.json()['id']}/", {"is_active": False}, format="json"
    )
    assert deactivated.json()["is_active"] is False and deactivated.json()["manager"] == boss["id"]
    assert len(api.get(f"{BASE}/employees/", {"active": "no"}).json()["results"]) == 1
    assert len(api.get(f"{BASE}/employees/", {"manager": boss["id"]}).json()["results"]) == 1
    assert len(api.get(f"{BASE}/employees/", {"under": tree["ops"].pk}).json()["results"]) == 1
    assert len(api.get(f"{BASE}/employees/", {"q": "boss"}).json()["results"]) == 1
    bad_email = api.post(
        f"{BASE}/employees/",
        {"employee_no": "Z", "name": "Z", "org_unit": tree["team"].pk, "email": "nope"},
        format="json",
    )
    assert bad_email.status_code == 400 and "email" in bad_email.json()
    boss_url = f"{BASE}/employees/{boss['id']}/"
    assert api.delete(versioned(boss_url, api.get(boss_url).json()["lock_version"])).status_code == 204
    with tenant_scope(tenant_a):
        assert Employee.objects.get(employee_no="W").manager is None


# ----- periods ----------------------------------------------------------------------------------------------
def test_period_flow(api, tenant_a):
    created = api.post(f"{BASE}/periods/", {"kind": "month", "year": 2030, "month": 2}, format="json")
    assert (
        created.status_code == 201
        and created.json()["status"] == "planning"
        and created.json()["label"] == "2030-02"
    )
    detail = f"{BASE}/periods/{created.json()['id']}/"
    assert _change(api, "patch", detail, {"month": 3}, format="json").json()["label"] == "2030-03"
    skip = api.post(f"{detail}advance/", {"to_status": "review"}, format="json")
    assert skip.status_code == 400 and "status" in skip.json()
    for expected in ("active", "review", "closed"):
        response = api.post(f"{detail}advance/", {}, format="json")
        assert response.status_code == 200 and response.json()["status"] == expected
    closed = api.post(f"{detail}advance/", {}, format="json")
    assert closed.status_code == 400 and "closed" in closed.json()["status"][0]
    assert _change(api, "patch", detail, {"year": 2031}, format="json").status_code == 400
    assert api.delete(versioned(detail, api.get(detail).json()["lock_version"])).status_code == 400
    assert len(api.get(f"{BASE}/periods/", {"status": "closed"}).json()["results"]) == 1
    assert api.get(f"{BASE}/periods/", {"year": "abc"}).status_code == 400
    with tenant_scope(tenant_a):
        assert Period.objects.get().status == "closed"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"kind": "quarter", "year": 2030}, "quarter"),
        ({"kind": "year", "year": 99999999999999999999}, "year"),
        ({"kind": "year", "year": "twenty"}, "year"),
        ({"kind": "year\x00", "year": 2030}, "kind"),
        ({"kind": "month", "year": 2030, "month": 13}, "month"),
    ],
)
def test_period_bad_input(api, tenant_a, payload, field):
    response = api.post(f"{BASE}/periods/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert count(tenant_a, Period) == 0


# ----- roles, ids, other tenants ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["auditor", "manager", "employee", "committee"])
@pytest.mark.parametrize("resource", ["org-units", "positions", "employees", "periods"])
def test_every_member_reads_only_hr_writes(api_client_for, tenant_a, tree, role, resource):
    client = api_client_for(make_member(tenant_a, role, username=f"{role}_api"))
    # Employee records (e-mails, numbers, accounts) are HR's and auditors', as on the Employees page.
    readable = resource != "employees" or role == "auditor"
    assert client.get(f"{BASE}/{resource}/").status_code == (200 if readable else 403)
    assert client.post(f"{BASE}/{resource}/", {}, format="json").status_code == 403
    assert client.delete(f"{BASE}/org-units/{tree['team'].pk}/").status_code == 403
    assert count(tenant_a, OrgUnit) == 3


@pytest.mark.parametrize("resource", ["org-units", "positions", "employees", "periods"])
def test_bad_and_foreign_ids_are_404_and_change_nothing(api, tenant_b, foreign, resource):
    key = {"org-units": "unit", "positions": "position", "employees": "employee", "periods": "period"}[
        resource
    ]
    obj = foreign[key]
    before = count(tenant_b, type(obj))
    for pk in (obj.pk, "abc", "99999999999999999999999", "-1", "1.5"):
        url = f"{BASE}/{resource}/{pk}/"
        assert api.get(url).status_code == 404
        assert api.patch(url, {"name": "stolen", "title": "stolen"}, format="json").status_code == 404
        assert api.put(url, {}, format="json").status_code == 404
        assert api.delete(url).status_code == 404
    if resource == "periods":
        assert api.post(f"{BASE}/periods/{obj.pk}/advance/", {}, format="json").status_code == 404
    with tenant_scope(tenant_b):
        again = type(obj).objects.get(pk=obj.pk)
    assert count(tenant_b, type(obj)) == before
    assert getattr(again, "status", None) == getattr(obj, "status", None)
    assert getattr(again, "name", None) == getattr(obj, "name", None)


def test_another_tenants_slug_is_404(api):
    assert api.get("/api/v1/t/bravo/org-units/").status_code == 404


@pytest.mark.parametrize("resource", ["org-units", "positions", "employees", "periods", "directory"])
def test_list_query_count_is_constant(api, tenant_a, resource, django_assert_max_num_queries):
    def add(n):
        with tenant_scope(tenant_a):
            for _ in range(n):
                unit = OrgUnitFactory()
                position = PositionFactory(org_unit=unit)
                manager = EmployeeFactory(org_unit=unit)
                EmployeeFactory(org_unit=unit, position=position, manager=manager)
                PeriodFactory(year=2000 + Period.objects.count())

    add(2)
    api.get(f"{BASE}/{resource}/")
    with django_assert_max_num_queries(12) as small:
        api.get(f"{BASE}/{resource}/")
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api.get(f"{BASE}/{resource}/")
    assert len(response.json()["results"]) >= 22
