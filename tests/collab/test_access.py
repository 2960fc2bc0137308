"""collab.access: the org objects by id. A missing id and another tenant's id are the same 404, a role
that may not write is a 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from collab.access import access_employee_by_id, access_period_by_id, access_position_by_id, access_unit_by_id
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.accounts import membership_of
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db

ACCESS = {
    "unit": (access_unit_by_id, OrgUnitFactory),
    "position": (access_position_by_id, PositionFactory),
    "employee": (access_employee_by_id, EmployeeFactory),
    "period": (access_period_by_id, PeriodFactory),
}


@pytest.fixture
def members(tenant_a, tenant_b):
    membership_of(tenant_b, make_member(tenant_b, "hr_admin", username="hr_b"))
    return {
        "hr": membership_of(tenant_a, make_member(tenant_a, "hr_admin", username="hr_a")),
        "employee": membership_of(tenant_a, make_member(tenant_a, "employee", username="emp_a")),
        "auditor": membership_of(tenant_a, make_member(tenant_a, "auditor", username="aud_a")),
    }


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_mine_is_found(tenant_a, members, noun):
    access, factory = ACCESS[noun]
    with tenant_scope(tenant_a):
        row = factory()
        assert access(members["employee"], row.pk) == row
        assert access(members["hr"], str(row.pk), write=True, lock=True) == row


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_missing_and_another_tenants_ids_are_the_same_404(tenant_a, tenant_b, members, noun):
    access, factory = ACCESS[noun]
    with tenant_scope(tenant_b):
        theirs = factory()
    with tenant_scope(tenant_a):
        mine = factory()
        for pk in (theirs.pk, mine.pk + theirs.pk + 1000, "1e3", "", None):
            with pytest.raises(Http404):
                access(members["hr"], pk, write=True)


@pytest.mark.parametrize("noun", sorted(ACCESS))
@pytest.mark.parametrize("role", ["employee", "auditor"])
def test_no_write_role_is_refused(tenant_a, members, noun, role):
    access, factory = ACCESS[noun]
    with tenant_scope(tenant_a):
        row = factory()
        with pytest.raises(PermissionDenied):
            access(members[role], row.pk, write=True)
