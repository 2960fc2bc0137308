"""manage.py create_tenant SLUG --name N --admin-username U --admin-password P [--admin-email E] [--locale L]

Creates a tenant and its first HR admin in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from collab.services.tenants import tenant_create


class Command(BaseCommand):
    help = "Create a tenant (company) and its first HR admin in one transaction. Nothing is half-created."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="URL name of the tenant: lower-case letters, digits and hyphens.")
        parser.add_argument("--name", required=True, help="Display name of the company.")
        parser.add_argument(
            "--admin-username", required=True, help="User name of the first HR admin (new user)."
        )
        parser.add_argument(
            "--admin-password", required=True, help="Password of that user (Django's validators)."
        )
        parser.add_argument("--admin-email", default="", help="E-mail of that user.")
        parser.add_argument(
            "--locale",
            default="zh-hans",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Default language of the tenant (default zh-hans).",
        )

    def handle(self, *args, **options):
        try:
            created = tenant_create(
                slug=options["slug"],
                name=options["name"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
                admin_email=options["admin_email"],
                locale=options["locale"],
            )
        except ValidationError as problem:
            lines = []
            for field, messages in problem.message_dict.items():
                label = field.replace("admin_", "admin ").replace("_", " ")
                lines.extend(f"  {label}: {message}" for message in messages)
            raise CommandError("Nothing was created:\n" + "\n".join(lines)) from problem
        tenant = created.tenant
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {tenant.slug!r} ({tenant.name}) "
                f"with HR admin {created.admin.get_username()!r}."
            )
        )
        self.stdout.write(f"Sign in at /accounts/login/; the tenant's pages are under /t/{tenant.slug}/.")
