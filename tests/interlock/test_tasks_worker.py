"""A real Celery worker (subprocess, against Redis and the test database) runs a period's recompute that a
committed measurement write queued (harness: tests/collab/test_celery_worker.py)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from collab.celery import app as celery_app
from collab.models import Job
from collab.tenancy import tenant_scope
from goals.models import Measurement
from goals.services.measurements.writes import measurement_upsert
from interlock.models import ScoreSnapshot
from interlock.recompute import scores_recompute_request
from tests.collab.test_celery_worker import worker  # noqa: F401  (the fixture)
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_done(job_pk: int, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_pk)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.3)
    return Job.objects.get(pk=job_pk)


def test_a_real_worker_recomputes_what_a_committed_write_queued(worker, tenant_a, tenant_b):  # noqa: F811
    hr = make_member(tenant_a, "hr_admin", username="w-hr")
    queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = worker.queue
    try:
        with tenant_scope(tenant_b):
            other = build_seed_tables()
            other_jobs = Job.objects.count()
        with tenant_scope(tenant_a):
            world = build_seed_tables(actor=hr)  # each publish queues a recompute, sent on commit
            for job in Job.objects.all():
                done = _wait_done(job.pk)
                assert done.status == Job.Status.DONE, (done.message, worker.log_text())
            seen = set(Job.objects.values_list("pk", flat=True))
            assert ScoreSnapshot.objects.filter(period=world.period).count() == 3
            versions = dict(ScoreSnapshot.objects.values_list("subject", "version"))
            stability = world.kpis["stability"]
            seen_version = Measurement.objects.get(kpi=stability, period=world.period).lock_version
            measurement_upsert(
                actor=hr, kpi=stability, period=world.period, actual=Decimal("50"), lock_version=seen_version
            )
            second = Job.objects.exclude(pk__in=seen).get()
            done = _wait_done(second.pk)
            assert done.status == Job.Status.DONE and done.progress == 100, worker.log_text()
            assert done.result["partial"] is True and done.result["snapshots"] == 1
            after = dict(ScoreSnapshot.objects.values_list("subject", "version"))
            rnd = f"unit:{world.units['rnd'].pk}"
            assert {s for s in after if after[s] != versions[s]} == {rnd}
            manual = scores_recompute_request(period=world.period, reason="manual", force=True)
            assert _wait_done(manual.pk).status == Job.Status.DONE
        with tenant_scope(tenant_b):
            assert Job.objects.count() == other_jobs  # nothing of A's work landed in B
            assert other.period.pk != world.period.pk
    finally:
        celery_app.conf.task_default_queue = queue
    worker.wait_for_log("interlock.recompute_period_scores", 10)
