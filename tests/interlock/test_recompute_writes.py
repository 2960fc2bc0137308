"""The recompute writes only what changed and a partial recompute reads only its scope
(interlock.services.score_writes, interlock.selectors.inputs.scope_inputs)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from goals.models import Measurement
from interlock.hooks import score_points, score_ratings
from interlock.models import MatrixRowResult, Scorecard, ScoredPeriod, ScoreSnapshot
from interlock.selectors.inputs import period_inputs, scope_inputs
from interlock.services.scores import scores_recompute
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.interlock import ScorecardFactory, ScorecardLineFactory, build_seed_tables
from tests.factories.org import OrgUnitFactory

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def world(scope_a, hr_a):
    return build_seed_tables(actor=hr_a)


@pytest.fixture
def extra(world):
    """Published unit scorecards with one KPI of their own each (no seed KPI, no matrix)."""
    cards = {}
    for n in range(6):
        unit = OrgUnitFactory()
        kpi = KPIFactory(owner_unit=unit)
        MeasurementFactory(kpi=kpi, period=world.period, target=Decimal("100"), actual=Decimal(90 + n))
        card = ScorecardFactory(period=world.period, org_unit=unit)
        ScorecardLineFactory(scorecard=card, kpi=kpi, weight=Decimal("100"))
        cards[kpi] = card
    return cards


@pytest.fixture
def theirs(tenant_b, hr_b):
    """Tenant B in the room, scored: its rows must never move when A recomputes."""
    with tenant_scope(tenant_b):
        other = build_seed_tables(actor=hr_b)
        scores_recompute(period=other.period, actor=hr_b)
        return other, stamps(other.period)


def stamps(period) -> dict[str, tuple]:
    """subject → (pk, version, computed_at): what an untouched row keeps."""
    rows = ScoreSnapshot.objects.filter(period=period).values_list("subject", "pk", "version", "computed_at")
    return {subject: rest for subject, *rest in ((r[0], r[1], r[2], r[3]) for r in rows)}


def writes(queries: CaptureQueriesContext) -> list[str]:
    """The writing statements (an `executemany` is logged as "N times: <sql>")."""
    found = []
    for query in queries.captured_queries:
        sql = query["sql"].lstrip()
        if " times: " in sql[:20]:
            sql = sql.split(" times: ", 1)[1]
        if sql.upper().startswith(WRITES):
            found.append(sql)
    return found


def test_a_recompute_with_no_input_change_writes_no_row(world, extra, theirs, tenant_b):
    first = scores_recompute(period=world.period)
    before = stamps(world.period)
    matrix = MatrixRowResult.objects.filter(period=world.period).values_list("pk", "version")
    matrix_before = list(matrix)
    recorded = ScoredPeriod.objects.get(period=world.period)
    audits = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = scores_recompute(period=world.period)
        partial = scores_recompute(period=world.period, kpi_ids=[k.pk for k in extra])
    assert writes(queries) == []
    assert not again.changed and not partial.changed
    assert (again.version, again.written, again.unchanged) == (first.version, 0, first.snapshots)
    assert (partial.written, partial.unchanged) == (0, len(extra))
    assert stamps(world.period) == before
    assert list(matrix.all()) == matrix_before
    assert ScoredPeriod.objects.get(period=world.period).version == recorded.version
    assert AuditEvent.objects.count() == audits  # a no-op is not audited
    with tenant_scope(tenant_b):
        assert stamps(theirs[0].period) == theirs[1]


@pytest.mark.django_db(transaction=False)
def test_no_change_leaves_the_heap_tuples_alone_on_postgresql(world, extra):
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's")
    scores_recompute(period=world.period)
    sql = "SELECT id, xmin::text, ctid::text FROM interlock_scoresnapshot WHERE period_id = %s ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [world.period.pk])
        before = cursor.fetchall()
        scores_recompute(period=world.period)
        cursor.execute(sql, [world.period.pk])
        assert cursor.fetchall() == before


def test_one_measurement_change_rewrites_only_the_affected_snapshot(world, extra, theirs, tenant_b):
    scores_recompute(period=world.period)
    before = stamps(world.period)
    kpi, card = next(iter(extra.items()))
    Measurement.objects.filter(kpi=kpi, period=world.period).update(actual=Decimal("50"))
    with CaptureQueriesContext(connection) as queries:
        result = scores_recompute(period=world.period, kpi_ids=[kpi.pk])
    assert (result.snapshots, result.written, result.deleted, result.matrix_rows) == (1, 1, 0, 0)
    after = stamps(world.period)
    subject = f"unit:{card.org_unit_id}"
    assert after[subject][0] == before[subject][0]  # updated in place: same row
    assert after[subject][1] == result.version == before[subject][1] + 1
    others = set(before) - {subject}
    assert {s: after[s] for s in others} == {s: before[s] for s in others}
    snapshot_writes = [sql for sql in writes(queries) if ScoreSnapshot._meta.db_table in sql]
    assert len(snapshot_writes) == 1 and snapshot_writes[0].upper().startswith("UPDATE")
    assert ScoreSnapshot.objects.get(subject=subject, period=world.period).total == Decimal("50.00")
    assert ScoredPeriod.objects.get(period=world.period).version == result.version
    # the full recompute finds nothing more to do: the partial one left the period as it would have
    assert not scores_recompute(period=world.period).changed
    with tenant_scope(tenant_b):
        assert stamps(theirs[0].period) == theirs[1]


def test_a_full_recompute_inserts_new_subjects_and_deletes_vanished_ones(world, extra):
    scores_recompute(period=world.period)
    before = stamps(world.period)
    gone = next(iter(extra.values()))
    Scorecard.objects.filter(pk=gone.pk).update(status=Scorecard.Status.DRAFT)
    unit = OrgUnitFactory()
    kpi = KPIFactory(owner_unit=unit)
    MeasurementFactory(kpi=kpi, period=world.period, target=Decimal("100"), actual=Decimal("80"))
    ScorecardLineFactory(scorecard=ScorecardFactory(period=world.period, org_unit=unit), kpi=kpi)
    result = scores_recompute(period=world.period)
    assert (result.written, result.deleted, result.unchanged) == (1, 1, len(before) - 1)
    after = stamps(world.period)
    assert f"unit:{gone.org_unit_id}" not in after and after[f"unit:{unit.pk}"][1] == result.version
    kept = set(before) - {f"unit:{gone.org_unit_id}"}
    assert {s: after[s] for s in kept} == {s: before[s] for s in kept}


def test_a_partial_read_reads_only_its_scope(world, extra):
    kpi, card = next(iter(extra.items()))
    whole = period_inputs(world.period)
    with CaptureQueriesContext(connection) as queries:
        data = scope_inputs(world.period, [card.pk], [kpi.pk])
    # Six reads, and one per provider of the areas above (ratings, points), asked for the scope's subjects.
    providers = len(score_ratings.providers) + len(score_points.providers)
    assert len(queries.captured_queries) <= 6 + providers
    inputs = data.inputs
    assert inputs.scorecards["scorecard"].tolist() == [card.pk]
    assert inputs.lines["scorecard"].tolist() == [card.pk]
    assert inputs.kpis["kpi"].tolist() == [kpi.pk] and inputs.measurements["kpi"].tolist() == [kpi.pk]
    assert len(inputs.matrix_rows) == 0 and data.matrix_kpis == {kpi.pk}
    assert len(whole.inputs.scorecards) == len(extra) + 3 and len(whole.inputs.kpis) > len(extra)
    # A seed scorecard: its lines' KPIs, its matrices (whole, with every row) and their evaluation KPIs.
    sales = world.scorecards["sales"]
    data = scope_inputs(world.period, [sales.pk])
    mine = set(whole.inputs.lines.loc[whole.inputs.lines["scorecard"] == sales.pk, "kpi"].tolist())
    assert set(data.inputs.lines["kpi"].tolist()) == mine
    rows = whole.inputs.matrix_rows
    assert len(data.inputs.matrix_rows) == len(rows[rows["kpi"].isin(mine)]) > 0
    needed = mine | set(data.inputs.matrix_rows["eval_kpi"].dropna().astype(int).tolist())
    assert set(data.inputs.kpis["kpi"].tolist()) == needed < set(whole.inputs.kpis["kpi"].tolist())


def test_breakdowns_made_a_slice_of_scorecards_at_a_time_are_the_same(world, extra, monkeypatch):
    from interlock import engine
    from interlock.engine import documents

    data = period_inputs(world.period)
    result = engine.compute_period(data.inputs, data.params)
    whole = documents.breakdown_documents(result.columns, result.params)
    monkeypatch.setattr(documents, "DOCUMENT_SLICE", 2)
    assert documents.breakdown_documents(result.columns, result.params) == whole
    assert len(whole) == len(extra) + 3


def test_snapshots_staged_a_slice_at_a_time_are_the_same(world, extra, monkeypatch):
    """The recompute serialises, compares and stages the snapshots a slice of scorecards at a time: with
    slices of 2 it stores what one slice stores, and a change in two slices rewrites just those rows."""
    from interlock.engine import documents

    columns = ("subject", "total", "kpi_part", "review_part", "points", "flags", "breakdown", "incomplete")

    def rows():
        found = ScoreSnapshot.objects.filter(period=world.period).values_list("digest", *columns)
        return sorted(found, key=lambda r: r[1])

    scores_recompute(period=world.period)
    whole = rows()
    ScoreSnapshot.objects.filter(period=world.period).delete()
    monkeypatch.setattr(documents, "DOCUMENT_SLICE", 2)
    assert scores_recompute(period=world.period).written == len(whole) == len(extra) + 3
    assert rows() == whole
    before = stamps(world.period)
    first, last = list(extra)[0], list(extra)[-1]  # the first and the last unit scorecard
    Measurement.objects.filter(kpi__in=[first, last], period=world.period).update(actual=Decimal("50"))
    result = scores_recompute(period=world.period)
    assert (result.written, result.unchanged) == (2, len(whole) - 2)
    moved = {s for s, stamp in stamps(world.period).items() if stamp != before[s]}
    assert moved == {f"unit:{extra[first].org_unit_id}", f"unit:{extra[last].org_unit_id}"}


def test_the_lines_read_by_copy_are_the_rows_fetched(world, extra):
    """PostgreSQL reads the period's lines with COPY … TO STDOUT; the frame is the one fetching them gives."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    from interlock.models import ScorecardLine
    from interlock.selectors import inputs

    ScorecardLineFactory(scorecard=next(iter(extra.values())), kpi=KPIFactory(), threshold=None, role="own")
    lines = ScorecardLine.objects.filter(scorecard__period=world.period).order_by("scorecard_id", "pk")
    query = lines.values_list("pk", "scorecard_id", "kpi_id", "role", inputs._float("weight"),
                              inputs._float("threshold"))  # fmt: skip
    names, kinds = ["line", "scorecard", "kpi", "role", "weight", "threshold"], {
        "floats": ("weight", "threshold"), "texts": ("role",)
    }  # fmt: skip
    copied = inputs._fetched_frame(query, names, **kinds)
    fetched = inputs._frame(inputs._rows(query), names, **kinds)
    assert len(copied) > 10 and copied["threshold"].isna().any()
    pd.testing.assert_frame_equal(copied, fetched)
    empty = inputs._fetched_frame(query.none(), names, **kinds)
    pd.testing.assert_frame_equal(empty, inputs._frame([], names, **kinds))


