"""Where ORM queries go: the application's connection, or the platform's inside `all_tenants()`.

On PostgreSQL the application connects as `DATABASE_APP_ROLE`, held by row-level security to the tenant
in `app.tenant_id`. The few reads that span tenants (`collab.tenancy.all_tenants`) go through a second
connection, alias `platform`, that runs as `DATABASE_PLATFORM_ROLE`, whose own policy admits every row.
The application role is not a member of that role, so nothing sent on the application's connection (an
injected `set_config`, `SET ROLE`) can lift the wall; the choice of connection is made here, in Python.

Outside `all_tenants()` every query goes to `default`, whatever connection loaded the instance it
started from, so a row read for the tenant picker and saved later is saved under the app role. On SQLite
and other back ends there is one wall (the managers) and one connection: everything goes to `default`.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

PLATFORM_DB_ALIAS = "platform"


def platform_alias() -> str:
    """The alias all-tenant queries use: `platform` on PostgreSQL, `default` elsewhere."""
    if PLATFORM_DB_ALIAS in connections and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return PLATFORM_DB_ALIAS
    return DEFAULT_DB_ALIAS


class PlatformRouter:
    def _alias(self) -> str:
        from collab.tenancy import all_tenants_open

        return platform_alias() if all_tenants_open() else DEFAULT_DB_ALIAS

    def db_for_read(self, model, **hints) -> str:
        return self._alias()

    def db_for_write(self, model, **hints) -> str:
        return self._alias()

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases are the same database: a row read through one may be related to a row of the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The platform alias only reads and writes rows; the owner migrates through `default`.
        return db == DEFAULT_DB_ALIAS
