"""Row-level security on PostgreSQL: the second wall, proven under the role the app connects as.

Superusers bypass RLS, so every query here runs after `SET LOCAL SESSION AUTHORIZATION <app role>`
inside the test transaction (pytest-django rolls it back, which also drops the switch): the session is
then the app role's own, as when it logs in, so `SET ROLE` is checked against the app role too.
"""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, router, transaction

from collab.db_router import PLATFORM_DB_ALIAS
from collab.models import Employee, Membership, OrgUnit
from collab.rls.keys import composite_key_status, tenant_relations
from collab.rls.policies import (
    PLATFORM_POLICY_NAME,
    POLICY_NAME,
    apply_row_level_security,
    row_security_status,
)
from collab.rls.roles import app_role, platform_role
from collab.rls.tables import tenant_owned_models
from collab.selectors.platform import memberships_of_user
from collab.tenancy import TenantOwned, all_tenants, tenant_scope
from tests.factories import TenantFactory, make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory

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
    cursor.execute(f"SET LOCAL SESSION AUTHORIZATION {app_role()}")


def _clear_scope(cursor) -> None:
    cursor.execute("SELECT set_config('app.tenant_id', '', false)")


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
        # No other setting opens it: the app role could set that one itself.
        assert expression.count("current_setting") == 1, expression


def test_applying_again_changes_nothing(postgres):
    report = apply_row_level_security()
    assert report.secured == [] and report.policies_created == [] and report.keys_created == []
    assert report.grants and report.platform_grants


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


def test_no_setting_the_app_role_makes_lifts_the_wall(postgres, tenant_a, tenant_b):
    """What one SQL injection could send on the app's connection: every setting it may change."""
    _unit(tenant_a, "A1")
    _unit(tenant_b, "B1")
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        _as_app_role(cursor)
        for setting, value in [
            ("app.all_tenants", "on"),
            ("app.all_tenants", "true"),
            ("app.platform", "on"),
            ("app.tenant_id", ""),
            ("app.tenant_id", "0 OR true"),
        ]:
            try:
                with transaction.atomic():
                    cursor.execute("SELECT set_config(%s, %s, false)", [setting, value])
                    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                    seen = cursor.fetchone()[0]
            except DatabaseError:
                seen = 0  # refused outright ("0 OR true" is no bigint)
            assert seen == 0, f"{setting}={value!r} let the app role read {seen} rows"
        # Turning row security off does not turn it off for a role without BYPASSRLS: it refuses the query.
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute("SET row_security = off")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        # Inside a tenant's scope, the setting shows that tenant only, whatever else is set.
        with tenant_scope(tenant_a):
            cursor.execute("SELECT set_config('app.all_tenants', 'on', false)")
            cursor.execute(f"SELECT code FROM {table}")  # noqa: S608
            assert cursor.fetchall() == [("A1",)]


def test_the_app_role_cannot_become_the_platform_role(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app_role(), platform_role()])
        assert cursor.fetchone() == (False,)
        _as_app_role(cursor)
        for statement in (f"SET ROLE {platform_role()}", f"SET LOCAL ROLE {platform_role()}"):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(statement)
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            cursor.execute("SELECT set_config('role', %s, false)", [platform_role()])


def test_the_platform_role_has_its_own_policy_and_no_bypass(postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [platform_role()]
        )
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_policies WHERE policyname = %s AND roles = ARRAY[%s]::name[]",
            [PLATFORM_POLICY_NAME, platform_role()],
        )
        assert cursor.fetchone()[0] == len(row_security_status())


def test_all_tenant_queries_go_to_the_platform_connection(postgres, tenant_a, tenant_b):
    _unit(tenant_a, "A1")
    _unit(tenant_b, "B1")
    with all_tenants("test: the hatch reads every tenant"):
        queryset = OrgUnit.objects.all()
        assert queryset.db == PLATFORM_DB_ALIAS
        assert queryset.count() == 2
        with connections[PLATFORM_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == platform_role()
        with tenant_scope(tenant_a):  # a tenant's scope inside it is the app's connection again
            assert OrgUnit.objects.all().db == "default"
    assert OrgUnit._base_manager.all().db == "default"


def test_a_row_read_for_all_tenants_is_written_through_the_app_connection(postgres, tenant_a, tenant_b):
    user = make_member(tenant_a, "employee")
    with all_tenants("test: the picker's read"):
        membership = Membership.objects.get(user=user)
    assert membership._state.db == PLATFORM_DB_ALIAS
    assert router.db_for_write(Membership, instance=membership) == "default"
    assert router.db_for_read(Membership, instance=membership) == "default"


@pytest.mark.django_db(transaction=True, databases=["default", PLATFORM_DB_ALIAS])
def test_two_connections_two_roles_end_to_end():
    """No shared transaction: the app's connection runs as the app role (as it logs in, in production),
    the platform connection as the platform role, and only the second one sees every tenant."""
    _require_postgres()
    tenant_a, tenant_b = TenantFactory(slug="alpha"), TenantFactory(slug="bravo")
    _unit(tenant_a, "A1")
    _unit(tenant_b, "B1")
    user = make_member(tenant_a, "employee", username="both")
    with tenant_scope(tenant_b):
        Membership.objects.create(tenant=tenant_b, user=user, roles=["employee"])
    platform = connections[PLATFORM_DB_ALIAS]
    assert platform.connection is None or platform.connection is not connection.connection
    with platform.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == platform_role()
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SET SESSION AUTHORIZATION {app_role()}")
        try:
            cursor.execute("SELECT current_user, session_user")
            assert cursor.fetchone() == (app_role(), app_role())
            cursor.execute("SELECT set_config('app.all_tenants', 'on', false)")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] == 0
            with pytest.raises(DatabaseError, match="permission denied"):
                cursor.execute(f"SET ROLE {platform_role()}")
            # The tenant picker and the hatch still work: through the other connection.
            assert sorted(m.tenant.slug for m in memberships_of_user(user)) == ["alpha", "bravo"]
            with all_tenants("test: every tenant's units"):
                assert sorted(OrgUnit.objects.values_list("code", flat=True)) == ["A1", "B1"]
            with tenant_scope(tenant_a):
                assert list(OrgUnit.objects.values_list("code", flat=True)) == ["A1"]
        finally:
            cursor.execute("RESET SESSION AUTHORIZATION")


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


