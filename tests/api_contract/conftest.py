"""Fixtures of the API contract test: one seeded tenant and an HR admin's token."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from collab.models import ALL_ROLES
from tests.factories import TenantFactory, make_member
from tests.isolation.framework import load_samples

SLUG = "contract"


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The fuzzer calls the WSGI app directly, whose request signals would close the test's database
    connection (its transaction) once DB_CONN_MAX_AGE has passed — as Django's own test client prevents."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def contract_world(db):
    """A tenant with a little of everything (the isolation samples) and an HR admin holding every role."""
    tenant = TenantFactory(slug=SLUG, name="Contract Co")
    admin = make_member(tenant, *sorted(ALL_ROLES), username="contract_admin")
    make_member(tenant, "hr_admin", username="contract_hr2")  # so the admin is never the last HR admin
    objects = load_samples().build(tenant)
    token, _ = Token.objects.get_or_create(user=admin)
    return {"tenant": tenant, "admin": admin, "auth": {"Authorization": f"Token {token.key}"},
            "objects": objects}
