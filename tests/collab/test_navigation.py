"""The navigation shows each role only pages it may open, and every page it shows opens."""

import re

import pytest

from collab.models import Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.MANAGER, Role.COMMITTEE, Role.AUDITOR, Role.HR_ADMIN])
def test_every_link_in_the_navigation_opens_for_that_role(role, tenant_a, tenant_b, login):
    user = make_member(tenant_a, role)
    with tenant_scope(tenant_a):
        PeriodFactory(year=2026)
        EmployeeFactory(org_unit=OrgUnitFactory(), user=user)
    client = login(user)
    home = client.get("/t/alpha/").content.decode()
    nav = home[home.index('id="mainnav"') : home.index("</nav>")]
    links = sorted(set(re.findall(r'href="(/t/alpha/[^"]*)"', nav)))
    assert "/t/alpha/goals/tree/" in links, "every member reaches the goals they work towards"
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link


def _nav(client, slug):
    page = client.get(f"/t/{slug}/").content.decode()
    return page[page.index('id="mainnav"') : page.index("</nav>")]


def test_the_menu_rendered_once_per_process_follows_role_tenant_and_language(tenant_a, tenant_b, login):
    """The menu is rendered once per (tenant, roles, language) and reused: a reused rendering must still
    be the reader's own — an HR admin's menu never reaches an employee, one tenant's links never another's."""
    hr, employee = make_member(tenant_a, Role.HR_ADMIN), make_member(tenant_a, Role.EMPLOYEE)
    other = make_member(tenant_b, Role.HR_ADMIN)
    with tenant_scope(tenant_a):
        PeriodFactory(year=2026)
        EmployeeFactory(org_unit=OrgUnitFactory(), user=employee)
    for _ in range(2):  # the second round reads the renderings the first one made
        assert "/t/alpha/audit/" in _nav(login(hr), "alpha")
        employee_nav = _nav(login(employee), "alpha")
        assert "/t/alpha/audit/" not in employee_nav and 'id="nav-my-events"' in employee_nav
        bravo_nav = _nav(login(other), "bravo")
        assert "/t/bravo/audit/" in bravo_nav and "/t/alpha/" not in bravo_nav
    client = login(hr)
    client.post("/language/", {"language": "zh-hans", "next": "/t/alpha/"})
    assert "审计日志" in _nav(client, "alpha")
    client.post("/language/", {"language": "en", "next": "/t/alpha/"})
    assert "Audit log" in _nav(client, "alpha")
