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