# ------------------------------------------------------------------------------------ composite keys


def test_every_tenant_relation_has_its_composite_key(postgres):
    """Walks every model of every app: a tenant table added later without its key fails here."""
    status = composite_key_status()
    assert len(status) == len(tenant_relations()) >= 20
    fields = {relation.field for relation in status}
    assert {"collab.OrgUnit.parent", "collab.Employee.org_unit"} <= fields
    missing = sorted(relation.field for relation, present in status.items() if not present)
    assert not missing, f"foreign keys between tenant tables without FOREIGN KEY (tenant_id, …): {missing}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, condeferrable, condeferred, convalidated FROM pg_constraint"
            " WHERE conname = ANY(%s)",
            [[relation.constraint_name for relation in status]],
        )
        rows = cursor.fetchall()
    assert len(rows) == len(status)
    assert all(row[1:] == (True, True, True) for row in rows), rows


def _immediately(cursor, sql: str, params) -> None:
    """Run one statement and check deferred constraints now (they are deferred, like Django's)."""
    with transaction.atomic():
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_raw_sql_cannot_point_a_row_at_another_tenants_row(postgres, tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        a_parent = OrgUnitFactory()
        a_unit = OrgUnitFactory(parent=a_parent)
        a_employee = EmployeeFactory(org_unit=a_unit)
    with tenant_scope(tenant_b):
        b_unit = OrgUnitFactory()
    cases = [
        (OrgUnit, "parent_id", a_unit.pk),
        (Employee, "org_unit_id", a_employee.pk),
    ]
    with connection.cursor() as cursor:
        _as_app_role(cursor)
        with tenant_scope(tenant_a):
            for model, column, pk in cases:
                sql = f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s"  # noqa: S608
                with pytest.raises(IntegrityError, match="tenant_fk"):
                    _immediately(cursor, sql, [b_unit.pk, pk])
                _immediately(cursor, sql, [a_parent.pk, pk])  # its own tenant's row is fine
                if model._meta.get_field(column.removesuffix("_id")).null:  # and so is none (MATCH SIMPLE)
                    _immediately(cursor, sql.replace("%s WHERE", "NULL WHERE"), [pk])
            insert = (
                f"INSERT INTO {OrgUnit._meta.db_table} ({COLUMNS}, parent_id) "  # noqa: S608
                "VALUES (%s, 'X', 'X', 'group', '/', 0, 1, now(), %s)"
            )
            with pytest.raises(IntegrityError, match="tenant_fk"):
                _immediately(cursor, insert, [tenant_a.pk, b_unit.pk])


def test_keys_are_added_again_when_missing_and_not_twice(postgres):
    relation = next(r for r in tenant_relations() if r.field == "collab.OrgUnit.parent")
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {relation.table} DROP CONSTRAINT {relation.constraint_name}"  # noqa: S608
        )
    assert composite_key_status()[relation] is False
    assert apply_row_level_security().keys_created == [relation.constraint_name]
    assert composite_key_status()[relation] is True
    assert apply_row_level_security().keys_created == []


def test_a_key_whose_field_now_points_elsewhere_is_dropped(postgres):
    """A migration that changes a field's target model leaves our composite key to the old target."""
    stale = "collab_employee_org_unit_id_tenant_fk_old"
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE collab_employee ADD CONSTRAINT {stale} FOREIGN KEY (tenant_id, org_unit_id) "
            "REFERENCES collab_position (tenant_id, id) DEFERRABLE INITIALLY DEFERRED"
        )
    apply_row_level_security()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE conname = %s", [stale])
        assert cursor.fetchone()[0] == 0
    assert all(composite_key_status().values())
