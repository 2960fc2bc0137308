"""Fixtures for every test: two tenants are always in the room."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import settings

from collab.tenancy import tenant_scope
from tests.factories import PASSWORD, TenantFactory, make_member

# No timing assertions in tests: Hypothesis's per-example deadline is one, and a loaded CI machine trips it.
settings.register_profile("collab", deadline=None)
settings.load_profile("collab")


def pytest_collection_modifyitems(items):
    """On PostgreSQL, transactional tests (live server, real workers) may use the `platform` alias:
    `all_tenants()` queries go there (collab/db_router.py), from the test's thread or another. Tests
    that run in one transaction get it through the fixture below; on SQLite it is never used."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    from pytest_django.fixtures import validate_django_db

    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = bool({"transactional_db", "live_server", "django_db_reset_sequences"} & fixtures)
        if marker is not None:
            transactional = transactional or validate_django_db(marker)[0]
        if not transactional:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        databases = kwargs.get("databases")
        if databases == "__all__" or (databases and "platform" in databases):
            continue
        kwargs["databases"] = [*(databases or ["default"]), "platform"]
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@pytest.fixture(autouse=True)
def _rate_limit_counters_forgotten(monkeypatch):
    """The rate-limit counters (collab/ratelimit.py) live in the cache, which is Redis in CI and shared by the
    whole run: each test forgets the counters it touched, so one test's attempts never count against another's
    (a reset test for ada@… could find her address already over its limit)."""
    from django.core.cache import cache

    from collab import ratelimit

    touched: set[str] = set()
    key = ratelimit._key

    def recording_key(scope: str, identity: str) -> str:
        counter = key(scope, identity)
        touched.add(counter)
        return counter

    monkeypatch.setattr(ratelimit, "_key", recording_key)
    yield
    cache.delete_many(list(touched))


@pytest.fixture(autouse=True)
def _platform_queries_in_the_test_transaction(request):
    """On PostgreSQL, `all_tenants()` queries go to the `platform` connection (collab/db_router.py), which
    cannot see rows a test wrote in its still-open transaction on `default`. For tests that run in one
    transaction, the `platform` alias is that same connection, and every query sent to it runs as the
    platform role (`SET ROLE` around it, which only the test's superuser login may do), so each
    all-tenant path of the suite still proves the platform role's policy and grants. Transactional
    tests (live server, real workers, tests/collab/test_rls.py's two-connection tests) keep the real,
    separate platform connection."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and "db" not in names:
        yield
        return
    from pytest_django.fixtures import validate_django_db

    transactional = "transactional_db" in names or "live_server" in names
    if marker is not None:
        transactional = transactional or validate_django_db(marker)[0]
    from django.db import connections

    from collab.db_router import PLATFORM_DB_ALIAS, platform_alias

    if transactional or platform_alias() != PLATFORM_DB_ALIAS:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR

    from collab.rls.roles import platform_role
    from collab.tenancy import all_tenants_open

    default, platform = connections["default"], connections[PLATFORM_DB_ALIAS]
    role = platform_role()

    def as_platform_role(execute, sql, params, many, context):
        if not all_tenants_open():
            return execute(sql, params, many, context)
        raw = context["connection"].connection
        with raw.cursor() as cursor:
            cursor.execute("SELECT current_user")
            previous = cursor.fetchone()[0]
            cursor.execute(f"SET ROLE {role}")
        try:
            return execute(sql, params, many, context)
        finally:
            # An aborted transaction undoes the SET itself when it rolls back.
            if raw.get_transaction_status() != TRANSACTION_STATUS_INERROR:
                with raw.cursor() as cursor:
                    cursor.execute(f"SET ROLE {previous}")

    connections[PLATFORM_DB_ALIAS] = default
    try:
        with default.execute_wrapper(as_platform_role):
            yield
    finally:
        connections[PLATFORM_DB_ALIAS] = platform


@pytest.fixture
def tenant_a(db):
    return TenantFactory(slug="alpha", name="Alpha Mining")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="bravo", name="Bravo Tech")


@pytest.fixture
def scope_a(tenant_a):
    with tenant_scope(tenant_a):
        yield tenant_a


@pytest.fixture
def scope_b(tenant_b):
    with tenant_scope(tenant_b):
        yield tenant_b


@pytest.fixture
def hr_a(tenant_a):
    return make_member(tenant_a, "hr_admin", username="hr_a")


@pytest.fixture
def hr_b(tenant_b):
    return make_member(tenant_b, "hr_admin", username="hr_b")


@pytest.fixture
def login(client):
    """Log a user into the test client (through the real backend chain, so axes sees it)."""

    def do_login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return do_login


@pytest.fixture
def api_client_for():
    """An API client authenticated by token for a user."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def build(user):
        token, _ = Token.objects.get_or_create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return build


# Opening and closing a tenant scope mirrors it into PostgreSQL with set_config (see collab/tenancy.py).
# Those statements are bookkeeping, not page work, and do not happen on SQLite: query-count assertions
# leave them out so the same number holds on both databases.
SCOPE_BOOKKEEPING = "set_config('app.tenant_id'"


@contextmanager
def _assert_queries(num: int, *, exact: bool, info: str | None = None):
    with CaptureQueriesContext(connection) as context:
        yield context
    queries = [q["sql"] for q in context.captured_queries if SCOPE_BOOKKEEPING not in q["sql"]]
    count = len(queries)
    failed = count != num if exact else count > num
    if failed:
        relation = "" if exact else "at most "
        detail = "\n".join(queries)
        extra = f"\n{info}" if info else ""
        pytest.fail(f"Expected {relation}{num} queries, {count} were executed:{extra}\n{detail}")


@pytest.fixture
def django_assert_num_queries():
    """pytest-django's fixture, counting the same queries on SQLite and PostgreSQL."""
    return lambda num, info=None: _assert_queries(num, exact=True, info=info)


@pytest.fixture
def django_assert_max_num_queries():
    return lambda num, info=None: _assert_queries(num, exact=False, info=info)


__all__ = ["PASSWORD"]


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Each test starts from an empty local-memory cache: SQLite hands a rolled-back test's ids to the next
    test, so what one test cached under (tenant 1, period 1, …) must not be read by another. (Redis, with the
    PostgreSQL runs, keys by worker, and PostgreSQL never reuses an id.)"""
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
