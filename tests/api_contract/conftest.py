"""Fixtures of the API contract test: one seeded tenant and an HR admin's token."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from collab.models import ALL_ROLES
from tests.factories import TenantFactory, make_member
from tests.isolation.framework import load_samples

SLUG = "contract"


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
