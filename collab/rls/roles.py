"""The database roles: the app role the processes connect as, the platform role `all_tenants()` reads
through, and their DML grants (names validated: they are interpolated into SQL)."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import DatabaseError, transaction

from collab.rls.tables import quote

logger = logging.getLogger(__name__)

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


def ensure_role(connection, using: str, role: str) -> bool:
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


def grant_app_role(connection, using: str) -> tuple[bool, bool]:
    """Create the app role if missing and permitted, and grant it DML on everything, including tables
    that later migrations add (default privileges). It must never be a member of the platform role."""
    role = app_role()
    created = ensure_role(connection, using, role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, platform_role()])
        if cursor.fetchone()[0]:
            logger.error(
                "Database role %s is a member of %s: the application could lift row-level security.",
                role, platform_role(),
            )
    return created, grant_dml(connection, using, role)


def grant_dml(connection, using: str, role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return False
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = quote(connection, cursor.fetchone()[0])
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
