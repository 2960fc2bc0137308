"""The period recompute through the database: the seed tables end to end, idempotence, versions, tenancy."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import FloatField
from django.db.models.functions import Cast

from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import Measurement
from interlock import engine
from interlock.engine import FLAG_NO_DATA, FLAG_SPECIAL_REVIEW
from interlock.models import ScorecardLine, ScoreSnapshot
from interlock.selectors.inputs import _rows, period_inputs
from interlock.selectors.scores import snapshot_for, snapshots_latest
from interlock.services.scorecards.cards import scorecard_unpublish
from interlock.services.scores import scores_recompute
from responsibility.services.matrices import matrix_new_version
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.interlock import (
    PositionScorecardFactory,
    ScorecardFactory,
    ScorecardLineFactory,
    build_seed_tables,
)
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory
from tests.interlock import seed_tables


def content(period) -> list[tuple]:
    """Everything a snapshot says, without its version, id and timestamp."""
    return sorted(
        (
            s.subject,
            s.scorecard_id,
            s.org_unit_id,
            s.position_id,
            s.total,
            s.kpi_part,
            s.review_part,
            s.review_weight,
            s.points,
            s.flags,
            s.breakdown,
            s.incomplete,
        )
        for s in ScoreSnapshot.objects.filter(period=period)
    )


@pytest.fixture
def world(scope_a, hr_a):
    return build_seed_tables(actor=hr_a)


@pytest.fixture
def other_world(tenant_b, hr_b):
    """Tenant B holds the same tables with different numbers, and its own snapshots."""
    with tenant_scope(tenant_b):
        other = build_seed_tables(actor=hr_b)
        Measurement.objects.filter(kpi=other.kpis["retention"]).update(actual=Decimal("45"))
        scores_recompute(period=other.period, actor=hr_b)
        return other, content(other.period)


def recompute(world, actor=None):
    return scores_recompute(
        period=world.period, actor=actor, ratings=world.ratings_frame(), points=world.points_frame()
    )


def test_seed_tables_end_to_end(world, hr_a, other_world):
    result = recompute(world, hr_a)
    assert (result.version, result.snapshots, result.deleted) == (1, 3, 0)
    snaps = {s.org_unit_id: s for s in snapshots_latest(world.period)}
    for unit, expected in seed_tables.EXPECTED_TOTALS.items():
        snap = snaps[world.units[unit].pk]
        assert snap.total == Decimal(expected)
        assert sum(Decimal(row["value"]) for row in snap.breakdown) == snap.total
        assert snap.subject == f"unit:{world.units[unit].pk}"
        assert snap.scorecard_id == world.scorecards[unit].pk
    sales = snaps[world.units["sales"].pk]
    assert (sales.kpi_part, sales.review_part, sales.review_weight, sales.points) == (
        Decimal("98.0000"),
        Decimal("80.0000"),
        Decimal("0.200"),
        Decimal("3.00"),
    )
    renewal = next(r for r in sales.breakdown if r.get("kpi") == world.kpis["renewal"].pk)
    assert renewal["eval_kpi"] == world.kpis["renewal_ratio"].pk and renewal["value"] == "17.60"
    assert renewal["matrix"] == world.matrices["renewal"].pk and renewal["matrix_role"] == "lead"
    rnd = snaps[world.units["rnd"].pk]
    assert [f["code"] for f in rnd.flags] == [FLAG_SPECIAL_REVIEW]
    assert AuditEvent.objects.filter(action="scores.recompute", object_id=str(world.period.pk)).count() == 1


def test_recompute_is_idempotent_and_a_no_op_keeps_the_version(world, other_world):
    first = recompute(world)
    before = content(world.period)
    second = recompute(world)
    assert second.version == first.version and (second.written, second.deleted, second.unchanged) == (0, 0, 3)
    assert not second.changed
    assert content(world.period) == before
    assert set(ScoreSnapshot.objects.filter(period=world.period).values_list("version", flat=True)) == {1}
    # no audit row for a run that changed nothing
    assert AuditEvent.objects.filter(action="scores.recompute", object_id=str(world.period.pk)).count() == 1


def test_interrupted_run_leaves_the_previous_version(world, monkeypatch):
    recompute(world)
    before = content(world.period)
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("90"))

    from interlock.services import scores as services

    real = services.snapshots_write

    def boom(*args, **kwargs):
        real(*args, **kwargs)  # the changed rows are written, then the worker dies
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "snapshots_write", boom)
    with pytest.raises(RuntimeError):
        recompute(world)
    monkeypatch.undo()
    assert content(world.period) == before
    assert set(ScoreSnapshot.objects.filter(period=world.period).values_list("version", flat=True)) == {1}
    assert recompute(world).version == 2
    assert content(world.period) != before


def test_other_tenant_untouched(world, other_world, tenant_b):
    other, other_content = other_world
    recompute(world)
    with tenant_scope(tenant_b):
        assert content(other.period) == other_content
        retention = snapshot_for(other.period, f"unit:{other.units['sales'].pk}")
        # 45 of 90 → 50; no ratings there, so ρ counts 0: (40·50 + 20·90 + 20·110 + 20·110) / 100 = 82
        assert retention.total == Decimal("82.00")
    assert not ScoreSnapshot.objects.filter(period=other.period).exists()  # B's rows invisible from A


def test_measurement_change_moves_the_scores(world):
    recompute(world)
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("90"))  # → 100
    recompute(world)
    sales = snapshot_for(world.period, f"unit:{world.units['sales'].pk}")
    # KPI part (40·100 + 20·90 + 20·110 + 20·110) / 100 = 102 → 0.8·102 + 16 + 3 = 100.6
    assert sales.total == Decimal("100.60")


def test_missing_measurement_is_no_data_and_renormalised(world):
    Measurement.objects.filter(kpi=world.kpis["revenue"]).delete()
    recompute(world)
    sales = snapshot_for(world.period, f"unit:{world.units['sales'].pk}")
    assert sales.incomplete
    assert [f for f in sales.flags if f["code"] == FLAG_NO_DATA][0]["kpi"] == world.kpis["revenue"].pk
    # (40·90 + 20·90 + 20·110) / 80 = 95 → 0.8·95 + 16 + 3 = 95
    assert sales.kpi_part == Decimal("95.0000") and sales.total == Decimal("95.00")


def test_drafts_are_not_scored(world, hr_a):
    card = world.scorecards["service"]
    scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
    recompute(world)
    assert not ScoreSnapshot.objects.filter(org_unit=world.units["service"]).exists()
    assert ScoreSnapshot.objects.filter(period=world.period).count() == 2


def test_matrix_version_in_effect_per_period(scope_a, hr_a):
    q1 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=1)
    q2 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=2)
    world = build_seed_tables(actor=hr_a, period=q1)
    MeasurementFactory(kpi=world.kpis["renewal"], period=q2, target=Decimal("90"), actual=Decimal("85.5"))
    MeasurementFactory(kpi=world.kpis["renewal_ratio"], period=q2, target=Decimal("80"), actual=Decimal("88"))
    old = world.matrices["renewal"]
    matrix_new_version(
        actor=hr_a,
        matrix=old,
        lock_version=old.lock_version,
        effective_from=q2,
        rows=[{"org_unit": world.units["sales"], "role": "lead", "share": "100"}],
    )
    q2_card = ScorecardFactory(period=q2, org_unit=world.units["sales"])
    ScorecardLineFactory(scorecard=q2_card, kpi=world.kpis["renewal"], weight=Decimal("100"), role="shared")
    recompute(world)
    scores_recompute(period=q2)
    q1_line = next(
        r
        for r in snapshot_for(q1, f"unit:{world.units['sales'].pk}").breakdown
        if r.get("kpi") == world.kpis["renewal"].pk
    )
    q2_line = next(
        r
        for r in snapshot_for(q2, f"unit:{world.units['sales'].pk}").breakdown
        if r.get("kpi") == world.kpis["renewal"].pk
    )
    assert (q1_line["share"], q1_line["source"], q1_line["score"]) == (40.0, "evaluation_kpi", 110.0)
    assert (q2_line["share"], q2_line["source"], q2_line["score"]) == (100.0, "kpi", pytest.approx(95.0))


def test_position_scorecard_uses_its_units_matrix_row(world):
    position = PositionFactory(org_unit=world.units["rnd"])
    card = PositionScorecardFactory(period=world.period, position=position)
    ScorecardLineFactory(scorecard=card, kpi=world.kpis["renewal"], weight=Decimal("100"), role="shared")
    recompute(world)
    snap = snapshot_for(world.period, f"position:{position.pk}")
    assert snap.position_id == position.pk and snap.org_unit_id is None
    assert snap.total == Decimal("75.00")  # R&D's row is judged by 重大故障数 → 75


def test_closed_period_is_refused(world):
    recompute(world)
    Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
    before = content(world.period)
    with pytest.raises(ValidationError):
        recompute(world)
    assert content(world.period) == before


def test_other_tenants_period_reads_as_missing(world, other_world):
    other, other_content = other_world
    with pytest.raises(ValidationError) as error:
        scores_recompute(period=other.period.pk)
    assert "period" in error.value.message_dict
    with pytest.raises(ValidationError):
        scores_recompute(period="1; DROP TABLE x")


def test_period_inputs_query_count_does_not_grow(scope_a, django_assert_max_num_queries):
    period = PeriodFactory(year=2027)

    def add(n):
        for _ in range(n):
            unit = OrgUnitFactory()
            kpi = KPIFactory(owner_unit=unit)
            MeasurementFactory(kpi=kpi, period=period)
            card = ScorecardFactory(period=period, org_unit=unit)
            ScorecardLineFactory(scorecard=card, kpi=kpi)

    add(2)
    with django_assert_max_num_queries(8) as small:
        data = period_inputs(period)
    assert len(data.subjects) == 2
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = period_inputs(period)
    assert len(data.subjects) == 22


def test_snapshots_hold_the_engines_plain_records(world):
    """The writer serialises from the engine's columns; what it stores reads back as the plain records."""
    recompute(world)
    data = period_inputs(world.period, ratings=world.ratings_frame(), points=world.points_frame())
    result = engine.compute_period(data.inputs, data.params)
    stored = {s.scorecard_id: s for s in ScoreSnapshot.objects.filter(period=world.period)}
    assert set(stored) == {card.scorecard for card in result.scorecards}
    for card in result.scorecards:
        snap = stored[card.scorecard]
        as_json = json.loads(json.dumps([card.breakdown, card.flags], cls=DjangoJSONEncoder))
        assert [snap.breakdown, snap.flags] == as_json
        assert (snap.total, snap.subject, snap.incomplete) == (card.total, card.subject, card.incomplete)


def test_rows_come_in_the_order_of_the_values_list(world):
    """`_rows` skips Django's converters: its tuples must still match what the queryset gives."""
    query = ScorecardLine.objects.order_by("pk").values_list(
        "pk", "kpi_id", "role", Cast("weight", FloatField())
    )
    assert _rows(query) == [tuple(row) for row in query] and len(query) > 3
