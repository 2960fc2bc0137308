"""Who reads which scorecards and scores — one rule for the pages, the dashboards, the API and services.

`access_scorecard_by_id` is how every door fetches a scorecard by id (Zulip's `access_stream_by_id`): another
tenant's id and a missing one are the same 404, a role that may not is a 403, `lock` locks the row for a
write.

HR admins, committee members and auditors read every score. A manager reads every unit's score (the org-wide
ranking shows unit totals to managers anyway) and the personal scores of the positions in their own unit and
the units below it. An employee reads their own position's score and their own unit's. A snapshot outside
that answers exactly like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from collab.access import access_by_id
from collab.models import ALL_BUT_EMPLOYEES, Employee, OrgUnit, Role
from collab.pages import get_scoped_or_404
from collab.routing.ids import parse_id
from interlock.models import Scorecard, ScoreSnapshot
from interlock.selectors.scorecards import scorecard_queryset
from interlock.selectors.scores import snapshot_queryset

ALL_UNITS = frozenset({Role.HR_ADMIN, Role.COMMITTEE, Role.AUDITOR})
SCORECARD_READERS = ALL_BUT_EMPLOYEES
SCORECARD_WRITERS = frozenset({Role.HR_ADMIN})


def access_scorecard_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Scorecard:
    """The scorecard `pk` of the tenant in scope, if `membership` may read it (`write`: change it)."""
    return access_by_id(
        scorecard_queryset(), membership, pk,
        readers=SCORECARD_READERS, writers=SCORECARD_WRITERS, write=write, lock=lock,
    )


def access_snapshot_by_id(membership, pk, *, user) -> ScoreSnapshot:
    """A score snapshot the member may read (`readable_snapshots`); any other answers like a missing one."""
    readable = readable_snapshots(snapshot_queryset(), membership=membership, user=user)
    return get_scoped_or_404(readable, parse_id(pk) or 0)


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


# --------------------------------------------------------------------------------------------- what-if

WHATIF_ROLES = frozenset({Role.HR_ADMIN, Role.MANAGER})


def whatif_scope(membership, user) -> set[int] | None:
    """The org units whose scores a what-if may show: None (all) for HR admins; a manager's own unit and
    the units below it (a what-if writes nothing, so it changes nothing others see). Anyone else, or a
    manager without a unit of their own: 403."""
    if membership.has_role(Role.HR_ADMIN):
        return None
    own = own_unit(user) if membership.has_role(Role.MANAGER) else None
    if own is None:
        raise PermissionDenied
    return set(OrgUnit.objects.filter(path__startswith=own.path).values_list("pk", flat=True))


def access_whatif_scorecard(membership, user, pk) -> Scorecard:
    """A scorecard to run a what-if on: another tenant's or a missing id is a 404; a manager's what-if on
    another unit's scorecard is a 403 (they may read it, not try changes on it)."""
    scope = whatif_scope(membership, user)
    scorecard = get_scoped_or_404(
        Scorecard.objects.select_related("period", "org_unit", "position", "position__org_unit"),
        parse_id(pk) or 0,
    )
    unit = scorecard.org_unit_id if scorecard.org_unit_id is not None else scorecard.position.org_unit_id
    if scope is not None and unit not in scope:
        raise PermissionDenied
    return scorecard
