"""Dashboard reads: the department dashboard, the collaboration view and the ranking, from snapshots that
`scores_recompute` wrote for the seed tables (with a second tenant in the room)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.models import OrgUnit
from collab.selectors.periods import default_period, periods_ordered
from collab.tenancy import tenant_scope
from goals.models import Measurement
from interlock.engine import FLAG_SPECIAL_REVIEW
from interlock.models import ScoreSnapshot
from interlock.selectors.dashboards import (
    RankingFilters,
    collaboration,
    collaboration_rows,
    ranked,
    ranking,
    ranking_ranks,
    unit_dashboard,
    unit_scored_period_ids,
)
from interlock.services.scores import scores_recompute
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.interlock import (
    MatrixFactory,
    MatrixRowFactory,
    PositionScorecardFactory,
    ScorecardFactory,
    ScorecardLineFactory,
    ScoreSnapshotFactory,
    build_seed_tables,
)
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory


def count_queries(function, *args, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        result = function(*args, **kwargs)
    return len([q for q in context.captured_queries if "set_config('app.tenant_id'" not in q["sql"]]), result


@pytest.fixture
def world(scope_a, hr_a):
    world = build_seed_tables(actor=hr_a)
    scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def other(tenant_b, hr_b, world):
    """Tenant B: the same tables, other numbers, its own snapshots. Built after A, back in A's scope."""
    from collab.tenancy import current_tenant

    mine = current_tenant()
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        Measurement.objects.filter(kpi=theirs.kpis["retention"]).update(actual=Decimal("45"))
        scores_recompute(period=theirs.period, actor=hr_b)
    assert mine.pk != tenant_b.pk
    return theirs


def test_unit_dashboard_reads_the_snapshot_and_the_matrices(world, other):
    periods = periods_ordered()
    data = unit_dashboard(world.units["sales"], world.period, periods)
    snap = data["snapshot"]
    assert snap is not None and data["total"] == snap.total
    # Without ratings and points (their models come later) sales is its KPI part:
    # retention 90 × 40 + DSO 90 × 20 + renewal (by 续约比例, 110) × 20 + revenue 110 × 20 → 98.00
    assert data["total"] == Decimal("98.00")
    assert data["breakdown_sum"] == data["total"]
    assert [line["kpi"] for line in data["lines"]] == [
        world.kpis[k].pk for k in ("retention", "dso", "renewal", "revenue")
    ]
    # Shared KPIs: the three matrices naming sales, with every partner's role and share.
    shared = {item["kpi"]["pk"]: item for item in data["shared"]}
    assert set(shared) == {world.kpis[k].pk for k in ("retention", "dso", "renewal")}
    retention = shared[world.kpis["retention"].pk]
    assert [(r["unit"]["name"], r["role"], r["share"]) for r in retention["rows"]] == [
        ("销售部", "lead", 50.0),
        ("客服部", "collaborating", 30.0),
        ("研发部", "support", 20.0),
    ]
    assert [p["unit"]["pk"] for p in retention["partners"]] == [
        world.units["service"].pk,
        world.units["rnd"].pk,
    ]
    assert retention["composite"] == pytest.approx(90.0)
    # Shortfalls carried (DESIGN §6 worked example: sales 50 × (100 − 90) / 100 = 5).
    shortfalls = {s["kpi"]["pk"]: s for s in data["shortfalls"]}
    assert shortfalls[world.kpis["retention"].pk]["shortfall"] == pytest.approx(5.0)
    assert shortfalls[world.kpis["retention"].pk]["responsibility_points"] == pytest.approx(45.0)
    assert shortfalls[world.kpis["dso"].pk]["shortfall"] == pytest.approx(4.0)
    assert shortfalls[world.kpis["renewal"].pk]["shortfall"] == pytest.approx(0.0)
    assert data["shortfall_total"] == pytest.approx(9.0)
    assert data["trend"][-1]["total"] == Decimal("98.00")
    assert data["chart"]["values"] == [98.0]


def test_unit_dashboard_flags_and_incomplete_lines(world):
    # R&D's reference line on retention has threshold 95; retention scores 90 → special review.
    data = unit_dashboard(world.units["rnd"], world.period, periods_ordered())
    assert [f["code"] for f in data["specials"]] == [FLAG_SPECIAL_REVIEW]
    assert "95" in data["specials"][0]["text"]
    assert not data["incomplete_lines"]
    # Retention loses its measurement: the service scorecard is incomplete and says which line.
    Measurement.objects.filter(kpi=world.kpis["retention"]).delete()
    scores_recompute(period=world.period)
    data = unit_dashboard(world.units["service"], world.period, periods_ordered())
    assert data["snapshot"].incomplete
    assert [line["kpi"] for line in data["incomplete_lines"]] == [world.kpis["retention"].pk]
    assert data["breakdown_sum"] == data["total"]


