"""manage.py ping_worker SLUG [--timeout SECONDS] [--queue NAME]

Sends `collab.ping_tenant` for one tenant through the real broker and waits until a worker has
run it inside that tenant's scope. Exit status 0 when it answered; a deployment's health check.
"""

from __future__ import annotations

import secrets
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from collab.celery import app as celery_app
from collab.models import Tenant
from collab.tasks import ping_tenant
from collab.tenancy import tenant_cache_key, tenant_scope


class Command(BaseCommand):
    help = "Check that a Celery worker runs tenant tasks: send ping_tenant and wait for its answer."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The tenant to ping as.")
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait (default 30).")
        parser.add_argument("--queue", default=None, help="Queue to send to (default: the configured one).")

    def handle(self, *args, slug: str, timeout: float, queue: str | None, **options):
        if celery_app.conf.task_always_eager:
            raise CommandError("Tasks run in-process here (no REDIS_URL): there is no worker to ping.")
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        nonce = secrets.token_hex(8)
        with tenant_scope(tenant):
            key = tenant_cache_key("ping", nonce)
        routing = {"queue": queue} if queue else {}
        ping_tenant.apply_async(args=[tenant.pk, nonce], **routing)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = cache.get(key)
            if seen is not None:
                self.stdout.write(f"worker answered for {seen['slug']} ({seen['members']} members)")
                return
            time.sleep(0.2)
        raise CommandError(f"No worker answered within {timeout:g} s.")
