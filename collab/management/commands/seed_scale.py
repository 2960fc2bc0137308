"""manage.py seed_scale --employees M [--units N] [--slug S]: a full tenant of a given size (benchmarks)."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from collab.demo.plans import DEMO_PASSWORD
from collab.demo.scale import ScaleSizes, scale_build
from collab.models import Tenant


class Command(BaseCommand):
    help = (
        "Generate a full tenant of a given size quickly (batched bulk inserts) for benchmarks: org units, "
        "positions, employees, KPIs, the goal tree, responsibility matrices, scorecards, measurements and "
        "scores. Defaults follow issue 9's group: --employees 100000 → 10,000 units, 10,000 KPIs, 2,000 "
        "matrices, 20,000 goals, 20,000 scorecards, 200,000 lines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, required=True, help="Number of employees (0 or more).")
        parser.add_argument(
            "--units", type=int, default=None, help="Number of org units (default: a tenth of --employees)."
        )
        parser.add_argument("--slug", default="scale", help="Slug of the new tenant (default: scale).")
        parser.add_argument("--name", default="", help="Display name (default: derived from the size).")
        parser.add_argument("--goals-per-unit", type=int, default=2, help="Goals a unit (default 2).")
        parser.add_argument("--lines-per-card", type=int, default=10, help="Lines a scorecard (default 10).")
        parser.add_argument(
            "--org-only", action="store_true", help="Units, positions, employees and logins only."
        )

    def handle(self, *args, **options):
        employees, slug = options["employees"], options["slug"]
        units = options["units"] if options["units"] is not None else max(1, employees // 10)
        if units < 1:
            raise CommandError("--units must be at least 1.")
        if employees < 0:
            raise CommandError("--employees must not be negative.")
        if units > 1_000_000 or employees > 10_000_000:
            raise CommandError(
                "That is more than seed_scale is meant for (1,000,000 units, 10,000,000 employees)."
            )
        if not 1 <= options["goals_per_unit"] <= 10 or not 1 <= options["lines_per_card"] <= 50:
            raise CommandError("--goals-per-unit must be 1 to 10 and --lines-per-card 1 to 50.")
        probe = Tenant(slug=slug, name=slug)
        try:
            probe.full_clean()
        except Exception as problem:  # noqa: BLE001 - any validation problem is reported the same way
            messages = getattr(problem, "messages", [str(problem)])
            raise CommandError(f"Cannot use the slug {slug!r}: {' '.join(messages)}") from problem
        for username in (f"{slug}-hr", f"{slug}-manager"):
            if get_user_model().objects.filter(username=username).exists():
                raise CommandError(f"The user {username!r} already exists; choose another --slug.")
        name = options["name"] or f"规模测试 {units} 单位 / {employees} 员工"
        sizes = ScaleSizes(
            goals_per_unit=options["goals_per_unit"],
            lines_per_card=options["lines_per_card"],
            org_only=options["org_only"],
        )
        started = time.perf_counter()
        result = scale_build(slug=slug, name=name, units=units, employees=employees, sizes=sizes)
        elapsed = time.perf_counter() - started
        built = "".join(f", {count} {what.replace('_', ' ')}" for what, count in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {result.tenant.slug!r}: {result.units} units, {result.positions} positions, "
                f"{result.employees} employees{built} in {elapsed:.1f}s."
            )
        )
        self.stdout.write("Steps: " + ", ".join(f"{step} {seconds:.1f}s" for step, seconds in result.timings))
        self.stdout.write(f"HR admin login: {result.username} / {DEMO_PASSWORD}")
        self.stdout.write(f"Manager login: {result.manager_username} / {DEMO_PASSWORD}")
