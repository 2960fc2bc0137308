"""The collaboration view is computed when scores are computed: `UnitKpiLines` written by the recompute
(full and partial), kept right when a unit goes, read (with `MatrixRowResult`) instead of the snapshots'
breakdowns, and its summary cached by the period's version. A second tenant is always in the room."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.models import OrgUnit
from collab.tenancy import current_tenant, tenant_scope
from goals.models import Measurement
from interlock.models import ScoreSnapshot, UnitKpiLines
from interlock.selectors.dashboards import collaboration, collaboration_rows
from interlock.services.collaboration import _rows, _stored_lines, unit_kpi_lines_backfill_all
from interlock.services.scores import scores_recompute
from tests.factories.interlock import (
    PositionScorecardFactory,
    ScorecardFactory,
    ScorecardLineFactory,
    build_seed_tables,
)
from tests.factories.org import OrgUnitFactory, PositionFactory

collaboration_module = import_module("interlock.selectors.dashboards.collaboration")
FIELDS = (
    "org_unit_id", "kpi_id", "has_unit_line", "line_role", "weight", "score", "value", "lines", "low_lines",
    "low_sum",
)  # fmt: skip


@pytest.fixture
def world(scope_a, hr_a):
    world = build_seed_tables(actor=hr_a)
    scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def other(tenant_b, hr_b, world):
    """Tenant B: the same tables with other numbers, recomputed; back in A's scope afterwards."""
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        Measurement.objects.filter(kpi=theirs.kpis["retention"]).update(actual=Decimal("45"))
        scores_recompute(period=theirs.period, actor=hr_b)
    return theirs


def stored(period) -> list[tuple]:
    return sorted(UnitKpiLines.objects.filter(period=period).values_list(*FIELDS))


def from_snapshots(period) -> list[tuple]:
    """What the rows should be: rebuilt from every stored snapshot's breakdown (the slow way)."""
    snaps = ScoreSnapshot.objects.filter(period=period)
    units = {u for u in snaps.values_list("org_unit_id", flat=True) if u}
    units |= set(
        ScoreSnapshot.objects.filter(period=period, position__isnull=False).values_list(
            "position__org_unit_id", flat=True
        )
    )
    made = _rows(_stored_lines(period, units), period=period, version=1, computed_at=None)
    return sorted(tuple(getattr(row, f) for f in FIELDS) for row in made)


def add_position_card(world, unit_key: str, kpi_key: str):
    position = PositionFactory(org_unit=world.units[unit_key])
    card = PositionScorecardFactory(position=position, period=world.period)
    ScorecardLineFactory(scorecard=card, kpi=world.kpis[kpi_key], weight=Decimal("100"))
    return card


def test_a_full_recompute_writes_what_the_breakdowns_hold(world, other):
    add_position_card(world, "sales", "retention")
    scores_recompute(period=world.period)
    rows = stored(world.period)
    assert rows and rows == from_snapshots(world.period)
    sales, retention = world.units["sales"].pk, world.kpis["retention"].pk
    row = UnitKpiLines.objects.get(period=world.period, org_unit_id=sales, kpi_id=retention)
    assert row.has_unit_line and row.lines == 2  # its own line and its position's
    assert row.score == 90.0 and row.value == Decimal("36.00")  # 90 × 40 %
    # B's rows are B's: A reads none of them, and B's own match its snapshots.
    assert all(r.tenant_id == current_tenant().pk for r in UnitKpiLines.objects.all())
    with tenant_scope(other.period.tenant):
        assert stored(other.period) == from_snapshots(other.period)
        assert UnitKpiLines.objects.filter(period=world.period).count() == 0


