"""Isolation samples of the accounts area: a member and a notification of tenant B."""

from __future__ import annotations

from collab.models import Membership, Role
from tests.factories import UserFactory
from tests.factories.accounts import MembershipFactory, NotificationFactory

ORDER = 20


def build(tenant, objects: dict) -> dict:
    user = UserFactory(username=f"{tenant.slug}-sample-member")
    membership = MembershipFactory(user=user, roles=["employee", "manager"])
    # Notifications are personal: address it to the tenant's HR admin (the isolation world's own member,
    # who must reach it), or to the sample member when the tenant has none.
    admin = Membership.objects.filter(roles__icontains=f'"{Role.HR_ADMIN}"').select_related("user").first()
    notification = NotificationFactory(recipient=admin.user if admin else user, title="Sample notice")
    return {"membership": membership, "notification": notification}


def _member(objects: dict) -> dict:
    return {"pk": objects["membership"].pk}


ROUTE_KWARGS = {
    "member-detail": _member,
    "member-deactivate": _member,
    "member-reactivate": _member,
    "member-invite-resend": _member,
    "notification-read": lambda o: {"pk": o["notification"].pk},
}

# The router basename is "api-member": plain "member" would name API routes like the member pages.
API_DETAIL = {"api-member": "membership"}
