"""Row-level security on PostgreSQL: the second wall, proven under the role the app connects as.

Superusers bypass RLS, so every query here runs after `SET LOCAL ROLE <app role>` inside the test
transaction (pytest-django rolls it back, which also drops the role switch).
"""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, connection, transaction

from collab.models import Membership, OrgUnit
from collab.rls import (
    POLICY_NAME,
    app_role,
    apply_row_level_security,
    row_security_status,
    tenant_owned_models,
)
from collab.tenancy import TenantOwned, all_tenants, tenant_scope
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _require_postgres() -> None:
    if connection.vendor == "postgresql":
        return
    reason = "row-level security exists only on PostgreSQL: set DATABASE_URL=postgres://… to run this test"
    if "postgres" in os.environ.get("COLLAB_REQUIRE", "").split(","):
        pytest.fail(f"COLLAB_REQUIRE lists postgres but {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres():
    _require_postgres()


def _unit(tenant, code: str) -> OrgUnit:
    with tenant_scope(tenant):
        return OrgUnit.objects.create(code=code, name=code, kind="group", path="/")


def _as_app_role(cursor) -> None:
    cursor.execute(f"SET LOCAL ROLE {app_role()}")


def _clear_scope(cursor) -> None:
    cursor.execute("SELECT set_config('app.tenant_id', '', false), set_config('app.all_tenants', '', false)")


def test_tenant_owned_models_are_found_in_every_app():
    models = tenant_owned_models()
    assert Membership in models and OrgUnit in models
    assert all(issubclass(model, TenantOwned) and not model._meta.abstract for model in models)
    labels = {model._meta.app_label for model in models}
    assert "collab" in labels


def test_applying_is_a_no_op_off_postgres(db):
    if connection.vendor == "postgresql":
        pytest.skip("this is the SQLite/other-back-end branch")
    report = apply_row_level_security()
    assert report.secured == [] and report.policies_created == [] and not report.grants


def test_every_tenant_table_has_forced_rls_and_the_policy(postgres):
    status = row_security_status()
    assert status, "no tenant tables found"
    unprotected = {table: flags for table, flags in status.items() if flags != (True, True, True)}
    assert not unprotected, (
        "tenant tables without ENABLE + FORCE ROW LEVEL SECURITY and the tenant_isolation policy "
        f"(enabled, forced, policy): {unprotected}"
    )


def test_the_policy_reads_the_scope_settings(postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT qual, with_check FROM pg_policies WHERE policyname = %s AND tablename = %s",
            [POLICY_NAME, OrgUnit._meta.db_table],
        )
        qual, with_check = cursor.fetchone()
    for expression in (qual, with_check):
        assert "current_setting('app.tenant_id'::text, true)" in expression
        assert "current_setting('app.all_tenants'::text, true)" in expression


def test_applying_again_changes_nothing(postgres):
    report = apply_row_level_security()
    assert report.secured == [] and report.policies_created == []
    assert report.grants


def test_the_app_role_owns_nothing_and_cannot_bypass(postgres):
    role = app_role()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = %s", [role]
        )
        assert cursor.fetchone()[0] == 0


def test_raw_sql_without_the_tenant_setting_sees_no_rows(postgres, tenant_a, tenant_b):
    _unit(tenant_a, "A1")
    _unit(tenant_b, "B1")
    make_member(tenant_a, "hr_admin")
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] == 2, "the superuser sees everything (RLS binds only the app role)"
        _as_app_role(cursor)
        _clear_scope(cursor)
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"SELECT count(*) FROM {Membership._meta.db_table}")  # noqa: S608
        assert cursor.fetchone()[0] == 0


def test_raw_sql_with_the_tenant_setting_sees_only_that_tenant(postgres, tenant_a, tenant_b):
    a1, a2 = _unit(tenant_a, "A1"), _unit(tenant_a, "A2")
    _unit(tenant_b, "B1")
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        _as_app_role(cursor)
        with tenant_scope(tenant_a):
            cursor.execute(f"SELECT id, tenant_id FROM {table} ORDER BY id")  # noqa: S608
            assert cursor.fetchall() == [(a1.pk, tenant_a.pk), (a2.pk, tenant_a.pk)]
        with tenant_scope(tenant_b):
            cursor.execute(f"SELECT code FROM {table}")  # noqa: S608
            assert cursor.fetchall() == [("B1",)]
        # Closing the scope clears the setting: back to nothing.
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] == 0


def test_the_escape_hatch_lifts_the_wall(postgres, tenant_a, tenant_b):
    _unit(tenant_a, "A1")
    _unit(tenant_b, "B1")
    with connection.cursor() as cursor:
        _as_app_role(cursor)
        with all_tenants("test: the hatch must also open the database wall"):
            assert OrgUnit.objects.count() == 2
        cursor.execute(f"SELECT count(*) FROM {OrgUnit._meta.db_table}")  # noqa: S608
        assert cursor.fetchone()[0] == 0


def test_the_orm_under_the_app_role_agrees(postgres, tenant_a, tenant_b):
    _unit(tenant_a, "A1")
    b1 = _unit(tenant_b, "B1")
    with connection.cursor() as cursor:
        _as_app_role(cursor)
    with tenant_scope(tenant_a):
        assert list(OrgUnit.objects.values_list("code", flat=True)) == ["A1"]
        # Even a query that forgets the manager's filter cannot reach B's row.
        assert not OrgUnit._base_manager.filter(pk=b1.pk).exists()


COLUMNS = "tenant_id, code, name, kind, path, depth, lock_version, updated_at"


def test_inserting_another_tenants_row_is_refused(postgres, tenant_a, tenant_b):
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        _as_app_role(cursor)
        with tenant_scope(tenant_a):
            with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {table} ({COLUMNS}) "  # noqa: S608
                    "VALUES (%s, 'X', 'X', 'group', '/', 0, 1, now())",
                    [tenant_b.pk],
                )
            # Its own tenant's row goes in.
            cursor.execute(
                f"INSERT INTO {table} ({COLUMNS}) "  # noqa: S608
                "VALUES (%s, 'Y', 'Y', 'group', '/', 0, 1, now())",
                [tenant_a.pk],
            )
        _clear_scope(cursor)
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                f"INSERT INTO {table} ({COLUMNS}) "  # noqa: S608
                "VALUES (%s, 'Z', 'Z', 'group', '/', 0, 1, now())",
                [tenant_a.pk],
            )
    with tenant_scope(tenant_b):
        assert not OrgUnit.objects.filter(code="X").exists()


def test_moving_a_row_to_another_tenant_is_refused(postgres, tenant_a, tenant_b):
    unit = _unit(tenant_a, "A1")
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        _as_app_role(cursor)
        with tenant_scope(tenant_a):
            with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                cursor.execute(f"UPDATE {table} SET tenant_id = %s WHERE id = %s", [tenant_b.pk, unit.pk])  # noqa: S608
        with tenant_scope(tenant_b):
            cursor.execute(f"UPDATE {table} SET name = 'stolen' WHERE id = %s", [unit.pk])  # noqa: S608
            assert cursor.rowcount == 0
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [unit.pk])  # noqa: S608
            assert cursor.rowcount == 0
    with tenant_scope(tenant_a):
        assert OrgUnit.objects.get(pk=unit.pk).name == "A1"
