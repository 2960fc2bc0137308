"""The tenant policies on every tenant table, and the one run that secures the database after migrate."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.db import connections, transaction

from collab.rls.keys import apply_tenant_keys
from collab.rls.roles import ensure_role, grant_app_role, grant_dml, platform_role
from collab.rls.tables import quote, tenant_tables

logger = logging.getLogger(__name__)

POLICY_NAME = "tenant_isolation"
POLICY_EXPRESSION = "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
PLATFORM_POLICY_NAME = "platform_access"


@dataclass
class RlsReport:
    """What one run changed (empty lists: everything was already in place)."""

    secured: list[str] = field(default_factory=list)
    policies_created: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    keys_created: list[str] = field(default_factory=list)
    role_created: bool = False
    grants: bool = False
    platform_role_created: bool = False
    platform_grants: bool = False


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
    report.platform_role_created = ensure_role(connection, using, platform_role())
    platform = quote(connection, platform_role())
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [platform_role()])
        platform_exists = cursor.fetchone() is not None
        state = _table_state(cursor, tables)
        platform_policies = _tables_with_policy(cursor, tables, PLATFORM_POLICY_NAME)
        for table in tables:
            if table not in state:
                # Its app has no migration for it yet; the next migrate secures it.
                report.missing_tables.append(table)
                continue
            enabled, forced, has_policy = state[table]
            quoted = quote(connection, table)
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
            if table not in platform_policies and platform_exists:
                cursor.execute(
                    f"CREATE POLICY {PLATFORM_POLICY_NAME} ON {quoted} TO {platform} "  # noqa: S608
                    "USING (true) WITH CHECK (true)"
                )
        report.keys_created = apply_tenant_keys(connection, cursor, app_registry)
    report.role_created, report.grants = grant_app_role(connection, using)
    report.platform_grants = grant_dml(connection, using, platform_role())
    if report.secured or report.policies_created:
        logger.info("Row-level security applied to %s", ", ".join(report.secured or report.policies_created))
    return report


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


def _tables_with_policy(cursor, tables: list[str], policy: str) -> set[str]:
    cursor.execute(
        """
        SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND p.polname = %s AND c.relname = ANY(%s)
        """,
        [policy, tables],
    )
    return {row[0] for row in cursor.fetchall()}
