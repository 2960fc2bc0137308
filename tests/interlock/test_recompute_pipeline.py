"""The recompute pipeline: triggers enqueue on commit, coalesce, run idempotently, partially, with retries
only for transient errors (interlock.recompute, interlock.tasks)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from collab.jobs import job_claim, job_progress
from collab.models import Job, Period
from collab.signals import scoring_inputs_changed
from collab.tenancy import tenant_scope
from goals.models import Measurement
from goals.services.kpis import kpi_update
from goals.services.measurements.writes import measurement_upsert, measurements_bulk_upsert
from interlock import recompute as pipeline
from interlock.models import ScoreSnapshot
from interlock.services.scorecards.cards import scorecard_publish, scorecard_unpublish
from interlock.services.scores import scores_recompute
from interlock.tasks import MAX_RETRIES, recompute_period_scores
from responsibility.services.matrices import matrix_update
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.interlock import ScorecardFactory, ScorecardLineFactory, build_seed_tables
from tests.factories.org import OrgUnitFactory, PeriodFactory
from tests.interlock.test_recompute import content


@pytest.fixture
def world(scope_a, hr_a):
    built = build_seed_tables(actor=hr_a)
    # Building published scorecards queued a recompute (its message never left: tests do not commit).
    assert [j.params["reasons"] for j in Job.objects.all()] == [["scorecard"]]
    Job.objects.all().delete()
    return built


@pytest.fixture
def extra(world):
    """Four more published unit scorecards, each with one KPI of its own (untouched by the seed KPIs)."""
    cards = {}
    for n in range(4):
        unit = OrgUnitFactory()
        kpi = KPIFactory(owner_unit=unit)
        MeasurementFactory(kpi=kpi, period=world.period, target=Decimal("100"), actual=Decimal(90 + n))
        card = ScorecardFactory(period=world.period, org_unit=unit)
        ScorecardLineFactory(scorecard=card, kpi=kpi, weight=Decimal("100"))
        cards[kpi] = card
    return cards


def queued(period) -> list[Job]:
    return list(Job.objects.filter(key=f"period:{period.pk}", status=Job.Status.QUEUED))


def set_actual(world, name, actual, actor):
    kpi = world.kpis[name]
    shown = Measurement.objects.filter(kpi=kpi, period=world.period).values_list("lock_version", flat=True)
    return measurement_upsert(
        actor=actor, kpi=kpi, period=world.period, actual=actual, lock_version=shown.first()
    )


def sent(callbacks) -> list:
    """The recompute's messages among the on-commit callbacks (a write that renames something also moves the
    display generation of cached pages on commit, `collab.page_cache`)."""
    return [callback for callback in callbacks if callback.__module__ != "collab.page_cache"]


def written(period) -> dict[str, int]:
    return dict(ScoreSnapshot.objects.filter(period=period).values_list("subject", "version"))


# --------------------------------------------------------------------------------------------- triggers


def test_measurement_write_queues_a_job_sent_on_commit(world, hr_a, django_capture_on_commit_callbacks):
    scores_recompute(period=world.period)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_actual(world, "stability", "90", hr_a)
    [job] = queued(world.period)
    assert job.params["full"] is False and job.params["kpis"] == [world.kpis["stability"].pk]
    assert job.params["reasons"] == ["measurement"] and job.created_by == hr_a
    assert len(sent(callbacks)) == 1


def test_rolled_back_write_queues_nothing(world, hr_a, django_capture_on_commit_callbacks):
    scores_recompute(period=world.period)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            set_actual(world, "stability", "90", hr_a)
            raise RuntimeError("the view failed after the write")
    assert sent(callbacks) == [] and queued(world.period) == []


def test_unchanged_measurement_queues_nothing(world, hr_a, django_capture_on_commit_callbacks):
    scores_recompute(period=world.period)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_actual(world, "stability", "99.9", hr_a)
    assert sent(callbacks) == [] and queued(world.period) == []


def test_triggers_coalesce_into_one_queued_job(world, hr_a, django_capture_on_commit_callbacks):
    scores_recompute(period=world.period)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_actual(world, "stability", "90", hr_a)
        set_actual(world, "revenue", "1000", hr_a)
        measurements_bulk_upsert(
            actor=hr_a,
            rows=[{"kpi": world.kpis["dso"], "period": world.period, "actual": "40", "lock_version": 1}],
        )
        matrix = world.matrices["retention"]
        matrix_update(actor=hr_a, matrix=matrix, lock_version=matrix.lock_version, note="clarified")
        card = world.scorecards["service"]
        scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
    [job] = queued(world.period)
    kpis = {world.kpis[name].pk for name in ("stability", "revenue", "dso", "retention")}
    assert set(job.params["kpis"]) == kpis
    assert job.params["scorecards"] == [world.scorecards["service"].pk]
    assert job.params["reasons"] == ["measurement", "matrix", "scorecard"]
    assert len(sent(callbacks)) == 1  # one message for the whole burst


def test_lower_areas_request_recomputes_through_the_scoring_signal(world, hr_a):
    # goals and responsibility import nothing of interlock: their writes send scoring_inputs_changed, and
    # interlock's receiver queues the recompute in the same transaction.
    sent = []

    def spy(sender, *, signal, reason, **inputs):
        sent.append((sender.__name__, reason, sorted(inputs)))

    scoring_inputs_changed.connect(spy)
    try:
        scores_recompute(period=world.period)
        set_actual(world, "stability", "90", hr_a)
        matrix = world.matrices["retention"]
        matrix_update(actor=hr_a, matrix=matrix, lock_version=matrix.lock_version, note="clarified")
        kpi = world.kpis["revenue"]
        kpi_update(actor=hr_a, kpi=kpi, data={"cap": Decimal("1.5")}, lock_version=kpi.lock_version)
    finally:
        scoring_inputs_changed.disconnect(spy)
    assert sent == [
        ("Measurement", "measurement", ["actor", "changes"]),
        ("ResponsibilityMatrix", "matrix", ["actor", "effective_from", "kpi_id"]),
        ("KPI", "kpi", ["actor", "kpi_id"]),
    ]
    [job] = queued(world.period)
    assert job.params["reasons"] == ["measurement", "matrix", "kpi"]


def test_a_full_request_absorbs_partial_ones(world, hr_a):
    scores_recompute(period=world.period)
    pipeline.scores_recompute_request(period=world.period, kpi_ids=[1], reason="measurement")
    pipeline.scores_recompute_request(period=world.period, reason="manual", actor=hr_a)
    pipeline.scores_recompute_request(period=world.period, kpi_ids=[2], reason="measurement")
    [job] = queued(world.period)
    assert job.params["full"] is True and job.params["kpis"] == []


def test_monthly_measurement_also_queues_its_quarter_and_year(scope_a, hr_a):
    year = PeriodFactory(kind=Period.Kind.YEAR, year=2029, status=Period.Status.ACTIVE)
    quarter = PeriodFactory(kind=Period.Kind.QUARTER, year=2029, quarter=2, status=Period.Status.ACTIVE)
    month = PeriodFactory(kind=Period.Kind.MONTH, year=2029, month=5, status=Period.Status.ACTIVE)
    other_quarter = PeriodFactory(kind=Period.Kind.QUARTER, year=2029, quarter=3, status=Period.Status.ACTIVE)
    kpi = KPIFactory()
    for period in (year, quarter, month, other_quarter):
        ScorecardLineFactory(scorecard=ScorecardFactory(period=period), kpi=kpi)
    measurement_upsert(actor=hr_a, kpi=kpi, period=month, target="10", actual="9")
    keys = set(Job.objects.values_list("key", flat=True))
    assert keys == {f"period:{p.pk}" for p in (year, quarter, month)}


def test_nothing_is_queued_for_a_closed_period_or_one_without_scorecards(scope_a, hr_a):
    empty = PeriodFactory(year=2030, status=Period.Status.ACTIVE)
    assert pipeline.scores_recompute_request(period=empty, reason="x") is None
    closed = PeriodFactory(year=2031, status=Period.Status.CLOSED)
    ScorecardFactory(period=closed)
    assert pipeline.scores_recompute_request(period=closed, reason="x", force=True) is None
    assert not Job.objects.exists()


def test_draft_edits_queue_nothing_publishing_does(world, hr_a):
    card = world.scorecards["rnd"]
    card = scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
    Job.objects.all().delete()
    scores_recompute(period=world.period)
    result = scorecard_publish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
    [job] = queued(world.period)
    assert job.params["scorecards"] == [result.scorecard.pk]


# --------------------------------------------------------------------------------------------- running


def test_running_the_job_scores_and_reports_done(world, hr_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = pipeline.scores_recompute_request(period=world.period, reason="manual", actor=hr_a)
    job.refresh_from_db()
    assert (job.status, job.progress, job_progress(job)) == (Job.Status.DONE, 100, 100)
    assert job.result["snapshots"] == 3 and job.started_at and job.finished_at
    assert ScoreSnapshot.objects.filter(period=world.period).count() == 3


def test_a_duplicate_message_is_skipped_and_a_lost_worker_rerun(world, hr_a):
    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    first = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    before = content(world.period)
    duplicate = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert first["status"] == "done" and duplicate == {"job": job.pk, "status": "skipped"}
    # A worker killed half way leaves the job running; the redelivered message runs it again, identically.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    again = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert again["status"] == "done" and content(world.period) == before


def test_a_second_delivery_never_runs_a_job_a_live_worker_holds(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.COLLAB_JOB_STALE_SECONDS = 60
    scores_recompute(period=world.period)
    # an input the recompute will see (no signal: the manual job below is the only one), reaching every card
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("90"))
    job = pipeline.scores_recompute_request(period=world.period, reason="manual", force=True)
    held = job_claim(job.pk, kind=Job.Kind.SCORE_RECOMPUTE)  # a worker is running it and beating
    versions = set(ScoreSnapshot.objects.values_list("version", flat=True))
    args = [world.period.tenant_id, world.period.pk, job.pk]
    assert recompute_period_scores.apply(args=args).get() == {"job": job.pk, "status": "skipped"}
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.lease == held.lease and job.attempts == 1
    assert set(ScoreSnapshot.objects.values_list("version", flat=True)) == versions  # nothing ran
    # Its heartbeat stopped (the worker died): the next delivery takes it over and says so.
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - timedelta(minutes=5))
    assert recompute_period_scores.apply(args=args).get()["status"] == "done"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.resumed_at is not None
    assert set(ScoreSnapshot.objects.values_list("version", flat=True)) == {max(versions) + 1}


def test_transient_errors_are_retried(world, monkeypatch):
    calls = []
    real = scores_recompute

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        return real(**kwargs)

    monkeypatch.setattr("interlock.services.scores.scores_recompute", flaky)
    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    # throw=False: Celery runs eager retries only when the failure is not propagated at once
    args = [world.period.tenant_id, world.period.pk, job.pk]
    assert recompute_period_scores.apply(args=args, throw=False).get()["status"] == "done"
    assert len(calls) == 2
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_transient_errors_keep_the_job_running_until_the_last_attempt(world, monkeypatch):
    def down(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr("interlock.services.scores.scores_recompute", down)
    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    with pytest.raises(OperationalError):
        pipeline.scores_recompute_run(job_id=job.pk, period_id=world.period.pk, final_attempt=False)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and "temporary error" in job.message
    with pytest.raises(OperationalError):  # the retry claims the running job again; the last one gives up
        pipeline.scores_recompute_run(job_id=job.pk, period_id=world.period.pk, final_attempt=True)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "server closed" in job.message


def test_the_task_retries_transient_errors_only():
    assert set(recompute_period_scores.autoretry_for) == {
        OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError
    }
    assert recompute_period_scores.max_retries == MAX_RETRIES and recompute_period_scores.retry_backoff
    assert recompute_period_scores.acks_late and recompute_period_scores.reject_on_worker_lost


def test_bad_data_is_never_retried(world, monkeypatch):
    calls = []

    def refused(**kwargs):
        calls.append(1)
        raise ValidationError({"period": "The period 2025 is closed and read-only."})

    monkeypatch.setattr("interlock.services.scores.scores_recompute", refused)
    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    result = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert result["status"] == "failed" and len(calls) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "closed" in job.message


def test_a_task_never_runs_in_the_callers_tenant(world, tenant_b):
    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    with tenant_scope(tenant_b):  # the caller's scope is B; the task says A
        recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert ScoreSnapshot.objects.filter(period=world.period).count() == 3


def test_the_lock_is_the_period_row(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        scores_recompute(period=world.period)
    first = [q["sql"] for q in queries.captured_queries if "collab_period" in q["sql"]][0]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in first


# --------------------------------------------------------------------------------------------- idempotence


def test_run_twice_identical(world):
    scores_recompute(period=world.period)
    before = content(world.period)
    scores_recompute(period=world.period)
    assert content(world.period) == before


def test_partial_failure_mid_write_keeps_the_previous_rows(world, extra, monkeypatch):
    scores_recompute(period=world.period)
    before, versions = content(world.period), written(world.period)
    Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("90"))

    from interlock.services import scores as services

    real = services.snapshots_write

    def killed(*args, **kwargs):
        real(*args, **kwargs)  # half way: the changed snapshots are written, the matrix results not yet
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "snapshots_write", killed)
    with pytest.raises(RuntimeError):
        scores_recompute(period=world.period, kpi_ids=[world.kpis["retention"].pk])
    monkeypatch.undo()
    assert content(world.period) == before and written(world.period) == versions


# --------------------------------------------------------------------------------------------- partial


@pytest.mark.parametrize(
    ("kpi", "reached"),
    [
        ("stability", {"rnd"}),
        ("renewal_ratio", {"sales"}),  # sales is judged by it in 大客户续约率's matrix; R&D is not
        ("major_incidents", {"rnd"}),  # R&D's evaluation KPI there
        ("complaint_rate", {"service"}),
        ("retention", {"sales", "service", "rnd"}),
    ],
)
def test_one_measurement_rewrites_only_the_scorecards_it_reaches(world, extra, kpi, reached):
    scores_recompute(period=world.period)
    versions = written(world.period)
    assert len(versions) == 7
    Measurement.objects.filter(kpi=world.kpis[kpi]).update(actual=Decimal("1"))
    result = scores_recompute(period=world.period, kpi_ids=[world.kpis[kpi].pk])
    after = written(world.period)
    rewritten = {subject for subject, version in after.items() if version != versions[subject]}
    assert rewritten == {f"unit:{world.units[name].pk}" for name in reached}
    assert (result.snapshots, result.written, result.deleted) == (len(reached), len(reached), 0)
    partial = content(world.period)
    scores_recompute(period=world.period)  # the full recompute agrees with the partial one
    assert content(world.period) == partial


def test_scorecard_path_rewrites_one_and_unpublish_drops_it(world, extra, hr_a):
    scores_recompute(period=world.period)
    versions = written(world.period)
    card = world.scorecards["service"]
    result = scores_recompute(period=world.period, scorecard_ids=[world.scorecards["rnd"].pk])
    assert (result.snapshots, result.written, result.unchanged) == (1, 0, 1)  # computed, same: kept
    assert written(world.period) == versions
    scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
    result = scores_recompute(period=world.period, scorecard_ids=[card.pk])
    assert (result.snapshots, result.deleted) == (0, 1)
    assert f"unit:{world.units['service'].pk}" not in written(world.period)
    assert len(written(world.period)) == 6


def test_the_job_runs_the_partial_path(world, extra, hr_a, django_capture_on_commit_callbacks):
    scores_recompute(period=world.period)
    versions = written(world.period)
    with django_capture_on_commit_callbacks(execute=True):
        set_actual(world, "stability", "50", hr_a)
    job = Job.objects.get(key=f"period:{world.period.pk}")
    assert job.status == Job.Status.DONE and job.result["partial"] is True
    assert job.result["snapshots"] == 1
    changed = {s for s, v in written(world.period).items() if v != versions[s]}
    assert changed == {f"unit:{world.units['rnd'].pk}"}


# --------------------------------------------------------------------------------------------- nightly


def test_nightly_queues_active_and_review_periods_of_every_tenant(world, tenant_a, tenant_b, hr_b):
    from interlock.tasks import recompute_all_tenants_nightly

    review = PeriodFactory(year=2026, status=Period.Status.REVIEW)
    ScorecardFactory(period=review)
    with tenant_scope(tenant_b):
        other = build_seed_tables(actor=hr_b)
    count = recompute_all_tenants_nightly.apply().get()
    assert count >= 2
    assert {j.key for j in Job.objects.all()} == {f"period:{world.period.pk}", f"period:{review.pk}"}
    with tenant_scope(tenant_b):
        assert [j.key for j in Job.objects.all()] == [f"period:{other.period.pk}"]


def test_setup_schedules_is_idempotent(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    call_command("setup_schedules")
    task = PeriodicTask.objects.get(name="interlock: nightly score recompute")
    assert task.task == "interlock.recompute_all_tenants_nightly" and task.enabled
    assert task.crontab.hour == "2"


# --------------------------------------------------------------------------------------------- storage


def test_breakdowns_are_stored_compactly_and_read_back_unchanged(world):
    from django.db import connection

    scores_recompute(period=world.period)
    snap = ScoreSnapshot.objects.filter(period=world.period).order_by("subject").first()
    assert snap.breakdown[0]["kind"] == "line" and set(snap.breakdown[0]) >= {"kpi", "value", "score"}
    assert [row["kind"] for row in snap.breakdown][-2:] == ["review", "points"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT breakdown FROM interlock_scoresnapshot WHERE id = %s", [snap.pk])
        raw = cursor.fetchone()[0]
    assert '"k":' in raw.replace(" ", "") if isinstance(raw, str) else "k" in raw  # the layout, not the keys
    # Rows written before compaction (plain lists) read as they are.
    ScoreSnapshot.objects.filter(pk=snap.pk).update(breakdown=[])
    old = [{"kind": "review", "value": "1.00"}]
    from interlock.models import compact_rows

    assert compact_rows(old) == old and compact_rows([]) == []
    ScoreSnapshot.objects.filter(pk=snap.pk).update(breakdown=old)
    assert ScoreSnapshot.objects.get(pk=snap.pk).breakdown == old


# --------------------------------------------------------------------------------------------- KPI rules


def test_a_kpi_rule_change_rescores_the_scorecards_using_it(
    world, extra, hr_a, django_capture_on_commit_callbacks
):
    from goals.services.kpis import kpi_update

    scores_recompute(period=world.period)
    versions, totals = written(world.period), dict(
        ScoreSnapshot.objects.filter(period=world.period).values_list("subject", "total")
    )
    kpi = world.kpis["retention"]  # target 90, actual 81: lower_better turns 90 into 111.1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        kpi_update(actor=hr_a, kpi=kpi, data={"direction": "lower_better"}, lock_version=kpi.lock_version)
    assert len(sent(callbacks)) == 1
    job = Job.objects.get(key=f"period:{world.period.pk}")
    assert job.status == Job.Status.DONE and job.params["reasons"] == ["kpi"]
    assert job.params["kpis"] == [kpi.pk] and job.result["partial"] is True
    changed = {s for s, v in written(world.period).items() if v != versions[s]}
    assert changed == {f"unit:{world.units[name].pk}" for name in ("sales", "service", "rnd")}
    after = dict(ScoreSnapshot.objects.filter(period=world.period).values_list("subject", "total"))
    for name in ("sales", "service"):  # a weighted line on it (R&D holds it as a reference line)
        subject = f"unit:{world.units[name].pk}"
        assert after[subject] > totals[subject]
    partial = content(world.period)
    scores_recompute(period=world.period)  # what the job wrote is what a full recompute writes
    assert content(world.period) == partial


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Renamed", "description": "words only", "data_source": "CRM"},
        {"cap": "1.20"},  # the same cap written differently
    ],
)
def test_a_kpi_edit_the_engine_does_not_read_queues_nothing(world, hr_a, data):
    from goals.services.kpis import kpi_update

    scores_recompute(period=world.period)
    kpi = world.kpis["retention"]
    assert kpi.cap == Decimal("1.2")
    kpi_update(actor=hr_a, kpi=kpi, lock_version=kpi.lock_version, data=data)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("cap", "1.5"), ("aggregation", "last"), ("is_active", False), ("direction", "lower_better")],
)
def test_every_scoring_field_of_a_kpi_triggers(world, hr_a, field, value):
    from goals.services.kpis import kpi_update

    kpi = world.kpis["stability"]
    assert getattr(kpi, field) != value
    kpi_update(actor=hr_a, kpi=kpi, lock_version=kpi.lock_version, data={field: value})
    [job] = queued(world.period)
    assert job.params["kpis"] == [kpi.pk] and job.params["full"] is False


def test_a_kpi_rule_change_queues_only_open_periods_that_score_it(world, hr_a):
    from goals.services.kpis import kpi_update

    kpi = world.kpis["stability"]  # a line of R&D's scorecard only
    other_open = PeriodFactory(year=2032, status=Period.Status.ACTIVE)
    ScorecardLineFactory(scorecard=ScorecardFactory(period=other_open), kpi=kpi)
    unused = PeriodFactory(year=2033, status=Period.Status.ACTIVE)
    ScorecardLineFactory(scorecard=ScorecardFactory(period=unused))  # scored, but not by this KPI
    closed = PeriodFactory(year=2034, status=Period.Status.ACTIVE)
    ScorecardLineFactory(scorecard=ScorecardFactory(period=closed), kpi=kpi)
    Period.objects.filter(pk=closed.pk).update(status=Period.Status.CLOSED)
    kpi_update(actor=hr_a, kpi=kpi, lock_version=kpi.lock_version, data={"cap": "1.5"})
    keys = set(Job.objects.values_list("key", flat=True))
    assert keys == {f"period:{world.period.pk}", f"period:{other_open.pk}"}


def test_an_evaluation_kpi_rule_change_reaches_the_unit_it_judges(world, extra, hr_a):
    from goals.services.kpis import kpi_update

    scores_recompute(period=world.period)
    versions = written(world.period)
    kpi = world.kpis["major_incidents"]  # no line anywhere: R&D's evaluation KPI in 大客户续约率's matrix
    flipped = "higher_better" if kpi.direction != "higher_better" else "lower_better"
    kpi_update(actor=hr_a, kpi=kpi, lock_version=kpi.lock_version, data={"direction": flipped})
    [job] = queued(world.period)
    assert job.params["kpis"] == [kpi.pk]
    pipeline.scores_recompute_run(job_id=job.pk, period_id=world.period.pk)
    changed = {s for s, v in written(world.period).items() if v != versions[s]}
    assert changed == {f"unit:{world.units['rnd'].pk}"}


# --------------------------------------------------------------------------------------------- closed


def test_a_job_for_a_period_closed_since_it_was_queued_is_skipped(world, hr_a):
    scores_recompute(period=world.period)
    before = content(world.period)
    set_actual(world, "stability", "50", hr_a)
    [job] = queued(world.period)
    # Closed without the service (the admin, a data fix): nothing ran the pending recompute first.
    Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
    result = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert result == {"job": job.pk, "status": "skipped"}
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.SKIPPED, 100)
    assert job.result == {"skipped": "closed"}
    assert "was closed before this recompute ran" in job.message and world.period.label in job.message
    assert content(world.period) == before  # read-only: nothing rewritten


def test_a_period_closing_while_the_job_waits_for_its_lock_is_skipped_too(world, monkeypatch):
    real = scores_recompute

    def closed_meanwhile(**kwargs):  # the close commits between the claim and the recompute's lock
        Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
        return real(**kwargs)

    monkeypatch.setattr("interlock.services.scores.scores_recompute", closed_meanwhile)
    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    result = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert result["status"] == "skipped"
    job.refresh_from_db()
    assert job.status == Job.Status.SKIPPED and "closed" in job.message
    assert not ScoreSnapshot.objects.filter(period=world.period).exists()


def test_the_nightly_run_leaves_closed_periods_alone(world, hr_a):
    from interlock.tasks import recompute_tenant_nightly

    scores_recompute(period=world.period)
    Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
    assert recompute_tenant_nightly.apply(args=[world.period.tenant_id]).get() == 0
    assert not Job.objects.exists()


def _close(period, actor):
    from collab.services.org.periods import period_advance

    period = Period.objects.get(pk=period.pk)
    while period.status != Period.Status.CLOSED:
        period = period_advance(actor=actor, period=period)
    return period


def test_closing_a_period_first_runs_its_pending_recompute(world, extra, hr_a):
    scores_recompute(period=world.period)
    versions = written(world.period)
    set_actual(world, "stability", "50", hr_a)  # queued (tests never commit, so its message is not sent)
    [job] = queued(world.period)
    _close(world.period, hr_a)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["on_close"] is True
    assert job.message == f"Ran as the period {world.period.label} closed: 1 score(s) written."
    changed = {s for s, v in written(world.period).items() if v != versions[s]}
    assert changed == {f"unit:{world.units['rnd'].pk}"}  # the frozen scores have the last input in them
    frozen = content(world.period)
    # The message arrives after the close: the job is done already, nothing is rewritten.
    result = recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    assert result == {"job": job.pk, "status": "skipped"} and content(world.period) == frozen
    job.refresh_from_db()
    assert job.message.startswith("Ran as the period")


def test_a_job_claimed_but_not_yet_run_when_the_period_closes_is_run_by_the_close(world, hr_a, monkeypatch):
    scores_recompute(period=world.period)
    set_actual(world, "stability", "50", hr_a)
    [job] = queued(world.period)
    claimed = job_claim(job.pk, kind=pipeline.KIND)  # a worker took it, then the close came
    assert claimed.status == Job.Status.RUNNING
    _close(world.period, hr_a)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["on_close"] is True
    frozen = content(world.period)
    # The worker goes on: its recompute is refused (closed) and the job keeps what the close wrote.
    assert pipeline.scores_recompute_run(job_id=job.pk, period_id=world.period.pk)["status"] == "skipped"
    job.refresh_from_db()
    assert job.message.startswith("Ran as the period") and content(world.period) == frozen


def test_closing_without_a_pending_recompute_rewrites_nothing(world, hr_a):
    scores_recompute(period=world.period)
    before, versions = content(world.period), written(world.period)
    _close(world.period, hr_a)
    assert content(world.period) == before and written(world.period) == versions
    assert not Job.objects.exists()


def test_a_skipped_job_reads_as_skipped_on_its_page(world, hr_a, login):
    from django.urls import reverse

    job = pipeline.scores_recompute_request(period=world.period, reason="manual")
    Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
    recompute_period_scores.apply(args=[world.period.tenant_id, world.period.pk, job.pk]).get()
    url = reverse("job-detail", kwargs={"tenant_slug": world.period.tenant.slug, "pk": job.pk})
    page = login(hr_a).get(url)
    body = page.content.decode()
    assert 'data-status="skipped"' in body and "bg-secondary" in body and 'hx-trigger="every 1s"' not in body
