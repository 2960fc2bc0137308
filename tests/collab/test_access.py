"""collab.access: the org objects by id. A missing id and another tenant's id are the same 404, a role
that may not write is a 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from collab.access import (
    access_employee_by_id,
    access_membership_by_id,
    access_own_notification_by_id,
    access_period_by_id,
    access_position_by_id,
    access_unit_by_id,
)
from collab.tenancy import tenant_scope
from tests.access_checks import (
    assert_finds_own,
    assert_foreign_and_missing_are_404,
    assert_no_write_role_is_403,
)
from tests.factories import make_member
from tests.factories.accounts import NotificationFactory, membership_of
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
    assert_finds_own(access, factory, tenant_a, reader=members["employee"], writer=members["hr"])


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_missing_and_another_tenants_ids_are_the_same_404(tenant_a, tenant_b, members, noun):
    access, factory = ACCESS[noun]
    assert_foreign_and_missing_are_404(access, factory, tenant_a, tenant_b, member=members["hr"])


@pytest.mark.parametrize("noun", sorted(ACCESS))
@pytest.mark.parametrize("role", ["employee", "auditor"])
def test_no_write_role_is_refused(tenant_a, members, noun, role):
    access, factory = ACCESS[noun]
    assert_no_write_role_is_403(access, factory, tenant_a, member=members[role])


def test_members_are_read_by_hr_and_auditors_and_changed_by_hr_only(tenant_a, tenant_b, members):
    other = membership_of(tenant_b, make_member(tenant_b, "employee", username="emp_b"))
    with tenant_scope(tenant_a):
        target = members["employee"]
        assert access_membership_by_id(members["auditor"], target.pk) == target
        assert access_membership_by_id(members["hr"], target.pk, write=True) == target
        with pytest.raises(PermissionDenied):
            access_membership_by_id(members["employee"], target.pk)
        with pytest.raises(PermissionDenied):
            access_membership_by_id(members["auditor"], target.pk, write=True)
        with pytest.raises(Http404):
            access_membership_by_id(members["hr"], other.pk)


def test_a_notification_is_found_only_for_its_recipient(tenant_a, tenant_b, members):
    with tenant_scope(tenant_b):
        theirs = NotificationFactory(recipient=members["employee"].user)  # same user, other tenant
    with tenant_scope(tenant_a):
        mine = NotificationFactory(recipient=members["employee"].user)
        assert access_own_notification_by_id(members["employee"].user, mine.pk) == mine
        for user, pk in ((members["hr"].user, mine.pk), (members["employee"].user, theirs.pk)):
            with pytest.raises(Http404):
                access_own_notification_by_id(user, pk)
