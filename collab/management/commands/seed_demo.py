"""manage.py seed_demo [--if-empty]: the two demo tenants (a mining group and a technology company)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from collab.demo.plans import CONSULTANT_USERNAME, DEMO_PASSWORD
from collab.demo.running import DemoConflict, demo_build, demo_logins, demo_tenants_present


class Command(BaseCommand):
    help = (
        "Create the demo tenants 'mining' (a mining group, zh-hans) and 'tech' (a technology company, en), "
        "each with an org tree, employees, periods and one login per role, then print the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but still print the logins) when the demo tenants already exist.",
        )

    def handle(self, *args, **options):
        present = demo_tenants_present()
        if all(present.values()):
            if not options["if_empty"]:
                raise CommandError(
                    "The demo tenants already exist ("
                    + ", ".join(sorted(present))
                    + "); nothing was changed. "
                    "Run with --if-empty to just print the logins."
                )
            self.stdout.write("The demo tenants already exist; nothing was changed.")
        else:
            started = time.perf_counter()
            try:
                built = demo_build()
            except DemoConflict as conflict:
                raise CommandError(f"{conflict}. Nothing was created.") from conflict
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created demo tenant(s) {', '.join(built)} in {time.perf_counter() - started:.1f}s."
                )
            )
        self._print_logins()

    def _print_logins(self) -> None:
        rows = demo_logins()
        self.stdout.write("")
        self.stdout.write(f"{'Tenant':<8} {'Roles':<12} {'Login':<18} Employee")
        for row in rows:
            employee = f"{row.employee} ({row.unit})" if row.employee else "-"
            self.stdout.write(
                f"{row.tenant_slug:<8} {', '.join(row.roles):<12} {row.username:<18} {employee}"
            )
        tenants = sorted({row.tenant_slug for row in rows if row.username == CONSULTANT_USERNAME})
        if len(tenants) > 1:
            self.stdout.write(
                f"'{CONSULTANT_USERNAME}' belongs to {' and '.join(tenants)}: "
                "after login it picks a tenant."
            )
        self.stdout.write("")
        self.stdout.write(self.style.WARNING(f"Password for every demo login: {DEMO_PASSWORD}"))
        self.stdout.write("Sign in at /accounts/login/ (e.g. http://127.0.0.1:8000/accounts/login/).")
