"""Accounts factories: memberships, invited users, notifications. Use them inside `tenant_scope(tenant)`."""

from __future__ import annotations

import factory

from collab.models import Membership, Notification, NotificationPreference
from collab.tenancy import tenant_scope
from tests.factories import UserFactory, make_member


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership of the scoped tenant for a new user (roles default to employee)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: ["employee"])


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    category = Notification.Category.ACCOUNT
    title = factory.Sequence(lambda n: f"Notice {n}")
    body = "Something happened."
    url = ""


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    category = Notification.Category.ACCOUNT
    in_app = True
    email = True


def membership_of(tenant, user) -> Membership:
    with tenant_scope(tenant):
        return Membership.objects.get(user=user)


def make_invited(tenant, *roles: str, username: str) -> object:
    """A member who was invited and has not set a password yet."""
    user = make_member(tenant, *(roles or ("employee",)), username=username)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


__all__ = [
    "MembershipFactory",
    "NotificationFactory",
    "NotificationPreferenceFactory",
    "make_invited",
    "make_member",
    "membership_of",
]
