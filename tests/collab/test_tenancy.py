import pytest

from collab.models import Membership, OrgUnit
from collab.tenancy import TenantScopeMissing, all_tenants, current_tenant_or_none, tenant_scope
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_querying_a_tenant_model_outside_a_scope_raises(tenant_a):
    with pytest.raises(TenantScopeMissing):
        list(OrgUnit.objects.all())
    with pytest.raises(TenantScopeMissing):
        OrgUnit.objects.filter(code="x").exists()


def test_scope_filters_to_the_tenant_and_is_reset(tenant_a, tenant_b):
    make_member(tenant_a, "hr_admin")
    make_member(tenant_b, "employee")
    make_member(tenant_b, "manager")
    with tenant_scope(tenant_a):
        assert Membership.objects.count() == 1
        with tenant_scope(tenant_b):
            assert Membership.objects.count() == 2
        assert Membership.objects.count() == 1
    assert current_tenant_or_none() is None


def test_escape_hatch_sees_every_tenant(tenant_a, tenant_b):
    make_member(tenant_a, "hr_admin")
    make_member(tenant_b, "employee")
    with all_tenants("test counts every membership"):
        assert Membership.objects.count() == 2
    with pytest.raises(TenantScopeMissing):
        Membership.objects.count()


def test_saving_another_tenants_row_inside_a_scope_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        unit = OrgUnit(code="X", name="X", kind="group", path="/", tenant=tenant_b)
        unit.save()
    with tenant_scope(tenant_a), pytest.raises(TenantScopeMissing):
        unit.name = "stolen"
        unit.save()


def test_new_rows_take_the_scoped_tenant(tenant_a):
    with tenant_scope(tenant_a):
        unit = OrgUnit.objects.create(code="G", name="Group", kind="group", path="/")
    assert unit.tenant_id == tenant_a.pk


def test_cache_keys_carry_the_tenant(tenant_a, tenant_b):
    from collab.tenancy import tenant_cache_key

    with tenant_scope(tenant_a):
        key_a = tenant_cache_key("unread", 7)
    with tenant_scope(tenant_b):
        key_b = tenant_cache_key("unread", 7)
    assert key_a != key_b and str(tenant_a.pk) in key_a
    with pytest.raises(TenantScopeMissing):
        tenant_cache_key("unread", 7)