def test_unit_dashboard_trend_spans_periods_latest_version_only(world, hr_a):
    later = PeriodFactory(year=2026, status="active")
    for kpi in world.kpis.values():
        MeasurementFactory(kpi=kpi, period=later, target=Decimal("100"), actual=Decimal("70"))
    from interlock.services.scorecards.copying import scorecards_copy

    scorecards_copy(actor=hr_a, source=world.period, target=later)
    from interlock.models import Scorecard

    Scorecard.objects.filter(period=later).update(status=Scorecard.Status.PUBLISHED)
    scores_recompute(period=later)
    scores_recompute(period=later)  # a second version replaces the first
    quarter = PeriodFactory(year=2026, kind="quarter", quarter=1, status="active")
    ScoreSnapshotFactory(period=quarter, org_unit=world.units["sales"], total=Decimal("50.00"))
    periods = periods_ordered()
    data = unit_dashboard(world.units["sales"], later, periods)
    # A trend compares like with like: the quarter's score is not a point of the yearly line.
    assert [t["label"] for t in data["trend"]] == [world.period.label, later.label]
    assert [t["label"] for t in unit_dashboard(world.units["sales"], quarter, periods)["trend"]] == [
        "2026 Q1"
    ]
    assert data["trend"][0]["total"] == Decimal("98.00")
    assert data["trend"][1]["current"] and data["trend"][1]["total"] == data["total"]
    # The latest start with the unit's scores: 2026 and its Q1 start together, and the finer one wins.
    assert default_period(periods, unit_scored_period_ids(world.units["sales"])) == quarter
    assert default_period(periods, unit_scored_period_ids(world.units["sales"]) - {quarter.pk}) == later


def test_no_snapshot_gives_an_empty_dashboard(scope_a, hr_a):
    world = build_seed_tables(actor=hr_a)  # published, never recomputed
    data = unit_dashboard(world.units["sales"], world.period, periods_ordered())
    assert data["snapshot"] is None and data["total"] is None and data["lines"] == []
    # matrix scores are read as the recompute stored them, never scored per request: none yet
    assert data["shared"] == [] and data["shortfalls"] == [] and data["matrices_computed"] is False


def test_collaboration_view_shared_kpis_heatmap_graph(world, other):
    data = collaboration(world.period)
    codes = [row["kpi"]["code"] for row in collaboration_rows(world.period, data["kpi_order"])]
    # renewal (4 units), retention (3), DSO (2); 销售额/产品稳定性 are one unit's own KPIs.
    assert codes == ["KA-RENEW", "CUST-RET", "AR-DSO"]
    assert data["shared_count"] == 3
    heat = data["chart"]["heatmap"]
    unit_names = [u["name"] for u in heat["units"]]
    assert set(unit_names) == {"销售部", "客服部", "研发部", "财务部", "交付/实施部"}
    assert unit_names[0] == "销售部"  # in all three shared KPIs
    # Cell: the unit's line score when its scorecard has the line (R&D's renewal line is judged by
    # 重大故障数: 75), else its matrix contribution (finance, no scorecard, DSO 90).
    cell = {
        (heat["units"][y]["name"], heat["kpis"][x]["code"]): score for x, y, score, _role in heat["cells"]
    }
    assert cell[("研发部", "KA-RENEW")] == 75.0
    assert cell[("财务部", "AR-DSO")] == 90.0
    assert cell[("销售部", "KA-RENEW")] == 110.0
    links = {
        frozenset((link["source"], link["target"])): link["value"] for link in data["chart"]["graph"]["links"]
    }
    sales, service = str(world.units["sales"].pk), str(world.units["service"].pk)
    assert links[frozenset((sales, service))] == 2  # retention and renewal
    assert links[frozenset((sales, str(world.units["finance"].pk)))] == 1
    assert data["drag"] == []  # only R&D's renewal line is under 80


def test_collaboration_view_kpis_dragging_several_units_down(world):
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("63"))  # 70
    scores_recompute(period=world.period)
    data = collaboration(world.period)
    assert [d["kpi"]["code"] for d in data["drag"]] == ["CUST-RET"]
    assert data["drag"][0]["affected"] == 3
    assert data["drag"][0]["units"] == sorted(["销售部", "客服部", "研发部"])
    narrowed = collaboration(world.period, subtree=world.units["sales"])
    assert narrowed["shared_count"] == 0  # one unit alone shares nothing


