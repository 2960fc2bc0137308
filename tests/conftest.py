"""Fixtures for every test: two tenants are always in the room."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from tests.factories import PASSWORD, TenantFactory, make_member


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


__all__ = ["PASSWORD"]