def test_a_partial_recompute_rewrites_the_scopes_units_and_keeps_the_rest(world, other):
    before = {r[:2]: r for r in stored(world.period)}
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("63"))  # scores 70
    scores_recompute(period=world.period, kpi_ids=[world.kpis["retention"].pk])
    after = stored(world.period)
    assert after == from_snapshots(world.period)
    changed = {r[:2] for r in after if before.get(r[:2]) != r}
    assert (world.units["sales"].pk, world.kpis["retention"].pk) in changed
    data = collaboration(world.period)
    assert [d["kpi"]["code"] for d in data["drag"]] == ["CUST-RET"] and data["drag_count"] == 1
    # A new scorecard recomputed alone (scorecard ids) adds its unit's rows.
    card = ScorecardFactory(org_unit=OrgUnitFactory(parent=world.units["sales"].parent), period=world.period)
    ScorecardLineFactory(scorecard=card, kpi=world.kpis["dso"], weight=Decimal("100"))
    scores_recompute(period=world.period, scorecard_ids=[card.pk])
    assert stored(world.period) == from_snapshots(world.period)
    assert UnitKpiLines.objects.filter(period=world.period, org_unit=card.org_unit).count() == 1


def test_recomputes_rewrite_only_the_rows_whose_numbers_changed(world, other):
    """Full and partial recomputes update a row in place when its numbers change and leave the others as
    they were (same row, same version); B's rows never move."""
    add_position_card(world, "sales", "retention")
    scores_recompute(period=world.period)
    rows = UnitKpiLines.objects.filter(period=world.period)
    rows = rows.values_list("org_unit_id", "kpi_id", "pk", "version")
    before = {(u, k): (pk, v) for u, k, pk, v in rows}
    with tenant_scope(other.period.tenant):
        theirs = sorted(UnitKpiLines.objects.values_list("pk", "version", "score"))
    retention = world.kpis["retention"].pk
    Measurement.objects.filter(kpi_id=retention).update(actual=Decimal("63"))
    for run in (
        lambda: scores_recompute(period=world.period, kpi_ids=[retention]),
        lambda: scores_recompute(period=world.period),
    ):
        version = run().version
        after = {(u, k): (pk, v) for u, k, pk, v in rows.all()}
        assert set(after) == set(before)
        moved = {key for key in after if after[key] != before[key]}
        assert moved and all(kpi == retention for _unit, kpi in moved)  # only retention's rows moved
        assert all(after[key] == (before[key][0], version) for key in moved)  # in place, the new version
        assert stored(world.period) == from_snapshots(world.period)
        before = after
        Measurement.objects.filter(kpi_id=retention).update(actual=Decimal("54"))
    with tenant_scope(other.period.tenant):
        assert sorted(UnitKpiLines.objects.values_list("pk", "version", "score")) == theirs


def test_a_deleted_unit_leaves_the_view(world, other):
    card = add_position_card(world, "sales", "renewal")
    unit = OrgUnitFactory(parent=world.units["sales"].parent, name="临时部")
    own = ScorecardFactory(org_unit=unit, period=world.period)
    ScorecardLineFactory(scorecard=own, kpi=world.kpis["dso"], weight=Decimal("100"))
    scores_recompute(period=world.period)
    assert card.pk
    dso = world.kpis["dso"].pk
    cached = collaboration(world.period)
    row = next(r for r in collaboration_rows(world.period, cached["kpi_order"]) if r["kpi"]["pk"] == dso)
    assert "临时部" in [c["unit_name"] for c in row["cells"]]
    own.delete()  # the snapshot keeps the unit…
    OrgUnit.objects.filter(pk=unit.pk).delete()  # …until the unit goes, with its snapshot and rows
    assert not UnitKpiLines.objects.filter(org_unit_id=unit.pk).exists()
    assert stored(world.period) == from_snapshots(world.period)
    data = collaboration(world.period)  # same version: deleting a unit expired the cached summaries
    assert data["unit_count"] == cached["unit_count"] - 1
    assert "临时部" not in [u["name"] for u in data["chart"]["heatmap"]["units"]]
    row = next(r for r in collaboration_rows(world.period, data["kpi_order"]) if r["kpi"]["pk"] == dso)
    assert "临时部" not in [c["unit_name"] for c in row["cells"]]


