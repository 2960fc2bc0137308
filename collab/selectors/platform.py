"""Reads shared by pages and the API."""

from __future__ import annotations

from collab.models import Membership, Notification, Tenant
from collab.tenancy import all_tenants


def memberships_of_user(user) -> list[Membership]:
    """Every active membership of one user, across tenants, for the tenant picker."""
    # all_tenants: a person picks among their own tenants before any tenant is in scope;
    # the filter on `user` keeps this to rows that person may see.
    with all_tenants("tenant picker lists the signed-in user's own memberships"):
        return list(
            Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug, is_active=True).first()


def unread_notification_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def home_context(membership: Membership, role: str) -> dict:
    """What a role's home page shows: a few counts (a constant number of queries) for empty states."""
    from collab.models import Employee, OrgUnit, Period

    context: dict = {"role": role}
    if role in ("hr_admin", "auditor"):
        context.update(
            unit_count=OrgUnit.objects.count(),
            employee_count=Employee.objects.count(),
            period_count=Period.objects.count(),
            member_count=Membership.objects.filter(is_active=True).count(),
        )
    context["employee"] = (
        membership.user.employee_records.filter(tenant_id=membership.tenant_id)
        .select_related("org_unit", "position")
        .first()
    )
    return context
