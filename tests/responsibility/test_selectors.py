"""Which matrix version is in effect for a period."""

from __future__ import annotations

from collab.models import Period
from responsibility.selectors import matrix_effective_ids
from tests.factories.interlock import MatrixFactory
from tests.factories.org import PeriodFactory


def test_latest_start_not_after_the_period_wins(scope_a, tenant_b):
    y2025 = PeriodFactory(year=2025)
    q2 = PeriodFactory(kind=Period.Kind.QUARTER, year=2025, quarter=2)
    may = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=5)
    march = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=3)
    v1 = MatrixFactory(effective_from=y2025, version=1)
    v2 = MatrixFactory(kpi=v1.kpi, effective_from=q2, version=2)
    v3 = MatrixFactory(kpi=v1.kpi, effective_from=q2, version=3)  # a correction for the same start
    other = MatrixFactory(effective_from=may)
    assert matrix_effective_ids(y2025) == {v1.kpi_id: v1.pk}
    assert matrix_effective_ids(march) == {v1.kpi_id: v1.pk}
    assert matrix_effective_ids(q2) == {v1.kpi_id: v3.pk}
    assert matrix_effective_ids(may) == {v1.kpi_id: v3.pk, other.kpi_id: other.pk}
    assert v2.pk not in matrix_effective_ids(may).values()


def test_empty(scope_a):
    assert matrix_effective_ids(PeriodFactory()) == {}



def test_a_closed_period_before_every_version_reads_as_none(scope_a):
    """A closed period that no version reaches (all start later) answers {}; it used to raise a KeyError
    (a 500 on the dashboard) once versions kept closed periods."""
    closed = PeriodFactory(year=2024, status=Period.Status.CLOSED)
    MatrixFactory(effective_from=PeriodFactory(year=2025), version=1)
    assert matrix_effective_ids(closed) == {}


def test_a_version_skips_the_closed_periods_it_keeps(scope_a, tenant_b):
    oct_ = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=10, status=Period.Status.CLOSED)
    nov = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=11, status=Period.Status.CLOSED)
    q4 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=4)
    v1 = MatrixFactory(effective_from=q4, version=1, kept_closed=[oct_.pk])
    assert matrix_effective_ids(oct_) == {} and matrix_effective_ids(nov) == {v1.kpi_id: v1.pk}
