"""Access by noun for the platform's org objects: one door for pages, the API and services.

`access_<noun>_by_id(membership, pk, *, write=False, lock=False)` (Zulip's `access_stream_by_id`) fetches one
row of the tenant in scope: a missing id, a malformed one and another tenant's id are the same 404
(`Http404`, which the API answers as NotFound), a role that may not read (or, with `write`, change) it is
a 403, and `lock` locks the row for the write that follows. `access_by_id` is the rule itself, which the
apps' own `access.py` modules use for their nouns.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from collab.models import (
    ALL_ROLES,
    CalendarDay,
    Employee,
    Job,
    Membership,
    Notification,
    OrgUnit,
    Period,
    Position,
    Role,
)
from collab.pages import get_scoped_or_404
from collab.routing.ids import parse_id

HR_WRITES = frozenset({Role.HR_ADMIN})
ORG_READERS = ALL_ROLES  # the org chart, the periods and the calendar are no secret inside a tenant
ORG_WRITERS = HR_WRITES
MEMBER_READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})


def access_by_id(
    queryset: QuerySet,
    membership,
    pk,
    *,
    readers: Iterable[str],
    writers: Iterable[str],
    write: bool = False,
    lock: bool = False,
) -> Model:
    """The row `pk` of `queryset` in the tenant in scope, if `membership` may read it (`write`: change it)."""
    if membership is None or not membership.has_role(*(writers if write else readers)):
        raise PermissionDenied
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_scoped_or_404(queryset, parse_id(pk) or 0)


def access_unit_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> OrgUnit:
    return access_by_id(
        OrgUnit.objects.select_related("parent"), membership, pk,
        readers=ORG_READERS, writers=ORG_WRITERS, write=write, lock=lock,
    )


def access_position_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Position:
    return access_by_id(
        Position.objects.select_related("org_unit"), membership, pk,
        readers=ORG_READERS, writers=ORG_WRITERS, write=write, lock=lock,
    )


def access_employee_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Employee:
    return access_by_id(
        Employee.objects.select_related("org_unit", "position", "manager"), membership, pk,
        readers=ORG_READERS, writers=ORG_WRITERS, write=write, lock=lock,
    )


def access_period_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Period:
    return access_by_id(
        Period.objects.all(), membership, pk, readers=ORG_READERS, writers=ORG_WRITERS, write=write, lock=lock
    )


def access_membership_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Membership:
    """A member of the tenant (HR admins and auditors read the member list; HR admins change it)."""
    return access_by_id(
        Membership.objects.select_related("user"), membership, pk,
        readers=MEMBER_READERS, writers=HR_WRITES, write=write, lock=lock,
    )


def access_own_notification_by_id(user, pk) -> Notification:
    """One of the signed-in user's own notifications; anyone else's is missing."""
    return get_scoped_or_404(Notification.objects.filter(recipient=user), parse_id(pk) or 0)


def access_job_by_id(membership, pk) -> Job:
    """A long task of the tenant (every member may watch its progress)."""
    return access_by_id(Job.objects.all(), membership, pk, readers=ALL_ROLES, writers=())


def access_calendar_day_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> CalendarDay:
    """One of the tenant's own calendar days (every member reads the calendar: managers see what their
    deadlines count; HR admins change it)."""
    return access_by_id(
        CalendarDay.objects.select_related("updated_by"), membership, pk,
        readers=ORG_READERS, writers=ORG_WRITERS, write=write, lock=lock,
    )  # fmt: skip
