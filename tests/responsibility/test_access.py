"""responsibility.access: one door per noun (matrices, their rows). A missing id, a malformed one and another
tenant's id are the same 404; a role that may not write is a 403; employees do not read matrices; the
compare page's second version must be of the same KPI."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from collab.tenancy import tenant_scope
from responsibility.access import access_matrix_by_id, access_matrix_row_by_id, access_matrix_version_by_id
from tests.access_checks import (
    assert_finds_own,
    assert_foreign_and_missing_are_404,
    assert_no_write_role_is_403,
)
from tests.factories import make_member
from tests.factories.accounts import membership_of
from tests.factories.interlock import MatrixFactory, MatrixRowFactory

pytestmark = pytest.mark.django_db

ACCESS = {
    "matrix": (access_matrix_by_id, MatrixFactory),
    "row": (access_matrix_row_by_id, MatrixRowFactory),
}


@pytest.fixture
def members(tenant_a, tenant_b):
    hr = membership_of(tenant_a, make_member(tenant_a, "hr_admin", username="hr_a"))
    manager = membership_of(tenant_a, make_member(tenant_a, "manager", username="manager_a"))
    employee = membership_of(tenant_a, make_member(tenant_a, "employee", username="employee_a"))
    membership_of(tenant_b, make_member(tenant_b, "hr_admin", username="hr_b"))
    return {"hr": hr, "manager": manager, "employee": employee}


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


@pytest.mark.parametrize("noun", sorted(ACCESS))
def test_an_employee_does_not_read_matrices(tenant_a, members, noun):
    access, factory = ACCESS[noun]
    with tenant_scope(tenant_a):
        row = factory()
        with pytest.raises(PermissionDenied):
            access(members["employee"], row.pk)


def test_the_matrix_comes_with_its_rows_in_order(tenant_a, members, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        matrix = MatrixFactory()
        second = MatrixRowFactory(matrix=matrix, order=2, role="support")
        first = MatrixRowFactory(matrix=matrix, order=1)
        with django_assert_max_num_queries(2):
            found = access_matrix_by_id(members["manager"], matrix.pk)
            assert list(found.rows.all()) == [first, second]
            assert found.kpi.code and found.effective_from.label


def test_a_version_to_compare_is_of_the_same_kpi(tenant_a, tenant_b, members):
    with tenant_scope(tenant_b):
        theirs = MatrixFactory()
    with tenant_scope(tenant_a):
        v1 = MatrixFactory()
        v2 = MatrixFactory(kpi=v1.kpi, effective_from=v1.effective_from, version=2)
        other_kpi = MatrixFactory()
        assert access_matrix_version_by_id(members["manager"], v1.pk, of=v2) == v1
        for pk in (other_kpi.pk, theirs.pk, "x"):
            with pytest.raises(Http404):
                access_matrix_version_by_id(members["manager"], pk, of=v2)
