"""Set-based writes through a staging table (interlock.services.staged): the rows go into a temporary table
(COPY on PostgreSQL, executemany on SQLite), then into the stored table with one statement per kind of
change, writing only rows that differ."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from collab.tenancy import current_tenant, tenant_scope
from interlock.models import UnitKpiLines
from interlock.services.staged import Stage, chunks
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory

KEYS = ("org_unit", "kpi")
FIELDS = (*KEYS, "has_unit_line", "line_role", "weight", "score", "value", "lines", "low_lines", "low_sum")


@pytest.fixture
def world(scope_a):
    return PeriodFactory(), [OrgUnitFactory() for _ in range(3)], [KPIFactory() for _ in range(2)]


def row(unit, kpi, **values) -> dict:
    made = {"org_unit": unit.pk, "kpi": kpi.pk, "has_unit_line": False, "line_role": "", "weight": None,
            "score": None, "value": None, "lines": 1, "low_lines": 0, "low_sum": 0.0}  # fmt: skip
    return {**made, **values}


def merge(period, rows: list[dict], *, version: int, size: int = 2, **scope) -> tuple[int, int, int]:
    """Stage `rows` (`size` at a time) and merge them into the period's stored rows (of `scope`)."""
    stage = Stage(UnitKpiLines, FIELDS)
    assert stage.fill(chunks({name: [r[name] for r in rows] for name in FIELDS}, size=size)) == len(rows)
    done = stage.merge(
        keys=KEYS, scope={"tenant": current_tenant().pk, "period": period.pk, **scope},
        stamp={"version": version, "computed_at": timezone.now()},
    )  # fmt: skip
    stage.drop()
    return done


def stored(period) -> dict[tuple, tuple]:
    """(unit, KPI) → (pk, version, score, line role, value) of the period's rows."""
    rows = UnitKpiLines.objects.filter(period=period)
    found = rows.values_list("org_unit_id", "kpi_id", "pk", "version", "score", "line_role", "value")
    return {(u, k): tuple(rest) for u, k, *rest in found}


def test_a_merge_writes_only_what_differs(world):
    period, (a, b, c), (k1, k2) = world
    first = [row(a, k1, score=70.5), row(a, k2), row(b, k1, score=90.0), row(c, k2, low_lines=1, low_sum=6.5)]
    assert merge(period, first, version=1) == (4, 0, 0)
    before = stored(period)
    # b's row changes, c's goes, a new one comes, a's two stay as they are
    second = [row(a, k1, score=70.5), row(a, k2), row(b, k1, score=91.0), row(b, k2, value="12.50")]
    assert merge(period, second, version=2) == (1, 1, 1)
    after = stored(period)
    assert set(after) == {(a.pk, k1.pk), (a.pk, k2.pk), (b.pk, k1.pk), (b.pk, k2.pk)}
    assert after[(a.pk, k1.pk)] == before[(a.pk, k1.pk)] and after[(a.pk, k2.pk)] == before[(a.pk, k2.pk)]
    assert after[(b.pk, k1.pk)][0] == before[(b.pk, k1.pk)][0]  # updated in place: same row
    assert after[(b.pk, k1.pk)][1:3] == (2, 91.0)
    assert after[(b.pk, k2.pk)][1] == 2 and after[(b.pk, k2.pk)][4] == Decimal("12.50")
    assert merge(period, second, version=3) == (0, 0, 0)  # the same rows again: nothing written
    assert stored(period) == after


def test_nulls_and_floats_compare_as_values(world):
    period, (a, b, _c), (k1, _k2) = world
    exact = 0.1 + 0.2  # 0.30000000000000004: sent as its shortest exact text, compared exactly
    assert merge(period, [row(a, k1), row(b, k1, score=exact)], version=1) == (2, 0, 0)
    assert merge(period, [row(a, k1), row(b, k1, score=exact)], version=2) == (0, 0, 0)
    assert merge(period, [row(a, k1, score=1.5), row(b, k1, score=0.3)], version=3) == (0, 2, 0)
    assert merge(period, [row(a, k1), row(b, k1, score=0.3)], version=4) == (0, 1, 0)  # 1.5 → NULL
    assert stored(period)[(a.pk, k1.pk)][2] is None and stored(period)[(b.pk, k1.pk)][2] == 0.3


def test_text_comes_through_as_written(world):
    """COPY's text format escapes backslashes, tabs and line breaks, and spells NULL \\N: a value holding
    any of them is stored as it was."""
    period, (a, b, c), (k1, _k2) = world
    roles = {a: "a\\b\tc\nd\re", b: "\\N", c: "中文"}
    rows = [row(unit, k1, line_role=role) for unit, role in roles.items()]
    assert merge(period, rows, version=1) == (3, 0, 0)
    assert {key[0]: found[3] for key, found in stored(period).items()} == {u.pk: r for u, r in roles.items()}
    assert merge(period, rows, version=2) == (0, 0, 0)


def test_a_scoped_merge_leaves_the_rest_of_the_period(world):
    period, (a, b, _c), (k1, k2) = world
    merge(period, [row(a, k1), row(a, k2), row(b, k1)], version=1)
    before = stored(period)
    # the scope is unit a: its rows are brought to the stage (k2 goes), b's are not in scope
    assert merge(period, [row(a, k1, score=50.0)], version=2, org_unit=[a.pk]) == (0, 1, 1)
    after = stored(period)
    assert set(after) == {(a.pk, k1.pk), (b.pk, k1.pk)} and after[(b.pk, k1.pk)] == before[(b.pk, k1.pk)]
    assert merge(period, [], version=3, org_unit=[]) == (0, 0, 0)  # an empty scope touches nothing


def test_another_tenants_rows_are_never_touched(world, tenant_b):
    period, (a, _b, _c), (k1, _k2) = world
    with tenant_scope(tenant_b):
        theirs = PeriodFactory()
        merge(theirs, [row(OrgUnitFactory(), KPIFactory())], version=1)
        their_rows = stored(theirs)
    merge(period, [row(a, k1)], version=1)
    assert merge(period, [], version=2) == (0, 0, 1)  # A's period emptied
    with tenant_scope(tenant_b):
        assert stored(theirs) == their_rows
    assert not UnitKpiLines.objects.exists()  # A sees none of B's


def test_the_stage_is_the_sessions_own_and_gone_after(world):
    period, (a, _b, _c), (k1, _k2) = world
    merge(period, [row(a, k1)], version=1)
    merge(period, [row(a, k1, score=1.0)], version=2)  # the same stage name again in one transaction
    table = "stage_unitkpilines"
    with connection.cursor() as cursor:
        assert table not in connection.introspection.table_names(cursor)
