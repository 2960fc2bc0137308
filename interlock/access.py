"""Who reads which scores — one rule for the score pages, the dashboards and the API.

HR admins, committee members and auditors read every score. A manager reads every unit's score (the org-wide
ranking shows unit totals to managers anyway) and the personal scores of the positions in their own unit and
the units below it. An employee reads their own position's score and their own unit's. A snapshot outside
that answers exactly like a missing one.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from collab.models import Employee, OrgUnit, Role

ALL_UNITS = frozenset({Role.HR_ADMIN, Role.COMMITTEE, Role.AUDITOR})


def own_employee(user) -> Employee | None:
    return Employee.objects.filter(user_id=user.pk).select_related("org_unit").first()


def own_unit(user) -> OrgUnit | None:
    employee = own_employee(user)
    return employee.org_unit if employee else None


def sees_all_units(membership) -> bool:
    return membership.has_role(*ALL_UNITS)


def may_read_unit(membership, unit: OrgUnit, own: OrgUnit | None) -> bool:
    """Dashboards: a manager reads their own unit and the units below it."""
    if sees_all_units(membership):
        return True
    return own is not None and unit.path.startswith(own.path)


def readable_snapshots(snapshots: QuerySet, *, membership, user) -> QuerySet:
    if sees_all_units(membership):
        return snapshots
    employee = own_employee(user)
    readable = Q(pk__in=[])
    if membership.has_role(Role.MANAGER):
        readable |= Q(position__isnull=True)
        if employee is not None:
            readable |= Q(position__org_unit__path__startswith=employee.org_unit.path)
    if employee is not None:
        readable |= Q(position__isnull=True, org_unit_id=employee.org_unit_id)
        if employee.position_id is not None:
            readable |= Q(position_id=employee.position_id)
    return snapshots.filter(readable)