def test_a_job_that_changed_nothing_says_so(world, hr_a):
    from django.utils.translation import override

    from collab.jobs import job_message
    from collab.models import Job
    from interlock.recompute import scores_recompute_request, scores_recompute_run

    scores_recompute(period=world.period)
    with override("en"):
        job = scores_recompute_request(period=world.period, actor=hr_a, reason="test", force=True)
        scores_recompute_run(job_id=job.pk, period_id=world.period.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.message_code == "scores_unchanged"
    assert job.message_params == {"n": 3} and job.result["written"] == 0 and job.result["unchanged"] == 3
    assert job.message == "Scores are up to date: 3 computed, none changed."
    with override("zh-hans"):
        assert job_message(job) == "得分已是最新：计算了3个，没有变化。"


def test_a_partial_recompute_that_reaches_nothing_reads_and_writes_nothing(world, extra):
    scores_recompute(period=world.period)
    before = stamps(world.period)
    lonely = KPIFactory()  # on no scorecard and in no matrix
    MeasurementFactory(kpi=lonely, period=world.period, target=Decimal("10"), actual=Decimal("5"))
    with CaptureQueriesContext(connection) as queries:
        result = scores_recompute(period=world.period, kpi_ids=[lonely.pk])
    assert writes(queries) == [] and not result.changed and result.snapshots == 0
    assert stamps(world.period) == before


def test_the_collaboration_rows_from_columns_equal_the_per_line_build(world, extra):
    """`_engine_columns` (vectorised, what the full recompute writes) gives the per-line loop's rows."""
    from interlock import engine
    from interlock.services import collaboration

    data = period_inputs(world.period)
    result = engine.compute_period(data.inputs, data.params)
    stamp = {"period": world.period, "version": 1, "computed_at": None}
    fields = ("org_unit_id", "kpi_id", "has_unit_line", "line_role", "weight", "score", "value", "lines",
              "low_lines", "low_sum")  # fmt: skip

    def plain(rows):
        return sorted(tuple(getattr(row, name) for name in fields) for row in rows)

    loop = collaboration._rows(collaboration._engine_lines(result, data.subjects), **stamp)
    columns = collaboration._engine_columns(result, data.subjects)

    def listed(values):  # arrays as plain values, NaN as None
        if isinstance(values, np.ndarray):
            return [None if v != v else v for v in values.tolist()]
        return values

    vectorised = sorted(zip(*(listed(columns[name.removesuffix("_id")]) for name in fields), strict=True))
    value = fields.index("value")
    loop_rows = [(*row[:value], None if row[value] is None else str(row[value]), *row[value + 1 :])
                 for row in plain(loop)]  # fmt: skip
    assert vectorised == sorted(loop_rows) and any(row.has_unit_line for row in loop)
