"""Reads shared by pages and the API: memberships, members, notifications, role homes.

Every function runs inside the tenant's scope (except `memberships_of_user`, which spans the user's
own tenants) and issues a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from collab.models import (
    Employee,
    Membership,
    Notification,
    OrgUnit,
    Period,
    Position,
    Role,
    Tenant,
    UserProfile,
)  # fmt: skip
from collab.tenancy import all_tenants


def holding_role(role: str) -> Q:
    """Memberships holding `role` (roles are a JSON list of codes)."""
    return Q(roles__icontains=f'"{role}"')


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


def password_change_required(user) -> bool:
    """Whether the user still has the temporary password an HR admin gave them. Reads `user.profile`, which
    the language middleware (or the token authentication's join) has already loaded: no extra query."""
    try:
        profile = user.profile
    except UserProfile.DoesNotExist:
        return False
    return profile.must_change_password


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug, is_active=True).first()


# ---------------------------------------------------------------------------------------------------
# Members

MEMBER_STATUSES = ("active", "inactive", "invited")
# An invited person has no usable password until they accept the invitation.
INVITED = Q(is_active=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX)


def members(*, search: str = "", role: str = "", status: str = "") -> QuerySet[Membership]:
    """Members of the tenant in scope with their user and linked employee (one query per page)."""
    linked = Employee.objects.filter(user=OuterRef("user_id"))
    queryset = Membership.objects.select_related("user").annotate(
        employee_pk=Subquery(linked.values("pk")[:1]),
        employee_name=Subquery(linked.values("name")[:1]),
        employee_no=Subquery(linked.values("employee_no")[:1]),
    )
    search = (search or "").replace("\x00", "").strip()[:100]
    if search:
        queryset = queryset.filter(
            Q(user__username__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
            | Q(user__email__icontains=search)
        )
    if role in Role.values:
        queryset = queryset.filter(holding_role(role))
    if status == "active":
        queryset = queryset.filter(is_active=True)
    elif status == "inactive":
        queryset = queryset.filter(is_active=False)
    elif status == "invited":
        queryset = queryset.filter(INVITED)
    return queryset.order_by("user__username", "pk")


def member_linked_employee(membership: Membership) -> Employee | None:
    return Employee.objects.filter(user_id=membership.user_id).first()


# ---------------------------------------------------------------------------------------------------
# Notifications


def unread_notification_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(recipient=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


# ---------------------------------------------------------------------------------------------------
# Role homes


def _own_employee(membership: Membership) -> Employee | None:
    return (
        Employee.objects.filter(user_id=membership.user_id)
        .select_related("org_unit", "position", "manager")
        .first()
    )


def home_context(membership: Membership, role: str) -> dict:
    """What a role's home page shows: a few counts and lists, a constant number of queries."""
    context: dict = {"role": role}
    if role in (Role.HR_ADMIN, Role.AUDITOR):
        member_counts = Membership.objects.aggregate(
            active=Count("pk", filter=Q(is_active=True)),
            invited=Count("pk", filter=INVITED),
            hr_admins=Count("pk", filter=Q(is_active=True) & holding_role(Role.HR_ADMIN)),
        )
        period_counts = Period.objects.aggregate(
            total=Count("pk"), open=Count("pk", filter=~Q(status=Period.Status.CLOSED)),
            active=Count("pk", filter=Q(status=Period.Status.ACTIVE)),
        )
        employee_counts = Employee.objects.aggregate(
            total=Count("pk"), linked=Count("pk", filter=Q(user__isnull=False))
        )
        context.update(
            unit_count=OrgUnit.objects.count(),
            position_count=Position.objects.count(),
            employee_count=employee_counts["total"],
            linked_employee_count=employee_counts["linked"],
            period_count=period_counts["total"],
            open_period_count=period_counts["open"],
            active_period_count=period_counts["active"],
            member_count=member_counts["active"],
            invited_count=member_counts["invited"],
            hr_admin_count=member_counts["hr_admins"],
        )
        context["current_period"] = (
            Period.objects.filter(status=Period.Status.ACTIVE).order_by("-year", "kind").first()
        )
    employee = _own_employee(membership)
    context["employee"] = employee
    if role == Role.MANAGER and employee is not None:
        unit = employee.org_unit
        team = Employee.objects.filter(org_unit=unit, is_active=True).select_related("position")
        context.update(
            unit=unit,
            team=list(team.order_by("name")[:25]),
            team_count=team.count(),
            subtree_employee_count=Employee.objects.filter(
                org_unit__path__startswith=unit.path, is_active=True
            ).count(),
            child_units=list(OrgUnit.objects.filter(parent=unit).order_by("name")[:25]),
        )
    return context
