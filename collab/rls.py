"""PostgreSQL row-level security: the database's own wall behind the fail-closed managers.

Every concrete subclass of `collab.tenancy.TenantOwned`, in every app (including apps added later),
gets `ENABLE` + `FORCE ROW LEVEL SECURITY` and one policy, `tenant_isolation`, that admits a row only
when its `tenant_id` equals the scope `collab.tenancy` mirrors into the session with `set_config`
. Without a setting, no rows; no setting the application can make lifts the policy.

The application connects as a role that does not own the tables (`DATABASE_APP_ROLE`, default
`collab_app`): it gets DML grants only. Owners and superusers bypass RLS unless forced; FORCE makes
the policy bind the owner too, and only superusers / BYPASSRLS roles escape it, which is why the
app must never connect as one of those.

What spans tenants (`collab.tenancy.all_tenants`: the tenant picker, accepting an invitation, the
admin's audit log) reads through another role, `DATABASE_PLATFORM_ROLE` (default `collab_platform`),
on a connection of its own (`collab.db_router`): a second policy, `platform_access`, admits every
row to that role only. The app role is never made a member of it, so it cannot `SET ROLE` to it.

Foreign keys between tenant tables are composite as well: Django's `FOREIGN KEY (parent_id)` alone
lets a row point at another tenant's row (the referential check ignores RLS), so every such key gets
a `FOREIGN KEY (tenant_id, parent_id) REFERENCES target (tenant_id, id)` beside it, backed by a
`UNIQUE (tenant_id, id)` on the target.

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
POLICY_EXPRESSION = "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
PLATFORM_POLICY_NAME = "platform_access"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _role_setting(name: str, default: str) -> str:
    role = getattr(settings, name, default)
    if not _ROLE_NAME.match(role):
        raise ValueError(f"{name} {role!r} must be a plain lower-case identifier.")
    return role


def app_role() -> str:
    """The role the web and worker processes connect as (validated: it is interpolated into SQL)."""
    return _role_setting("DATABASE_APP_ROLE", "collab_app")


def platform_role() -> str:
    """The role `all_tenants()` reads through (validated: it is interpolated into SQL)."""
    role = _role_setting("DATABASE_PLATFORM_ROLE", "collab_platform")
    if role == app_role():
        raise ValueError("DATABASE_PLATFORM_ROLE must differ from DATABASE_APP_ROLE.")
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
    keys_created: list[str] = field(default_factory=list)
    role_created: bool = False
    grants: bool = False
    platform_role_created: bool = False
    platform_grants: bool = False


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
    report.platform_role_created = _ensure_role(connection, using, platform_role())
    platform = _quote(connection, platform_role())
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
            if table not in platform_policies and platform_exists:
                cursor.execute(
                    f"CREATE POLICY {PLATFORM_POLICY_NAME} ON {quoted} TO {platform} "  # noqa: S608
                    "USING (true) WITH CHECK (true)"
                )
        report.keys_created = _apply_tenant_keys(connection, cursor, app_registry)
    report.role_created, report.grants = _grant_app_role(connection, using)
    report.platform_grants = _grant_dml(connection, using, platform_role())
    if report.secured or report.policies_created:
        logger.info("Row-level security applied to %s", ", ".join(report.secured or report.policies_created))
    return report


def _ensure_role(connection, using: str, role: str) -> bool:
    """Create the role (NOLOGIN) if missing and permitted; True when it was created.

    In a deployment the roles usually exist already with LOGIN and a password (see
    docs/deploy/initdb/). A warning when the role could bypass RLS.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS")  # noqa: S608
        except DatabaseError as exc:
            logger.warning("Could not create database role %s (%s); create it by hand.", role, exc)
            return False
        return True
    if row[0] or row[1]:
        logger.warning("Database role %s is a superuser or BYPASSRLS: RLS cannot bind it.", role)
    return False


def _grant_app_role(connection, using: str) -> tuple[bool, bool]:
    """Create the app role if missing and permitted, and grant it DML on everything, including tables
    that later migrations add (default privileges). It must never be a member of the platform role."""
    role = app_role()
    created = _ensure_role(connection, using, role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, platform_role()])
        if cursor.fetchone()[0]:
            logger.error(
                "Database role %s is a member of %s: the application could lift row-level security.",
                role, platform_role(),
            )
    return created, _grant_dml(connection, using, role)


