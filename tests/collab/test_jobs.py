"""Jobs beat while they run; the claim lets one attempt at a time run a job; the stale-job sweep finds jobs
whose worker stopped (across tenants, by id only) and requeues each once, in its own tenant's scope."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from collab import jobs
from collab.celery import app as celery_app
from collab.jobs import (
    job_claim,
    job_finish,
    job_heartbeat,
    job_progress_reporter,
    job_release,
    jobs_requeue_stale,
    stale_job_ids,
)
from collab.models import Job
from collab.tasks import requeue_stale_jobs
from collab.tenancy import current_tenant, tenant_scope

KIND = Job.Kind.SCORE_RECOMPUTE


@pytest.fixture
def resumed(monkeypatch):
    """Record the resumes the sweep sends instead of sending messages: (scoped tenant id, job id)."""
    sent: list[tuple[int, int]] = []
    monkeypatch.setitem(jobs._resumers, KIND, lambda job: sent.append((current_tenant().pk, job.pk)))
    return sent


def _job(status=Job.Status.RUNNING, *, beat_ago=None, lease="a" * 32, key="period:1", created_ago=None):
    now = timezone.now()
    job = Job.objects.create(kind=KIND, key=key, status=status, lease=lease if status == "running" else "")
    fields = {}
    if beat_ago is not None:
        fields["heartbeat"] = now - timedelta(seconds=beat_ago)
        fields["started_at"] = now - timedelta(seconds=beat_ago + 5)
    if created_ago is not None:
        fields["created_at"] = now - timedelta(seconds=created_ago)
    if fields:
        Job.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


# --------------------------------------------------------------------------------------------- the claim


def test_a_claim_takes_a_queued_job_and_refuses_a_second_live_attempt(scope_a, settings):
    settings.COLLAB_JOB_STALE_SECONDS = 60
    job = _job(Job.Status.QUEUED)
    claimed = job_claim(job.pk, kind=KIND)
    assert claimed is not None and claimed.status == Job.Status.RUNNING and claimed.attempts == 1
    assert claimed.lease and claimed.heartbeat and claimed.resumed_at is None and claimed.progress == 5
    # A duplicate delivery while the first attempt beats: nothing to do, and the first keeps its lease.
    assert job_claim(job.pk, kind=KIND) is None
    job.refresh_from_db()
    assert job.lease == claimed.lease and job.attempts == 1


def test_a_claim_takes_over_a_job_whose_heartbeat_stopped_and_says_it_resumed(scope_a, settings):
    settings.COLLAB_JOB_STALE_SECONDS = 60
    job = _job(beat_ago=120)
    Job.objects.filter(pk=job.pk).update(attempts=1)
    taken = job_claim(job.pk, kind=KIND)
    assert taken is not None and taken.attempts == 2 and taken.resumed_at is not None
    assert taken.lease != "a" * 32 and taken.heartbeat > timezone.now() - timedelta(seconds=5)


def test_a_released_job_is_claimed_at_once_without_saying_it_resumed(scope_a):
    job = job_claim(_job(Job.Status.QUEUED).pk, kind=KIND)
    job_release(job)  # a transient error: the task will retry
    again = job_claim(job.pk, kind=KIND)
    assert again is not None and again.attempts == 2 and again.resumed_at is None


@pytest.mark.parametrize("status", [Job.Status.DONE, Job.Status.FAILED, Job.Status.SKIPPED])
def test_a_finished_job_is_never_claimed_again(scope_a, status):
    job = _job(status, beat_ago=3600)
    assert job_claim(job.pk, kind=KIND) is None


def test_finishing_keeps_result_and_error_in_their_columns(scope_a):
    job = job_claim(_job(Job.Status.QUEUED).pk, kind=KIND)
    job_finish(job, status=Job.Status.FAILED, message="It failed.", error="OperationalError('gone')")
    job.refresh_from_db()
    assert job.error == "OperationalError('gone')" and job.lease == "" and job.result is None
    other = job_claim(_job(Job.Status.QUEUED, key="period:2").pk, kind=KIND)
    job_finish(other, status=Job.Status.DONE, message="ok", result={"snapshots": 3})
    other.refresh_from_db()
    assert other.result == {"snapshots": 3} and other.error == "" and other.progress == 100
    assert "result" not in other.params


# --------------------------------------------------------------------------------------------- heartbeat


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_refreshes_the_running_attempt_only(tenant_a):
    with tenant_scope(tenant_a):
        job = job_claim(_job(Job.Status.QUEUED).pk, kind=KIND)
        first = job.heartbeat
        with job_heartbeat(job, interval=0.05) as heartbeat:
            report = job_progress_reporter(job.pk, heartbeat)
            report(40)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and Job.objects.get(pk=job.pk).heartbeat == first:
                time.sleep(0.05)
        beat = Job.objects.get(pk=job.pk).heartbeat
        assert beat > first
        # Another attempt took the job over: the old one's thread no longer touches it.
        Job.objects.filter(pk=job.pk).update(lease="b" * 32, heartbeat=first)
        with job_heartbeat(job, interval=0.05):
            time.sleep(0.3)
        assert Job.objects.get(pk=job.pk).heartbeat == first


# --------------------------------------------------------------------------------------------- the sweep


def test_the_sweep_requeues_a_stale_job_once_and_leaves_fresh_and_finished_ones(
    tenant_a, tenant_b, settings, resumed, django_capture_on_commit_callbacks
):
    settings.COLLAB_JOB_STALE_SECONDS = 60
    settings.COLLAB_JOB_STALE_QUEUED_SECONDS = 600
    with tenant_scope(tenant_a):
        fresh = _job(beat_ago=5, key="period:1")
        stale = _job(beat_ago=300, key="period:2")
        done = _job(Job.Status.DONE, beat_ago=3600, key="period:3")
        failed = _job(Job.Status.FAILED, beat_ago=3600, key="period:4")
        waiting = _job(Job.Status.QUEUED, key="period:5", created_ago=30)  # its message is still on its way
        lost = _job(Job.Status.QUEUED, key="period:6", created_ago=3600)  # nobody claimed it for an hour
    with tenant_scope(tenant_b):
        theirs = _job(beat_ago=300, key="period:1")

    expected = sorted([(tenant_a.pk, stale.pk), (tenant_a.pk, lost.pk), (tenant_b.pk, theirs.pk)])
    assert stale_job_ids() == expected
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_jobs() == 3  # in-process (eager): one tenant task per tenant
    # Each tenant's job was resumed inside that tenant's scope.
    assert sorted(resumed) == expected
    with tenant_scope(tenant_a):
        stale.refresh_from_db()
        assert stale.status == Job.Status.RUNNING and stale.lease == "" and stale.resumed_at is not None
        assert stale.heartbeat > timezone.now() - timedelta(seconds=5)  # the stale clock restarted
        lost.refresh_from_db()
        assert lost.status == Job.Status.QUEUED and lost.resumed_at is None
        for untouched in (fresh, done, failed, waiting):
            before = untouched.heartbeat, untouched.lease, untouched.status
            untouched.refresh_from_db()
            assert (untouched.heartbeat, untouched.lease, untouched.status) == before
            assert untouched.resumed_at is None

    # A second sweep (the next minute, or a duplicate message) finds nothing to requeue.
    resumed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_jobs() == 0
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert jobs_requeue_stale(job_ids=[stale.pk, lost.pk, fresh.pk]) == []
    assert resumed == []


def test_a_tenant_task_requeues_only_its_own_tenants_jobs(tenant_a, tenant_b, resumed, settings):
    settings.COLLAB_JOB_STALE_SECONDS = 60
    with tenant_scope(tenant_b):
        theirs = _job(beat_ago=300)
    with tenant_scope(tenant_a):
        # A's task handed B's job id (a forged or mixed-up message): the fail-closed manager does not see it.
        assert jobs_requeue_stale(job_ids=[theirs.pk]) == []
    with tenant_scope(tenant_b):
        theirs.refresh_from_db()
        assert theirs.lease == "a" * 32 and theirs.resumed_at is None
    assert resumed == []


def test_the_sweep_is_scheduled_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    call_command("setup_schedules")
    sweep = PeriodicTask.objects.get(task="collab.requeue_stale_jobs")
    assert sweep.enabled and sweep.interval.every == 60 and sweep.interval.period == "seconds"
    assert PeriodicTask.objects.filter(task="collab.requeue_stale_jobs").count() == 1


def test_the_broker_gives_a_lost_message_back_after_a_deliberate_visibility_timeout():
    options = celery_app.conf.broker_transport_options
    # Longer than the longest retry countdown (the message stays unacked meanwhile), far below Kombu's 1 h.
    assert 300 < options["visibility_timeout"] <= 1800
