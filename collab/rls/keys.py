"""Composite foreign keys: a tenant row can only point at a row of its own tenant."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import connections

from collab.rls.tables import quote, tenant_owned_models, tenant_tables
from collab.tenancy import TenantOwned

logger = logging.getLogger(__name__)


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


def apply_tenant_keys(connection, cursor, app_registry) -> list[str]:
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
            table, quoted_name = quote(connection, key[0]), quote(connection, name)
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted_name}")
            del foreign[key]
    for relation in relations:
        if relation.table not in existing or relation.target_table not in existing:
            continue
        target_key = ("tenant_id", relation.target_column)
        if (relation.target_table, target_key) not in unique:
            name = _name(relation.target_table, relation.target_column, "tenant_key")
            cursor.execute(
                f"ALTER TABLE {quote(connection, relation.target_table)} "  # noqa: S608
                f"ADD CONSTRAINT {quote(connection, name)} "
                f"UNIQUE (tenant_id, {quote(connection, relation.target_column)})"
            )
            unique.add((relation.target_table, target_key))
            added.append(name)
        key = (relation.table, ("tenant_id", relation.column), relation.target_table, target_key)
        if key not in foreign:
            cursor.execute(
                f"ALTER TABLE {quote(connection, relation.table)} "  # noqa: S608
                f"ADD CONSTRAINT {quote(connection, relation.constraint_name)} "
                f"FOREIGN KEY (tenant_id, {quote(connection, relation.column)}) "
                f"REFERENCES {quote(connection, relation.target_table)} "
                f"(tenant_id, {quote(connection, relation.target_column)}) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
            foreign[key] = relation.constraint_name
            added.append(relation.constraint_name)
    if added:
        logger.info("Composite tenant keys added: %s", ", ".join(added))
    return added
