"""The matrix numbers of the department dashboard and of `unit-matrix-scores` (contribution, responsibility
points 责任得分, shortfall, composite) are what the recompute computed and stored (`MatrixRowResult`), equal
to scoring the raw measurements on request, which no page or API call does any more."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collab.models import Period
from collab.selectors.periods import periods_ordered
from collab.tenancy import tenant_scope
from goals.models import KPI, Measurement
from goals.selectors.scores import kpi_values
from interlock import engine
from interlock.models import MatrixRowResult
from interlock.selectors.dashboards import matrix_scores, unit_dashboard
from interlock.services.scores import scores_recompute
from responsibility.models import MatrixRow
from responsibility.selectors import matrix_effective_ids
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.interlock import MatrixFactory, MatrixRowFactory, build_seed_tables
from tests.factories.org import OrgUnitFactory, PeriodFactory
from tests.interlock.test_dashboards_selectors import _grow


def scored_on_request(period: Period) -> dict[tuple[int, int], tuple]:
    """What the dashboard computed per request before: the engine over the matrix rows in effect and the
    period's values of their KPIs. {(matrix, unit): (role, share, eval KPI, contribution, points, shortfall,
    composite, KPI score)}."""
    effective = matrix_effective_ids(period)
    rows = list(
        MatrixRow.objects.filter(matrix_id__in=list(effective.values()))
        .order_by("matrix_id", "order", "pk")
        .values_list("pk", "matrix_id", "matrix__kpi_id", "org_unit_id", "role", "share", "evaluation_kpi_id")
    )
    rules = {k.pk: k for k in KPI.objects.filter(pk__in={r[2] for r in rows} | {r[6] for r in rows if r[6]})}
    values = kpi_values(period, list(rules.values()))
    known = [k for k, v in values.items() if v.target is not None or v.actual is not None]
    result = engine.compute_period(
        engine.PeriodInputs(
            kpis={
                "kpi": list(rules),
                "direction": [k.direction for k in rules.values()],
                "cap": [float(k.cap) if k.cap is not None else engine.DEFAULT_CAP for k in rules.values()],
            },
            measurements={
                "kpi": known,
                "target": [values[k].target for k in known],
                "actual": [values[k].actual for k in known],
            },
            matrix_rows={
                "row": [r[0] for r in rows],
                "matrix": [r[1] for r in rows],
                "kpi": [r[2] for r in rows],
                "unit": [r[3] for r in rows],
                "role": [r[4] for r in rows],
                "share": [float(r[5]) for r in rows],
                "eval_kpi": [r[6] for r in rows],
            },
        )
    )
    composites = {m.matrix: m.composite for m in result.matrices}
    return {
        (r.matrix, r.unit): (
            r.role, r.share, r.eval_kpi, r.contribution, r.responsibility_points, r.shortfall,
            composites[r.matrix], result.kpi_scores.get(r.kpi),
        )
        for r in result.matrix_rows
    }  # fmt: skip


def stored(period: Period) -> dict[tuple[int, int], tuple]:
    scored = matrix_scores(period)
    return {
        (r.matrix, r.unit): (
            r.role, r.share, r.eval_kpi, r.contribution, r.responsibility_points, r.shortfall,
            scored.composites[r.matrix], scored.kpi_scores.get(r.kpi),
        )
        for r in scored.rows
    }  # fmt: skip


def stamped(period: Period) -> dict[tuple[int, int], int]:
    return {
        (matrix, unit): version
        for matrix, unit, version in MatrixRowResult.objects.filter(period=period).values_list(
            "matrix_id", "org_unit_id", "version"
        )
    }


def _second_period(world) -> Period:
    """A later quarter with other numbers: one KPI missing (no data), one far off target, a new matrix
    judged by an evaluation KPI."""
    later = PeriodFactory(year=2026, status=Period.Status.ACTIVE)
    for i, measure in enumerate(world.kpis.values()):
        if i == 0:
            continue  # no data for the first KPI in this period
        got = Measurement.objects.filter(kpi=measure, period=world.period).first()
        if got is not None:
            actual = (got.actual or Decimal("1")) * Decimal("0.7")
            MeasurementFactory(kpi=measure, period=later, target=got.target, actual=actual)
    kpi, judge = KPIFactory(is_collaborative=True), KPIFactory()
    MeasurementFactory(kpi=kpi, period=later, target=Decimal("100"), actual=Decimal("130"))
    MeasurementFactory(kpi=judge, period=later, target=Decimal("100"), actual=Decimal("60"))
    matrix = MatrixFactory(kpi=kpi, effective_from=later)
    extra = OrgUnitFactory(parent=world.units["sales"].parent)
    MatrixRowFactory(matrix=matrix, org_unit=world.units["sales"], role="lead", share=Decimal("55"))
    MatrixRowFactory(matrix=matrix, org_unit=extra, role="support", share=Decimal("45"), evaluation_kpi=judge)
    return later


@pytest.fixture
def world(scope_a, hr_a):
    world = build_seed_tables(actor=hr_a)
    _grow(world, 3)  # three more matrices, each with a new unit (recomputes the period)
    return world


@pytest.fixture
def theirs(tenant_b, hr_b, world, tenant_a):
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        Measurement.objects.filter(kpi=theirs.kpis["retention"]).update(actual=Decimal("45"))
        scores_recompute(period=theirs.period, actor=hr_b)
        found = stored(theirs.period)
    return theirs, found


def test_stored_results_equal_the_per_request_computation(world, theirs):
    later = _second_period(world)
    scores_recompute(period=later)
    for period in (world.period, later):
        expected = scored_on_request(period)
        assert len({matrix for matrix, _unit in expected}) >= 4 and len(expected) >= 8
        assert stored(period) == expected  # the very same floats, None where no data
    assert any(v[3] is None for v in stored(later).values()), "a row without data stays without"
    assert any(v[2] is not None for v in stored(later).values()), "a row judged by an evaluation KPI"
    # tenant B's recompute neither sees nor touches ours, and ours not theirs
    assert not set(MatrixRowResult.objects.values_list("period_id", flat=True)) & {theirs[0].period.pk}
    with tenant_scope(theirs[0].period.tenant):
        assert stored(theirs[0].period) == theirs[1] == scored_on_request(theirs[0].period)


def test_a_partial_recompute_keeps_every_matrix_current(world):
    kpi = world.kpis["retention"]
    before, versions = stored(world.period), stamped(world.period)
    Measurement.objects.filter(kpi=kpi, period=world.period).update(actual=Decimal("12"))
    result = scores_recompute(period=world.period, kpi_ids=[kpi.pk])
    after = stored(world.period)
    assert after == scored_on_request(world.period)
    # only the rows whose numbers moved were rewritten (with the new version); the others kept theirs
    moved = {key for key, values in after.items() if values != before[key]}
    assert moved and result.matrix_rows == len(moved) < len(after)
    assert {key for key, v in stamped(world.period).items() if v != versions[key]} == moved
    assert {v for key, v in stamped(world.period).items() if key in moved} == {result.version}


def test_the_dashboard_reads_what_was_computed_not_the_raw_measurements(world):
    sales = world.units["sales"]
    before = unit_dashboard(sales, world.period, periods_ordered())
    assert before["shared"] and before["matrices_computed"] is True
    # a raw change without a recompute (a queryset update sends no signal): the page does not score it
    Measurement.objects.filter(period=world.period).update(actual=Decimal("1"))
    same = unit_dashboard(sales, world.period, periods_ordered())

    def numbers(data):
        return [(m["matrix"], m["composite"], [r["contribution"] for r in m["rows"]]) for m in data["shared"]]

    assert numbers(same) == numbers(before)
    scores_recompute(period=world.period)
    after = unit_dashboard(sales, world.period, periods_ordered())
    assert after["shortfall_total"] > before["shortfall_total"]
    assert stored(world.period) == scored_on_request(world.period)


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len([q for q in context.captured_queries if "set_config('app.tenant_id'" not in q["sql"]])


def test_dashboard_and_api_run_a_constant_number_of_queries(world, tenant_a, hr_a, api_client_for):
    sales = world.units["sales"]
    client = api_client_for(hr_a)
    path = f"/api/v1/t/alpha/unit-matrix-scores/{sales.pk}/?period={world.period.pk}"

    def run():
        page = count_queries(lambda: unit_dashboard(sales, world.period, periods_ordered()))
        response = []
        api = count_queries(lambda: response.append(client.get(path)))
        assert response[0].status_code == 200
        return page, api, len(unit_dashboard(sales, world.period, periods_ordered())["shared"])

    small = run()
    _grow(world, 4)
    large = run()
    assert large[2] == small[2] + 4  # four more matrices give sales a row
    assert large[:2] == small[:2]


def test_before_the_first_recompute_the_page_and_api_say_not_computed(tenant_a, hr_a, login, api_client_for):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)  # matrices and published scorecards, never recomputed
    sales = world.units["sales"]
    page = login(hr_a).get(
        reverse("dashboard-unit-detail", kwargs={"tenant_slug": "alpha", "pk": sales.pk}),
        {"period": world.period.pk},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dashboard-matrices-not-computed"' in html and "not computed yet" in html
    assert 'id="dashboard-no-shared"' not in html  # not "no matrix names this unit": that is not the reason
    body = api_client_for(hr_a).get(
        f"/api/v1/t/alpha/unit-matrix-scores/{sales.pk}/?period={world.period.pk}"
    ).json()
    assert body["computed"] is False and body["computed_at"] is None and body["matrices"] == []
    with tenant_scope(tenant_a):
        assert not MatrixRowResult.objects.exists()  # reading computed nothing
        scores_recompute(period=world.period, actor=hr_a)
    body = api_client_for(hr_a).get(
        f"/api/v1/t/alpha/unit-matrix-scores/{sales.pk}/?period={world.period.pk}"
    ).json()
    assert body["computed"] is True and body["computed_at"] and body["matrices"]
