"""Factories shared by every test module. Each app adds a module here; this one holds the platform."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from collab.models import Membership, Tenant
from collab.tenancy import tenant_scope

PASSWORD = "correct-horse-battery"  # noqa: S105


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.Sequence(lambda n: f"Tenant {n}")
    locale = "en"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


def make_member(tenant: Tenant, *roles: str, username: str | None = None, **user_fields):
    """A user with an active membership of `tenant` holding `roles`."""
    user = UserFactory(**({"username": username} if username else {}), **user_fields)
    with tenant_scope(tenant):
        Membership.objects.create(tenant=tenant, user=user, roles=list(roles or ("employee",)))
    return user
