"""Issue 8 item 7: one rule for reading people, pages and API alike.

Every member reads the directory — active people by name, unit and position — on the People page and in
`directory/`. E-mails, employee numbers, managers, accounts and roles are HR admins' and auditors' only
(`employees/`, `members/` and their pages answer 403 to everyone else).
"""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db

ROLES = ["hr_admin", "manager", "employee", "committee", "auditor"]
API = "/api/v1/t/alpha/directory/"
PAGE = "/t/alpha/people/"


@pytest.fixture
def people(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        mine = OrgUnitFactory(code="OPS", name="Operations")
        team = OrgUnitFactory(code="OPS-T", name="Night shift", parent=mine)
        other = OrgUnitFactory(code="FIN", name="Finance")
        welder = PositionFactory(org_unit=team, title="Welder")
        boss = EmployeeFactory(
            name="Zhang Wei", email="zhang.wei@alpha.example", employee_no="A-0001", org_unit=mine
        )
        worker = EmployeeFactory(
            name="Li Na", email="li.na@alpha.example", employee_no="A-0002", org_unit=team, position=welder,
            manager=boss,
        )
        EmployeeFactory(name="Gone Person", email="gone@alpha.example", org_unit=other, is_active=False)
        cashier = EmployeeFactory(name="Wang Fang", email="wang.fang@alpha.example", org_unit=other)
    with tenant_scope(tenant_b):
        bravo_unit = OrgUnitFactory(code="B-OPS", name="Bravo ops")
        EmployeeFactory(name="Bravo Person", email="person@bravo.example", org_unit=bravo_unit)
    return {"mine": mine, "team": team, "other": other, "boss": boss, "worker": worker, "cashier": cashier,
            "bravo_unit": bravo_unit}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_names_and_units_on_both_doors(api_client_for, login, tenant_a, people, role):
    reader = make_member(tenant_a, role, username=f"reader-{role}")
    answer = api_client_for(reader).get(API)
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [row["name"] for row in rows] == ["Li Na", "Wang Fang", "Zhang Wei"]  # active only, by name
    assert {tuple(sorted(row)) for row in rows} == {
        ("id", "name", "org_unit", "org_unit_name", "position_title")
    }
    li = rows[0]
    assert (li["org_unit"], li["org_unit_name"], li["position_title"]) == (
        people["team"].pk, "Night shift", "Welder"
    )
    page = login(reader).get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Li Na", "Wang Fang", "Zhang Wei", "Night shift", "Welder"):
        assert name in html
    # No contact details, numbers, accounts or another tenant's people — on either door.
    for secret in ("@alpha.example", "A-0001", "Gone Person", "Bravo Person", "@bravo.example"):
        assert secret not in html and secret not in answer.content.decode()


@pytest.mark.parametrize("role", ["manager", "employee", "committee"])
def test_contacts_and_roles_are_hrs_on_both_doors(api_client_for, login, tenant_a, people, role):
    reader = make_member(tenant_a, role, username=f"reader-{role}")
    api, page = api_client_for(reader), login(reader)
    for url in ("/api/v1/t/alpha/members/", "/api/v1/t/alpha/employees/",
                f"/api/v1/t/alpha/employees/{people['boss'].pk}/"):
        assert api.get(url).status_code == 403, url
    for url in ("/t/alpha/members/", "/t/alpha/org/employees/"):
        assert page.get(url).status_code == 403, url
    assert 'id="nav-directory"' in page.get("/t/alpha/").content.decode()


@pytest.mark.parametrize("role", ["hr_admin", "auditor"])
def test_hr_and_auditors_read_contacts_on_both_doors(api_client_for, login, tenant_a, people, role):
    reader = make_member(tenant_a, role, username=f"reader-{role}")
    employees = api_client_for(reader).get("/api/v1/t/alpha/employees/")
    assert employees.status_code == 200 and "zhang.wei@alpha.example" in employees.content.decode()
    members = api_client_for(reader).get("/api/v1/t/alpha/members/")
    assert members.status_code == 200 and "roles" in members.json()["results"][0]
    page = login(reader).get("/t/alpha/org/employees/")
    assert page.status_code == 200 and "zhang.wei@alpha.example" in page.content.decode()
    assert login(reader).get("/t/alpha/members/").status_code == 200


def test_filters_by_name_and_unit_never_by_email(api_client_for, login, tenant_a, people):
    api = api_client_for(make_member(tenant_a, "employee", username="reader"))

    def names(**params):
        answer = api.get(API, params)
        assert answer.status_code == 200
        return [row["name"] for row in answer.json()["results"]]

    assert names(q="li") == ["Li Na"]
    assert names(q="zhang.wei@alpha") == []  # an e-mail cannot be probed through the directory
    assert names(under=people["mine"].pk) == ["Li Na", "Zhang Wei"]
    assert names(org_unit=people["mine"].pk) == ["Zhang Wei"]
    assert names(under=people["bravo_unit"].pk) == []  # another tenant's unit reads as an empty one
    assert api.get(API, {"under": "abc"}).status_code == 400
    assert api.post(API, {}, format="json").status_code in (403, 405)
    page = login(make_member(tenant_a, "manager", username="m")).get(PAGE, {"q": "wang"})
    assert "Wang Fang" in page.content.decode() and "Li Na" not in page.content.decode()


def test_the_directory_is_a_list_only(api_client_for, tenant_a, hr_a, people):
    api = api_client_for(hr_a)
    one = f"{API}{people['boss'].pk}/"
    assert api.get(one).status_code == 404
    assert api.patch(one, {"name": "x"}, format="json").status_code == 404
    assert api.post(API, {"name": "x"}, format="json").status_code == 405
