"""manage.py seed_scale --units N --employees M [--slug S]: a tenant of a given size, for benchmarks."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from collab.demo.plans import DEMO_PASSWORD
from collab.demo.scale import scale_build
from collab.models import Tenant


class Command(BaseCommand):
    help = "Generate a tenant with N org units and M employees quickly (batched bulk inserts) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help="Number of org units (at least 1).")
        parser.add_argument("--employees", type=int, required=True, help="Number of employees (0 or more).")
        parser.add_argument("--slug", default="scale", help="Slug of the new tenant (default: scale).")
        parser.add_argument("--name", default="", help="Display name (default: derived from the size).")

    def handle(self, *args, **options):
        units, employees, slug = options["units"], options["employees"], options["slug"]
        if units < 1:
            raise CommandError("--units must be at least 1.")
        if employees < 0:
            raise CommandError("--employees must not be negative.")
        if units > 1_000_000 or employees > 10_000_000:
            raise CommandError(
                "That is more than seed_scale is meant for (1,000,000 units, 10,000,000 employees)."
            )
        probe = Tenant(slug=slug, name=slug)
        try:
            probe.full_clean()
        except Exception as problem:  # noqa: BLE001 - any validation problem is reported the same way
            messages = getattr(problem, "messages", [str(problem)])
            raise CommandError(f"Cannot use the slug {slug!r}: {' '.join(messages)}") from problem
        username = f"{slug}-hr"
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"The user {username!r} already exists; choose another --slug.")
        name = options["name"] or f"规模测试 {units} 单位 / {employees} 员工"
        started = time.perf_counter()
        result = scale_build(slug=slug, name=name, units=units, employees=employees)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {result.tenant.slug!r}: {result.units} units, {result.positions} positions, "
                f"{result.employees} employees in {elapsed:.1f}s."
            )
        )
        self.stdout.write(f"HR admin login: {result.username} / {DEMO_PASSWORD}")
