"""feedback.access: one door per noun; missing, malformed and another tenant's ids are the same 404."""

import pytest
from django.core.exceptions import PermissionDenied

from collab.tenancy import tenant_scope
from feedback.access import access_review_template_by_id
from tests.access_checks import (
    assert_finds_own,
    assert_foreign_and_missing_are_404,
    assert_no_write_role_is_403,
)
from tests.factories import make_member
from tests.factories.accounts import membership_of
from tests.factories.feedback import ReviewTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(tenant_a, tenant_b):
    membership_of(tenant_b, make_member(tenant_b, "hr_admin", username="hr_b"))
    return {
        role: membership_of(tenant_a, make_member(tenant_a, role, username=f"{role}_a"))
        for role in ("hr_admin", "auditor", "manager")
    }


def test_mine_is_found(tenant_a, members):
    assert_finds_own(
        access_review_template_by_id, ReviewTemplateFactory, tenant_a,
        reader=members["auditor"], writer=members["hr_admin"],
    )  # fmt: skip


def test_missing_and_foreign_are_the_same_404(tenant_a, tenant_b, members):
    assert_foreign_and_missing_are_404(
        access_review_template_by_id, ReviewTemplateFactory, tenant_a, tenant_b, member=members["hr_admin"]
    )


def test_auditors_read_only_and_managers_not_at_all(tenant_a, members):
    assert_no_write_role_is_403(
        access_review_template_by_id, ReviewTemplateFactory, tenant_a, member=members["auditor"]
    )
    with tenant_scope(tenant_a), pytest.raises(PermissionDenied):
        access_review_template_by_id(members["manager"], ReviewTemplateFactory().pk)
