"""Role homes: each role lands on its own page (data-home on its h1), empty states, constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db
HOME = reverse("tenant-home", args=["alpha"])


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_each_role_lands_on_its_home(login, tenant_a, tenant_b, role):
    person = make_member(tenant_a, role, username=f"p-{role}")
    page = login(person).get(HOME)
    assert page.status_code == 200
    assert f'data-home="{role}"' in page.content.decode()


def test_several_roles_land_on_the_first_and_can_switch(login, tenant_a):
    person = make_member(tenant_a, "employee", "committee", "manager", username="multi")
    client = login(person)
    html = client.get(HOME).content.decode()
    assert 'data-home="manager"' in html and "?as=committee" in html and "?as=employee" in html
    assert 'data-home="committee"' in client.get(HOME, {"as": "committee"}).content.decode()
    refused = client.get(HOME, {"as": "hr_admin"}).content.decode()
    assert 'data-home="manager"' in refused, "a role the member does not hold is ignored"


def test_hr_home_shows_counts_and_next_steps(login, tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        EmployeeFactory.create_batch(3, org_unit=unit)
        Period.objects.create(kind="year", year=2031, status="active")
    with tenant_scope(tenant_b):
        EmployeeFactory.create_batch(7)
    html = login(hr_a).get(HOME).content.decode()
    assert 'data-count="employees">3<' in html and 'data-count="units">1<' in html
    for name in ("org-tree", "org-import", "member-list", "period-list"):
        assert reverse(name, args=["alpha"]) in html
    assert "2031 is active" in html
    assert "You are the only HR admin" in html


def test_manager_home_without_a_linked_record_says_what_to_do(login, tenant_a):
    html = login(make_member(tenant_a, "manager", username="mgr")).get(HOME).content.decode()
    assert 'id="manager-no-unit"' in html and "link" in html


def test_manager_home_shows_the_unit_and_its_people(login, tenant_a, tenant_b):
    manager = make_member(tenant_a, "manager", username="mgr")
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory(name="Safety")
        child = OrgUnitFactory(name="Mine Safety Team", parent=unit)
        position = PositionFactory(org_unit=unit, title="Inspector")
        EmployeeFactory(org_unit=unit, user=manager, name="The Manager")
        EmployeeFactory(org_unit=unit, name="Wang Fang", position=position)
        EmployeeFactory(org_unit=child, name="Li Lei")
    with tenant_scope(tenant_b):
        EmployeeFactory(name="Outsider")
    html = login(manager).get(HOME).content.decode()
    assert "Safety" in html and "Wang Fang" in html and "Inspector" in html and "Outsider" not in html
    assert "Mine Safety Team" in html and "3 people in this unit and the units below it" in html
    assert 'id="manager-scores-empty"' in html and "No score yet" in html


def test_employee_home_sections(login, tenant_a):
    worker = make_member(tenant_a, "employee", username="worker")
    html = login(worker).get(HOME).content.decode()
    for section in ("my-ratings", "my-goals", "my-points", "employee-not-linked"):
        assert f'id="{section}"' in html
    with tenant_scope(tenant_a):
        EmployeeFactory(user=worker, name="Zhang Wei", org_unit=OrgUnitFactory(name="Finance"))
    html = login(worker).get(HOME).content.decode()
    assert "Zhang Wei" in html and "Finance" in html and "employee-not-linked" not in html


def test_committee_and_auditor_homes(login, tenant_a):
    board = login(make_member(tenant_a, "committee", username="c")).get(HOME).content.decode()
    assert 'id="action-board"' in board and "No open action items" in board
    audit = login(make_member(tenant_a, "auditor", username="a")).get(HOME).content.decode()
    assert reverse("audit-log", args=["alpha"]) in audit and 'id="open-audit-log"' in audit


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_home_query_count_does_not_grow(login, tenant_a, role, django_assert_max_num_queries):
    person = make_member(tenant_a, role, username=f"q-{role}")
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        EmployeeFactory(user=person, org_unit=unit)
        EmployeeFactory.create_batch(2, org_unit=unit)
    client = login(person)
    with django_assert_max_num_queries(14) as first:
        assert client.get(HOME).status_code == 200
    with tenant_scope(tenant_a):
        EmployeeFactory.create_batch(30, org_unit=unit)
        OrgUnitFactory.create_batch(5, parent=unit)
        for n in range(5):
            make_member(tenant_a, "employee", username=f"more-{role}-{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(HOME).status_code == 200


def test_other_tenants_home_is_404(login, tenant_a, tenant_b, hr_a):
    assert login(hr_a).get(reverse("tenant-home", args=["bravo"])).status_code == 404
