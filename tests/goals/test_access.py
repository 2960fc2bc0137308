"""goals.access: one door per noun. A missing id and another tenant's id are the same 404, a role that may
not write is a 403, an employee reads only their unit's part of the goal tree."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from collab.tenancy import tenant_scope
from goals.access import (
    access_goal_by_id,
    access_kpi_by_id,
    access_measurement_by_id,
    access_objective_by_id,
    access_objective_link_by_id,
)
from tests.access_checks import (
    assert_finds_own,
    assert_foreign_and_missing_are_404,
    assert_no_write_role_is_403,
)
from tests.factories import make_member
from tests.factories.accounts import membership_of
from tests.factories.goals import (
    GoalFactory,
    KPIFactory,
    MeasurementFactory,
    ObjectiveFactory,
    ObjectiveLinkFactory,
)
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

ACCESS = {
    "kpi": (access_kpi_by_id, KPIFactory),
    "objective": (access_objective_by_id, ObjectiveFactory),
    "link": (access_objective_link_by_id, ObjectiveLinkFactory),
    "measurement": (access_measurement_by_id, MeasurementFactory),
    "goal": (access_goal_by_id, GoalFactory),
}


@pytest.fixture
def members(tenant_a, tenant_b):
    hr = membership_of(tenant_a, make_member(tenant_a, "hr_admin", username="hr_a"))
    manager = membership_of(tenant_a, make_member(tenant_a, "manager", username="manager_a"))
    membership_of(tenant_b, make_member(tenant_b, "hr_admin", username="hr_b"))
    return {"hr": hr, "manager": manager}


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_mine_is_found_for_reading_and_writing_and_locking(tenant_a, members, noun):
    access, factory = ACCESS[noun]
    assert_finds_own(access, factory, tenant_a, reader=members["manager"], writer=members["hr"])


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_missing_malformed_and_another_tenants_ids_are_the_same_404(tenant_a, tenant_b, members, noun):
    access, factory = ACCESS[noun]
    assert_foreign_and_missing_are_404(access, factory, tenant_a, tenant_b, member=members["hr"])


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_a_role_that_may_not_write_is_refused(tenant_a, members, noun):
    access, factory = ACCESS[noun]
    assert_no_write_role_is_403(access, factory, tenant_a, member=members["manager"])


def test_an_employee_reads_only_their_units_part_of_the_goal_tree(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        GoalFactory()
    with tenant_scope(tenant_a):
        group = OrgUnitFactory(code="G")
        sales = OrgUnitFactory(code="S", parent=group)
        service = OrgUnitFactory(code="C", parent=group)
        root = GoalFactory(org_unit=group)
        sales_goal = GoalFactory(parent=root, org_unit=sales)
        under_sales = GoalFactory(parent=sales_goal, org_unit=service)  # below a goal of their unit
        service_goal = GoalFactory(parent=root, org_unit=service)
        user = make_member(tenant_a, "employee", username="seller")
        EmployeeFactory(user=user, org_unit=sales)
        seller = membership_of(tenant_a, user)
        assert access_goal_by_id(seller, sales_goal.pk) == sales_goal
        assert access_goal_by_id(seller, under_sales.pk) == under_sales
        for outside in (root, service_goal):
            with pytest.raises(Http404):
                access_goal_by_id(seller, outside.pk)
        with pytest.raises(PermissionDenied):
            access_goal_by_id(seller, sales_goal.pk, write=True)
        nobody = membership_of(tenant_a, make_member(tenant_a, "employee", username="no_record"))
        with pytest.raises(Http404):
            access_goal_by_id(nobody, sales_goal.pk)
