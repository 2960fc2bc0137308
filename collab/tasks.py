"""Celery tasks of the platform and the decorator every tenant task goes through."""

from __future__ import annotations

import functools

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from collab.models import Tenant
from collab.tenancy import _current_tenant, tenant_scope

try:  # redis-py is installed with celery[redis]; the broker's connection errors are transient too
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover
    RedisConnectionError = RedisTimeoutError = OSError  # type: ignore[misc,assignment]

# Errors a long task retries with backoff (the database or the broker unreachable); anything else fails it.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)
MAX_RETRIES = 5


class TenantTaskRefused(ValueError):
    """A tenant task was enqueued or run without a tenant id."""


def _require_tenant_id(args, kwargs) -> int:
    tenant_id = kwargs.get("tenant_id", args[0] if args else None)
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id <= 0:
        raise TenantTaskRefused("A tenant task needs tenant_id (a positive integer) as its first argument.")
    return tenant_id


class TenantTask(Task):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        _require_tenant_id(args or (), kwargs or {})
        return super().apply_async(args=args, kwargs=kwargs, **options)


def tenant_task(**task_options):
    """Register `fn(tenant_id, ...)` as a Celery task that runs inside that tenant's scope.

    The tenant never comes from the caller's context: the task reads it from its first argument,
    opens the scope (and the PostgreSQL setting) and closes both in `finally`.
    """

    def decorator(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            tenant_id = _require_tenant_id(args, kwargs)
            token = _current_tenant.set(None)
            try:
                tenant = Tenant.objects.get(pk=tenant_id)
                with tenant_scope(tenant):
                    return fn(*args, **kwargs)
            finally:
                _current_tenant.reset(token)

        return shared_task(base=TenantTask, **task_options)(run)

    return decorator


@tenant_task(name="collab.deliver_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(tenant_id: int, recipient_id: int, subject: str, message: str) -> None:
    """Send one notification e-mail, rendered by `notify()` in the recipient's language."""
    from collab.services.notifications import email_send

    email_send(recipient_id=recipient_id, subject=subject, message=message)


@tenant_task(name="collab.ping_tenant")
def ping_tenant(tenant_id: int, nonce: str) -> dict:
    """Health check of the whole task path: broker, worker, database and tenant scope.

    Records in the cache, under the tenant's own key, what the worker saw: the tenant it was scoped
    to, how many memberships the fail-closed manager showed it, and which database it used.
    `manage.py ping_worker` sends it and waits for the answer.
    """
    from django.core.cache import cache
    from django.db import connection

    from collab.models import Membership
    from collab.tenancy import current_tenant, tenant_cache_key

    tenant = current_tenant()
    seen = {
        "tenant_id": tenant.pk,
        "slug": tenant.slug,
        "members": Membership.objects.count(),
        "database": str(connection.settings_dict["NAME"]),
    }
    cache.set(tenant_cache_key("ping", nonce), seen, timeout=600)
    return seen


@shared_task(name="collab.requeue_stale_jobs")
def requeue_stale_jobs(stale_seconds: float | None = None) -> int:
    """The beat entry (platform-wide, every minute; `manage.py setup_schedules`): list the (tenant, job) pairs
    whose heartbeat stopped through the loud `all_tenants` hatch — ids only — and send one
    `requeue_tenant_jobs` per tenant, which checks and requeues them inside that tenant's scope."""
    from collab.jobs import stale_job_ids

    per_tenant: dict[int, list[int]] = {}
    for tenant_id, job_id in stale_job_ids(stale_seconds=stale_seconds):
        per_tenant.setdefault(tenant_id, []).append(job_id)
    for tenant_id, job_ids in per_tenant.items():
        requeue_tenant_jobs.apply_async(args=[tenant_id, job_ids], kwargs={"stale_seconds": stale_seconds})
    return sum(len(ids) for ids in per_tenant.values())


@tenant_task(name="collab.requeue_tenant_jobs", acks_late=True, reject_on_worker_lost=True)
def requeue_tenant_jobs(tenant_id: int, job_ids: list[int], stale_seconds: float | None = None) -> list[int]:
    """Requeue those of one tenant's jobs that are still stale (idempotent: a second delivery finds them
    requeued, with a fresh heartbeat, and leaves them alone)."""
    from collab.jobs import jobs_requeue_stale

    return jobs_requeue_stale(job_ids=[int(pk) for pk in job_ids], stale_seconds=stale_seconds)
