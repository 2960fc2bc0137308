"""Database invariants of responsibility matrices (the last wall behind the services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from collab.tenancy import TenantScopeMissing, tenant_scope
from responsibility.models import MatrixRow, ResponsibilityMatrix
from tests.factories.interlock import MatrixFactory, MatrixRowFactory


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        MatrixRowFactory(**fields)


def test_one_lead_one_row_per_unit_and_share_range(scope_a):
    lead = MatrixRowFactory(share=Decimal("60"))
    matrix = lead.matrix
    refused(matrix=matrix, role="lead", share=Decimal("40"))
    refused(matrix=matrix, org_unit=lead.org_unit, role="support", share=Decimal("40"))
    refused(matrix=matrix, role="support", share=Decimal("0"))
    refused(matrix=matrix, role="support", share=Decimal("100.01"))
    refused(matrix=matrix, role="boss", share=Decimal("10"))
    MatrixRowFactory(matrix=matrix, role="collaborating", share=Decimal("40"))
    assert MatrixRow.objects.filter(matrix=matrix).count() == 2


def test_versions_unique_per_kpi(scope_a):
    matrix = MatrixFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MatrixFactory(kpi=matrix.kpi, version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatrixFactory(kpi=matrix.kpi, version=0)
    MatrixFactory(kpi=matrix.kpi, version=2)


def test_tenant_owned_and_fail_closed(scope_a, tenant_b):
    row = MatrixRowFactory()
    assert row.tenant_id == row.matrix.tenant_id == scope_a.pk
    with tenant_scope(tenant_b):
        assert not ResponsibilityMatrix.objects.exists() and not MatrixRow.objects.exists()


def test_no_scope_raises(db):
    with pytest.raises(TenantScopeMissing):
        list(MatrixRow.objects.all())