def test_the_view_reads_no_breakdown_and_caches_its_summary_by_version(world, other, monkeypatch):
    calls = []
    summary = collaboration_module._summary
    monkeypatch.setattr(collaboration_module, "_summary", lambda *a: calls.append(a) or summary(*a))
    with CaptureQueriesContext(connection) as context:
        first = collaboration(world.period)
        collaboration_rows(world.period, first["kpi_order"])
    assert not [q for q in context.captured_queries if "breakdown" in q["sql"]]
    second = collaboration(world.period)
    assert len(calls) == 1 and second["chart"] == first["chart"]
    # A recompute that changes a stored result gives a new version: the next read computes afresh.
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("63"))
    scores_recompute(period=world.period)
    third = collaboration(world.period)
    assert len(calls) == 2 and [d["kpi"]["code"] for d in third["drag"]] == ["CUST-RET"]
    narrowed = collaboration(world.period, subtree=world.units["sales"])  # its own key
    assert len(calls) == 3 and narrowed["shared_count"] == 0


def test_the_migrate_backfill_fills_periods_scored_before(world, other):
    rows = stored(world.period)
    UnitKpiLines.objects.filter(period=world.period).delete()
    assert unit_kpi_lines_backfill_all() == len(rows)
    assert stored(world.period) == rows
    assert unit_kpi_lines_backfill_all() == 0  # idempotent


def test_the_page_shows_the_top_n_whatever_the_tenants_size(world, other, hr_a, login, monkeypatch):
    """The drag table shows the most affected KPIs and names a few units each; the page says how many
    more. No query of the page reads a breakdown."""
    from tests.interlock.test_dashboards_pages import url
    from tests.interlock.test_dashboards_selectors import _grow

    monkeypatch.setattr(collaboration_module, "DRAG_MAX", 2)
    monkeypatch.setattr(collaboration_module, "DRAG_UNITS_MAX", 1)
    add_position_card(world, "sales", "retention")
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("63"))  # 70 everywhere
    _grow(world, 3)  # three more KPIs scoring 75 in two scorecards each
    client = login(hr_a)
    with CaptureQueriesContext(connection) as context:
        body = client.get(url("dashboard-collaboration")).content.decode()
    assert not [q for q in context.captured_queries if "breakdown" in q["sql"]]
    assert body.count('<span class="badge text-bg-danger">') == 2
    assert 'id="drag-more"' in body and ">4<" in body.split('id="drag-count"')[1][:5]
    assert "and 2 more units" in body  # retention: sales, service and R&D, one named


def test_a_table_row_shows_its_first_units_and_counts_the_rest(world, other, monkeypatch):
    renewal = world.kpis["renewal"].pk  # four units take part (matrix rows and lines)
    [full] = collaboration_rows(world.period, [renewal])
    assert len(full["cells"]) == full["unit_count"] == 4 and full["more_units"] == 0
    monkeypatch.setattr(collaboration_module, "ROW_UNITS_MAX", 2)
    [capped] = collaboration_rows(world.period, [renewal])
    assert capped["cells"] == full["cells"][:2]  # the first in the tree, whichever table names them
    assert capped["unit_count"] == 4 and capped["more_units"] == 2


def test_rows_filled_in_after_migrate_expire_the_cached_summaries(world, other):
    """The migrate backfill writes derived rows without a new version: the summaries cached before are
    not read again."""
    from interlock.services.scores import scores_backfill_after_migrate

    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("63"))
    scores_recompute(period=world.period)
    assert collaboration(world.period)["drag_count"] == 1  # the drag table reads the derived rows
    UnitKpiLines.objects.filter(period=world.period).delete()
    cache.clear()
    assert collaboration(world.period)["drag_count"] == 0  # cached under the period's version
    scores_backfill_after_migrate(sender=None)
    assert collaboration(world.period)["drag_count"] == 1
