import pytest
from django.db import IntegrityError, transaction

from collab.models import Period
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db


def test_a_period_exists_once_per_tenant_even_with_null_quarter_and_month(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        Period.objects.create(kind="year", year=2026)
        with pytest.raises(IntegrityError), transaction.atomic():
            Period.objects.create(kind="year", year=2026)
        Period.objects.create(kind="quarter", year=2026, quarter=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Period.objects.create(kind="quarter", year=2026, quarter=1)
    with tenant_scope(tenant_b):
        Period.objects.create(kind="year", year=2026)  # another tenant has its own calendar
        assert Period.objects.count() == 1
