"""Tenant tasks in-process: the tenant comes only from the first argument, and without it nothing runs."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from collab.celery import app as celery_app
from collab.tasks import TenantTaskRefused, ping_tenant
from collab.tenancy import current_tenant_or_none, tenant_cache_key, tenant_scope
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_delivery_settings_survive_a_lost_worker():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: ping_tenant.delay(nonce="n"),
        lambda: ping_tenant.apply_async(kwargs={"nonce": "n"}),
        lambda: ping_tenant.apply_async(args=["1", "n"]),
        lambda: ping_tenant.apply_async(args=[True, "n"]),
        lambda: ping_tenant.apply_async(args=[0, "n"]),
        lambda: ping_tenant.apply_async(args=None),
    ],
    ids=["delay-without", "kwargs-without", "string-id", "bool-id", "zero-id", "no-args"],
)
def test_enqueue_without_a_tenant_id_is_refused(call):
    with pytest.raises(TenantTaskRefused):
        call()


def test_running_without_a_tenant_id_is_refused(tenant_a):
    # A message that reached a worker without passing apply_async (e.g. sent by name) is refused too.
    with pytest.raises(TenantTaskRefused):
        ping_tenant(nonce="n")
    with pytest.raises(TenantTaskRefused):
        ping_tenant.run("nope", "n")
    with tenant_scope(tenant_a), pytest.raises(TenantTaskRefused):
        # A scope open in the caller is never inherited.
        ping_tenant(None, "n")


def test_a_task_runs_in_its_tenant_only_and_resets_the_scope(tenant_a, tenant_b):
    make_member(tenant_a, "hr_admin")
    make_member(tenant_b, "employee")
    make_member(tenant_b, "manager")
    with tenant_scope(tenant_b):
        seen = ping_tenant.delay(tenant_a.pk, "n1").get()
        assert current_tenant_or_none() == tenant_b
    assert current_tenant_or_none() is None
    assert seen["slug"] == "alpha" and seen["members"] == 1
    with tenant_scope(tenant_a):
        assert cache.get(tenant_cache_key("ping", "n1")) == seen
    with tenant_scope(tenant_b):
        assert cache.get(tenant_cache_key("ping", "n1")) is None


def test_ping_worker_says_there_is_no_worker_when_tasks_run_in_process(tenant_a):
    with pytest.raises(CommandError, match="in-process"):
        call_command("ping_worker", "alpha")
