"""A real Celery worker (a `celery -A collab worker` subprocess) against Redis and the test database.

The worker gets pytest-django's test database through DATABASE_NAME (read by the settings) and a
queue of its own, so parallel runs never take each other's messages. Data is committed
(transaction=True) because the worker reads it over its own connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from collab.celery import app as celery_app
from collab.tasks import TenantTaskRefused, ping_tenant
from collab.tenancy import tenant_cache_key, tenant_scope
from tests.factories import make_member

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
READY_TIMEOUT = 90
ANSWER_TIMEOUT = 60


def _unavailable(reason: str) -> None:
    if "worker" in os.environ.get("COLLAB_REQUIRE", "").split(","):
        pytest.fail(f"COLLAB_REQUIRE lists worker but {reason}")
    pytest.skip(reason)


@dataclass
class Worker:
    queue: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log_text()}")
            time.sleep(0.2)
        pytest.fail(f"{text!r} did not appear in the worker's log within {timeout} s:\n{self.log_text()}")


def worker_available() -> None:
    """Skip (or fail, under COLLAB_REQUIRE=worker) unless a broker and a shareable database are configured."""
    if not os.environ.get("REDIS_URL"):
        _unavailable("needs a Redis broker: set REDIS_URL=redis://127.0.0.1:6379/15 to start a real worker")
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and (":memory:" in str(name) or "mode=memory" in str(name)):
        _unavailable("an in-memory SQLite test database cannot be shared with a worker: set DATABASE_URL")


def start_worker(
    log: Path, queue: str, *, pool: str = "solo", env: dict[str, str] | None = None, wait: bool = True
) -> Worker:
    """Start `celery worker` on `queue` against the test database; `stop_worker` ends it."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "collab.settings.test",
        "DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "collab", "worker",
        "--queues", queue, "--hostname", f"{log.stem}-{queue}@localhost",
        "--pool", pool, "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    running = Worker(queue=queue, log=log, process=process)
    if wait:
        try:
            running.wait_for_log("ready.", READY_TIMEOUT)
        except BaseException:
            stop_worker(running)
            raise
    return running


def stop_worker(running: Worker) -> None:
    process = running.process
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def worker(transactional_db, tmp_path):
    worker_available()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    running = None
    try:
        running = start_worker(tmp_path / "worker.log", queue)
        yield running
    finally:
        celery_app.conf.task_always_eager = eager
        if running is not None:
            stop_worker(running)


def _wait_for_cache(key: str, timeout: float = ANSWER_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None:
            return value
        time.sleep(0.2)
    return None


def test_a_real_worker_runs_a_tenant_task_in_that_tenant_only(worker, tenant_a, tenant_b):
    make_member(tenant_a, "hr_admin", username="a-admin")
    make_member(tenant_a, "employee", username="a-employee")
    make_member(tenant_b, "employee", username="b-employee")
    nonce = uuid.uuid4().hex
    with tenant_scope(tenant_b):
        # The caller's scope is B; the task must run in A all the same, because it says so.
        ping_tenant.apply_async(args=[tenant_a.pk, nonce], queue=worker.queue)
    with tenant_scope(tenant_a):
        key = tenant_cache_key("ping", nonce)
    seen = _wait_for_cache(key)
    assert seen is not None, f"the worker never answered:\n{worker.log_text()}"
    assert seen == {
        "tenant_id": tenant_a.pk,
        "slug": "alpha",
        "members": 2,
        "database": str(connection.settings_dict["NAME"]),
    }
    worker.wait_for_log("succeeded", 10)


def test_a_real_worker_refuses_a_message_without_a_tenant_id(worker, tenant_a):
    # Enqueueing through the task refuses before anything reaches the broker…
    with pytest.raises(TenantTaskRefused):
        ping_tenant.apply_async(kwargs={"nonce": "x"}, queue=worker.queue)
    # …and a message sent by name, past that check, is refused by the worker.
    result = celery_app.send_task("collab.ping_tenant", kwargs={"nonce": "x"}, queue=worker.queue)
    worker.wait_for_log(result.id, ANSWER_TIMEOUT)
    worker.wait_for_log("TenantTaskRefused", 10)
    failure = [line for line in worker.log_text().splitlines() if result.id in line]
    assert any("TenantTaskRefused" in line or "raised" in line for line in failure), worker.log_text()
    # The worker stays up and serves the next, valid task.
    nonce = uuid.uuid4().hex
    ping_tenant.apply_async(args=[tenant_a.pk, nonce], queue=worker.queue)
    with tenant_scope(tenant_a):
        assert _wait_for_cache(tenant_cache_key("ping", nonce)) is not None, worker.log_text()


def test_ping_worker_command_gets_an_answer(worker, tenant_a, capsys):
    call_command("ping_worker", "alpha", "--queue", worker.queue, "--timeout", str(ANSWER_TIMEOUT))
    assert "worker answered for alpha" in capsys.readouterr().out
