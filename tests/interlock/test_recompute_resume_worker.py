"""A dead worker's recompute is resumed (issue 8 item 1), with real Celery workers against Redis and the test
database (harness: tests/collab/test_celery_worker.py).

The first worker (prefork, like production) is caught mid-run — it has claimed the job, computed the scores
(progress 70) and is writing them, held there by a row lock this test takes on one old snapshot — and its
MAIN process is killed with SIGKILL: nothing is acked or rejected, its pool child dies with it, the job stays
`running` and the message sits unacked in Redis for the visibility timeout. A new worker starts; the beat
task requeues the job whose heartbeat stopped; the job ends `done`, says it was resumed, and its snapshots
equal a from-scratch recompute.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from collab.celery import app as celery_app
from collab.jobs import FINISHED, job_progress
from collab.models import Job
from collab.tasks import requeue_stale_jobs
from collab.tenancy import tenant_scope
from goals.models import Measurement
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.collab.test_celery_worker import _unavailable, start_worker, stop_worker, worker_available
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEARTBEAT = "0.5"  # the workers' heartbeat period in this test (production: 10 s)
STALE_SECONDS = 2.0


def _fingerprint(period) -> list[tuple]:
    """What a snapshot says (not its id, version or time)."""
    return sorted(
        ScoreSnapshot.objects.filter(period=period).values_list(
            "subject", "scorecard_id", "total", "kpi_part", "review_part", "review_weight", "points",
            "flags", "incomplete",
        )
    )  # fmt: skip


def _wait(predicate, timeout: float, what: str, log: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout} s\n{log}")


class RowLock:
    """Holds `SELECT … FOR UPDATE` on one snapshot from its own connection until released."""

    def __init__(self, tenant, pk: int):
        self.tenant, self.pk = tenant, pk
        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with tenant_scope(self.tenant), transaction.atomic():
                assert ScoreSnapshot.objects.select_for_update().filter(pk=self.pk).exists()
                self.held.set()
                self.release.wait(60)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(20), "the test could not lock the snapshot"
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(20)


def test_killing_the_main_worker_mid_recompute_resumes_the_job_on_a_new_worker(
    tenant_a, tenant_b, tmp_path, api_client_for
):
    worker_available()
    if connection.vendor != "postgresql":
        _unavailable("holds the recompute mid-run with a row lock: needs PostgreSQL (DATABASE_URL)")
    hr = make_member(tenant_a, "hr_admin", username="resume-hr")
    with tenant_scope(tenant_b):
        other = build_seed_tables()
        other_before = _fingerprint(other.period), Job.objects.count()
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr)  # (eager) publishing computes the first snapshots
        Job.objects.all().delete()
        stability = world.kpis["stability"]  # an input changed since: the resumed run has work to do
        Measurement.objects.filter(kpi=stability, period=world.period).update(actual=Decimal("50"))
        # The snapshot that change rewrites (R&D's; the others are unchanged and not written): its row lock
        # holds the run mid-write.
        victim = ScoreSnapshot.objects.get(period=world.period, subject=f"unit:{world.units['rnd'].pk}")

    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {"COLLAB_JOB_HEARTBEAT_SECONDS": HEARTBEAT}
    eager, default_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = False, queue
    first = second = None
    try:
        first = start_worker(tmp_path / "first.log", queue, pool="prefork", env=env)
        with RowLock(tenant_a, victim.pk):
            url = reverse("api-score-recompute", kwargs={"tenant_slug": "alpha"})
            response = api_client_for(hr).post(url, {"period": world.period.pk}, format="json")
            assert response.status_code == 202, response.content
            job_id = response.json()["job"]
            with tenant_scope(tenant_a):
                # Mid-run: claimed, computed (the stage report says 70), blocked writing the snapshots.
                _wait(lambda: job_progress(Job.objects.get(pk=job_id)) >= 70, 60, "the run", first.log_text())
                time.sleep(0.5)
                running = Job.objects.get(pk=job_id)
                assert running.status == Job.Status.RUNNING and running.attempts == 1
                os.kill(first.process.pid, signal.SIGKILL)  # the MAIN process
                first.process.wait(timeout=10)
                # Its pool child died with it: the heartbeat stops.
                time.sleep(3 * float(HEARTBEAT) + 0.5)
                stopped = Job.objects.get(pk=job_id).heartbeat
                time.sleep(3 * float(HEARTBEAT))
                assert Job.objects.get(pk=job_id).heartbeat == stopped, first.log_text()
        # The lock is gone; the dead worker's transaction rolled back: the job is stuck as the issue says.
        with tenant_scope(tenant_a):
            stuck = Job.objects.get(pk=job_id)
            assert stuck.status == Job.Status.RUNNING and stuck.resumed_at is None
            assert ScoreSnapshot.objects.get(pk=victim.pk).version == victim.version  # nothing committed

        second = start_worker(tmp_path / "second.log", queue, env=env)
        with tenant_scope(tenant_a):
            stale_at = stuck.heartbeat + timedelta(seconds=STALE_SECONDS + 0.2)
            _wait(lambda: timezone.now() > stale_at, 10, "the heartbeat going stale")
        # What beat runs every minute (here with a short threshold): list, then requeue per tenant.
        assert requeue_stale_jobs(stale_seconds=STALE_SECONDS) == 1
        with tenant_scope(tenant_a):
            done = _wait(
                lambda: (job := Job.objects.get(pk=job_id)).status in FINISHED and job,
                60,
                "the resumed job finishing",
                second.log_text(),
            )
            assert done.status == Job.Status.DONE, (done.message, done.error, second.log_text())
            assert done.attempts == 2 and done.resumed_at is not None and done.progress == 100
            assert done.result["snapshots"] == 3 and done.lease == ""
            body = api_client_for(hr).get(response.json()["url"]).json()
            assert body["status"] == "done" and body["attempts"] == 2 and body["resumed_at"]

            resumed = _fingerprint(world.period)
            with transaction.atomic():  # from scratch: no old snapshot to build on
                ScoreSnapshot.objects.filter(period=world.period).delete()
                scores_recompute(period=world.period)
            assert resumed == _fingerprint(world.period)
            assert {row[0] for row in resumed} and len(resumed) == 3
        with tenant_scope(tenant_b):
            assert (_fingerprint(other.period), Job.objects.count()) == other_before
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = eager, default_queue
        for running_worker in (first, second):
            if running_worker is not None:
                stop_worker(running_worker)
