"""Core platform data: tenants, memberships, the organisation, periods, audit and notifications.

One module per subject (`accounts`, `org`, `audit`, `notifications`, `jobs`, `calendar`). Django finds an
app's models through `<app>.models`, so this package imports them all; callers keep
`from collab.models import X`, the one re-export the house allows (docs/ARCHITECTURE.md).
"""

from collab.models.accounts import (
    ALL_BUT_EMPLOYEES,
    ALL_ROLES,
    WRITE_ROLES,
    MemberInvitation,
    Membership,
    Role,
    Tenant,
    UserProfile,
)
from collab.models.audit import AuditEvent, AuditEventManager, AuditEventQuerySet
from collab.models.calendar import CalendarBase, CalendarDay, CalendarDayKind, CalendarSettings
from collab.models.jobs import Job
from collab.models.notifications import Notification, NotificationPreference
from collab.models.org import Employee, OrgUnit, Period, Position

__all__ = [
    "ALL_BUT_EMPLOYEES", "ALL_ROLES", "WRITE_ROLES", "AuditEvent", "AuditEventManager", "AuditEventQuerySet",
    "CalendarBase", "CalendarDay", "CalendarDayKind", "CalendarSettings",
    "Employee", "Job", "MemberInvitation", "Membership", "Notification", "NotificationPreference", "OrgUnit",
    "Period", "Position", "Role", "Tenant", "UserProfile",
]