def test_ranking_orders_and_filters(world):
    position = PositionFactory(org_unit=world.units["sales"])
    card = PositionScorecardFactory(position=position, period=world.period)
    ScorecardLineFactory(scorecard=card, kpi=world.kpis["revenue"], weight=Decimal("100"))
    scores_recompute(period=world.period)
    # A partial recompute (one KPI changed) rewrites only the scorecards it reaches: versions differ.
    scores_recompute(period=world.period, kpi_ids=[world.kpis["stability"].pk])
    assert len({s.version for s in ScoreSnapshot.objects.filter(period=world.period)}) == 2
    rows = list(ranked(ranking(world.period)))
    assert [(r.subject, r.total) for r in rows][:1] == [(f"position:{position.pk}", Decimal("110.00"))]
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    totals = [r.total for r in rows]
    assert totals == sorted(totals, reverse=True)
    units = list(ranking(world.period, RankingFilters(subject_type="unit")))
    assert len(units) == 3 and all(r.org_unit_id for r in units)
    flagged = list(ranking(world.period, RankingFilters(flag=FLAG_SPECIAL_REVIEW)))
    assert [r.org_unit_id for r in flagged] == [world.units["rnd"].pk]
    within = list(ranking(world.period, RankingFilters(parent=world.units["sales"])))
    assert {r.subject for r in within} == {f"unit:{world.units['sales'].pk}", f"position:{position.pk}"}
    assert list(ranking(world.period, RankingFilters(kind=OrgUnit.Kind.TEAM))) == []
    assert list(ranking(world.period, RankingFilters(incomplete="yes"))) == []


def test_ranks_are_given_to_the_rows_shown_ties_shared(scope_a, tenant_b):
    """Competition ranks (1, 2, 2, 2, 5, then no total last and tied) for any page, from one count."""
    with tenant_scope(tenant_b):  # B's rows never count in A's ranks
        theirs = PeriodFactory(year=2031)
        for total in ("99.00", "98.00"):
            ScoreSnapshotFactory(period=theirs, total=Decimal(total))
    period = PeriodFactory(year=2031)
    for total in ("90.00", "80.00", "80.00", "80.00", "70.00", None, None):
        ScoreSnapshotFactory(period=period, total=None if total is None else Decimal(total))
    rows = ranking(period)
    assert [s.rank for s in ranked(rows)] == [1, 2, 2, 2, 5, 6, 6]
    for offset in range(7):
        for size in (1, 2, 3):
            shown = list(rows[offset : offset + size])
            expected = [1, 2, 2, 2, 5, 6, 6][offset : offset + size]
            queries, ranks = count_queries(ranking_ranks, rows, shown, offset)
            assert [s.rank for s in ranks] == expected
            assert queries == (1 if offset else 0)


def _grow(world, n: int) -> None:
    """n more units, each with a KPI shared with sales through a matrix and both scorecards."""
    for _ in range(n):
        unit = OrgUnitFactory(parent=world.units["sales"].parent)
        kpi = KPIFactory(is_collaborative=True)
        MeasurementFactory(kpi=kpi, period=world.period, target=Decimal("100"), actual=Decimal("75"))
        matrix = MatrixFactory(kpi=kpi, effective_from=world.period)
        MatrixRowFactory(matrix=matrix, org_unit=unit, role="lead", share=Decimal("60"))
        MatrixRowFactory(matrix=matrix, org_unit=world.units["sales"], role="support", share=Decimal("40"))
        card = ScorecardFactory(org_unit=unit, period=world.period)
        ScorecardLineFactory(scorecard=card, kpi=kpi, weight=Decimal("100"))
        position = PositionFactory(org_unit=unit)
        pcard = PositionScorecardFactory(position=position, period=world.period)
        ScorecardLineFactory(scorecard=pcard, kpi=kpi, weight=Decimal("100"))
    scores_recompute(period=world.period)


def test_selectors_run_a_constant_number_of_queries(world):
    def run():
        periods = periods_ordered()
        return (
            count_queries(unit_dashboard, world.units["sales"], world.period, periods)[0],
            count_queries(collaboration, world.period)[0],
            count_queries(lambda: list(ranking(world.period)))[0],
        )

    small = run()
    _grow(world, 2)
    medium = run()
    _grow(world, 12)
    large = run()
    assert small == medium == large
    data = collaboration(world.period)
    assert data["shared_count"] == 3 + 14
    assert len(data["drag"]) == 14  # each new KPI scores 75 in its unit's and its position's scorecard