def _grant_dml(connection, using: str, role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return False
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
        return False
    return True


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


# ---------------------------------------------------------------------------------------------------
# Composite foreign keys: a tenant row can only point at a row of its own tenant


@dataclass(frozen=True)
class TenantRelation:
    """One foreign key from a tenant table to a tenant table, as columns."""

    table: str
    column: str
    target_table: str
    target_column: str
    field: str  # "app_label.Model.field", for messages

    @property
    def constraint_name(self) -> str:
        return _name(self.table, self.column, "tenant_fk")


def _name(table: str, column: str, suffix: str) -> str:
    from django.db.backends.utils import names_digest

    name = f"{table}_{column}_{suffix}"
    if len(name) <= 63:
        return name
    return f"{table[:24]}_{column[:16]}_{suffix}_{names_digest(table, column, length=8)}"


def _has_local_tenant_column(model) -> bool:
    return any(f.column == "tenant_id" for f in model._meta.local_concrete_fields)


def tenant_relations(app_registry=global_apps) -> list[TenantRelation]:
    """Every foreign key (one-to-one included) the database enforces between two tenant tables."""
    from django.db import models

    relations = []
    for model in tenant_owned_models(app_registry):
        if not _has_local_tenant_column(model):
            continue
        for fk in model._meta.local_concrete_fields:
            if not isinstance(fk, models.ForeignKey) or fk.name == "tenant" or not fk.db_constraint:
                continue
            target = fk.related_model
            if not issubclass(target, TenantOwned) or not _has_local_tenant_column(target):
                continue
            relations.append(
                TenantRelation(
                    table=model._meta.db_table,
                    column=fk.column,
                    target_table=target._meta.db_table,
                    target_column=fk.target_field.column,
                    field=f"{model._meta.label}.{fk.name}",
                )
            )
    return sorted(relations, key=lambda r: (r.table, r.column))


def _constraints(cursor, tables: list[str]) -> tuple[set, dict]:
    """(unique keys as (table, columns)), {foreign key as (table, columns, target, target columns): name}."""
    cursor.execute(
        """
        SELECT c.conname, c.contype, t.relname,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
               f.relname,
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        LEFT JOIN pg_class f ON f.oid = c.confrelid
        WHERE t.relnamespace = current_schema()::regnamespace AND c.contype IN ('u', 'p', 'f')
          AND t.relname = ANY(%s)
        """,
        [tables],
    )
    unique, foreign = set(), {}
    for name, kind, table, columns, target, target_columns in cursor.fetchall():
        if kind == "f":
            foreign[(table, tuple(columns), target, tuple(target_columns or ()))] = name
        else:
            unique.add((table, tuple(columns)))
    return unique, foreign


def composite_key_status(using: str = "default") -> dict[TenantRelation, bool]:
    """relation → whether its composite (tenant_id, column) foreign key exists (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    relations = tenant_relations()
    with connection.cursor() as cursor:
        _, foreign = _constraints(cursor, tenant_tables())
    return {
        r: (r.table, ("tenant_id", r.column), r.target_table, ("tenant_id", r.target_column)) in foreign
        for r in relations
    }


def _apply_tenant_keys(connection, cursor, app_registry) -> list[str]:
    """Add the missing UNIQUE (tenant_id, id) targets and composite foreign keys; returns what was added.

    Matched by columns, not by name, so a renamed table keeps its keys. Deferred like Django's own
    foreign keys (rows of one transaction may be inserted in any order); MATCH SIMPLE, so a null key
    is not checked. A composite key of ours whose field now points elsewhere (a migration changed the
    target model) is dropped.
    """
    relations = tenant_relations(app_registry)
    tables = sorted(
        set(tenant_tables(app_registry)) | {r.table for r in relations} | {r.target_table for r in relations}
    )
    if not tables:
        return []
    cursor.execute(
        "SELECT relname FROM pg_class"
        " WHERE relnamespace = current_schema()::regnamespace AND relname = ANY(%s)",
        [tables],
    )
    existing = {row[0] for row in cursor.fetchall()}
    unique, foreign = _constraints(cursor, tables)
    added = []
    expected = {
        (r.table, ("tenant_id", r.column), r.target_table, ("tenant_id", r.target_column)) for r in relations
    }
    for key, name in list(foreign.items()):
        ours = (name.endswith("_tenant_fk") or "_tenant_fk_" in name) and key[1][:1] == ("tenant_id",)
        if ours and key not in expected:
            table, quoted_name = _quote(connection, key[0]), _quote(connection, name)
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted_name}")
            del foreign[key]
    for relation in relations:
        if relation.table not in existing or relation.target_table not in existing:
            continue
        target_key = ("tenant_id", relation.target_column)
        if (relation.target_table, target_key) not in unique:
            name = _name(relation.target_table, relation.target_column, "tenant_key")
            cursor.execute(
                f"ALTER TABLE {_quote(connection, relation.target_table)} "  # noqa: S608
                f"ADD CONSTRAINT {_quote(connection, name)} "
                f"UNIQUE (tenant_id, {_quote(connection, relation.target_column)})"
            )
            unique.add((relation.target_table, target_key))
            added.append(name)
        key = (relation.table, ("tenant_id", relation.column), relation.target_table, target_key)
        if key not in foreign:
            cursor.execute(
                f"ALTER TABLE {_quote(connection, relation.table)} "  # noqa: S608
                f"ADD CONSTRAINT {_quote(connection, relation.constraint_name)} "
                f"FOREIGN KEY (tenant_id, {_quote(connection, relation.column)}) "
                f"REFERENCES {_quote(connection, relation.target_table)} "
                f"(tenant_id, {_quote(connection, relation.target_column)}) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
            foreign[key] = relation.constraint_name
            added.append(relation.constraint_name)
    if added:
        logger.info("Composite tenant keys added: %s", ", ".join(added))
    return added
