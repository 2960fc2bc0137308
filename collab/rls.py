"""PostgreSQL row-level security: the database's own wall behind the fail-closed managers.

Every concrete subclass of `collab.tenancy.TenantOwned`, in every app (including apps added later),
gets `ENABLE` + `FORCE ROW LEVEL SECURITY` and one policy, `tenant_isolation`, that admits a row only
when its `tenant_id` equals the scope `collab.tenancy` mirrors into the session with `set_config`
(or when the loudly named `all_tenants()` escape hatch is open). Without a setting, no rows.

The application connects as a role that does not own the tables (`DATABASE_APP_ROLE`, default
`collab_app`): it gets DML grants only. Owners and superusers bypass RLS unless forced; FORCE makes
the policy bind the owner too, and only superusers / BYPASSRLS roles escape it, which is why the
app must never connect as one of those.

`apply_row_level_security()` is idempotent and runs after every `migrate` (see `collab.signals`);
on SQLite and other back ends it does nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DatabaseError, connections, transaction

from collab.tenancy import TenantOwned

logger = logging.getLogger(__name__)

POLICY_NAME = "tenant_isolation"
POLICY_EXPRESSION = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"
    " OR current_setting('app.all_tenants', true) = 'on')"
)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role() -> str:
    """The role the web and worker processes connect as (validated: it is interpolated into SQL)."""
    role = getattr(settings, "DATABASE_APP_ROLE", "collab_app")
    if not _ROLE_NAME.match(role):
        raise ValueError(f"DATABASE_APP_ROLE {role!r} must be a plain lower-case identifier.")
    return role


def tenant_owned_models(app_registry=global_apps) -> list[type]:
    """Every concrete, managed model that inherits TenantOwned, in every installed app."""
    found = []
    for model in app_registry.get_models():
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        if issubclass(model, TenantOwned):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


def tenant_tables(app_registry=global_apps) -> list[str]:
    return [model._meta.db_table for model in tenant_owned_models(app_registry)]


@dataclass
class RlsReport:
    """What one run changed (empty lists: everything was already in place)."""

    secured: list[str] = field(default_factory=list)
    policies_created: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    role_created: bool = False
    grants: bool = False


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def apply_row_level_security(using: str = "default", app_registry=global_apps) -> RlsReport:
    """Enable, force and attach the tenant policy on every tenant table; grant DML to the app role.

    Idempotent: tables already secured are left alone, so it is cheap to run after every migrate
    (and after every flush, which re-sends post_migrate).
    """
    report = RlsReport()
    connection = connections[using]
    if connection.vendor != "postgresql":
        return report
    tables = tenant_tables(app_registry)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        state = _table_state(cursor, tables)
        for table in tables:
            if table not in state:
                # Its app has no migration for it yet; the next migrate secures it.
                report.missing_tables.append(table)
                continue
            enabled, forced, has_policy = state[table]
            quoted = _quote(connection, table)
            if not enabled or not forced:
                cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")  # noqa: S608
                cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")  # noqa: S608
                report.secured.append(table)
            if not has_policy:
                cursor.execute(
                    f"CREATE POLICY {POLICY_NAME} ON {quoted} "  # noqa: S608
                    f"USING {POLICY_EXPRESSION} WITH CHECK {POLICY_EXPRESSION}"
                )
                report.policies_created.append(table)
            else:
                # Keep the expression current if an older deployment has another version of it.
                cursor.execute(
                    f"ALTER POLICY {POLICY_NAME} ON {quoted} "  # noqa: S608
                    f"USING {POLICY_EXPRESSION} WITH CHECK {POLICY_EXPRESSION}"
                )
    report.role_created, report.grants = _grant_app_role(connection, using)
    if report.secured or report.policies_created:
        logger.info("Row-level security applied to %s", ", ".join(report.secured or report.policies_created))
    return report


def _grant_app_role(connection, using: str) -> tuple[bool, bool]:
    """Create the app role (NOLOGIN) if missing and permitted, and grant it DML on everything.

    In a deployment the role usually exists already with LOGIN and a password (see
    docs/deploy/initdb/); here we only make sure its privileges cover every table, including
    tables that later migrations add (default privileges).
    """
    role = app_role()
    created = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS")  # noqa: S608
            created = True
        except DatabaseError as exc:
            logger.warning("Could not create database role %s (%s); grant it by hand.", role, exc)
            return False, False
    elif row[0] or row[1]:
        logger.warning("Database role %s is a superuser or BYPASSRLS: RLS cannot bind it.", role)
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = _quote(connection, cursor.fetchone()[0])
            cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
            cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
            # Tables and sequences that later migrations create get the same privileges.
            defaults = f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT"
            cursor.execute(f"{defaults} SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}")
            cursor.execute(f"{defaults} USAGE, SELECT, UPDATE ON SEQUENCES TO {role}")
    except DatabaseError as exc:
        logger.warning("Could not grant %s its privileges (%s); grant them by hand.", role, exc)
        return created, False
    return created, True


def row_security_status(using: str = "default") -> dict[str, tuple[bool, bool, bool]]:
    """table → (rls enabled, forced, tenant policy present) for every tenant table (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    tables = tenant_tables()
    with connection.cursor() as cursor:
        found = _table_state(cursor, tables)
    return {table: found.get(table, (False, False, False)) for table in tables}


def _table_state(cursor, tables: list[str]) -> dict[str, tuple[bool, bool, bool]]:
    """table → (rls enabled, forced, tenant policy present) for the tables that exist."""
    cursor.execute(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
        FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname = ANY(%s)
        """,
        [POLICY_NAME, tables],
    )
    return {name: (enabled, forced, policy) for name, enabled, forced, policy in cursor.fetchall()}
