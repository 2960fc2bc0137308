"""Access by noun for goals: KPIs, objectives, goals and measurements — one door for pages, API and services.

`access_<noun>_by_id(membership, pk, *, write=False, lock=False)` (see `collab.access.access_by_id`): a
missing id and another tenant's id are the same 404, a role that may not is a 403, `lock` locks the row.

Everyone in a tenant reads the KPI library, the strategy map and the measurements; HR admins change
them. Goals: HR admins, managers, committee members and auditors read the whole tree; an employee reads
the part of it that belongs to their unit (a goal of their unit or a unit below it, and everything
under such a goal), exactly what the tree page shows them.
"""

from __future__ import annotations

from django.http import Http404

from collab.access import HR_WRITES, access_by_id
from collab.models import ALL_BUT_EMPLOYEES, ALL_ROLES, Employee
from goals.models import KPI, Goal, Measurement, Objective, ObjectiveLink

GOALS_READERS = ALL_ROLES  # an employee: their unit's part of the tree only (see `access_goal_by_id`)
GOAL_TREE_READERS = ALL_BUT_EMPLOYEES  # the whole tree
GOALS_WRITERS = HR_WRITES


def access_kpi_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> KPI:
    return access_by_id(
        KPI.objects.select_related("owner_unit"), membership, pk,
        readers=GOALS_READERS, writers=GOALS_WRITERS, write=write, lock=lock,
    )


def access_objective_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Objective:
    return access_by_id(
        Objective.objects.select_related("period"), membership, pk,
        readers=GOALS_READERS, writers=GOALS_WRITERS, write=write, lock=lock,
    )


def access_objective_link_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> ObjectiveLink:
    return access_by_id(
        ObjectiveLink.objects.select_related("cause__period", "effect"), membership, pk,
        readers=GOALS_READERS, writers=GOALS_WRITERS, write=write, lock=lock,
    )


def access_measurement_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Measurement:
    return access_by_id(
        Measurement.objects.select_related("kpi", "period"), membership, pk,
        readers=GOALS_READERS, writers=GOALS_WRITERS, write=write, lock=lock,
    )


def access_goal_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Goal:
    goal = access_by_id(
        Goal.objects.select_related("period", "org_unit", "kpi", "position"), membership, pk,
        readers=GOALS_READERS, writers=GOALS_WRITERS, write=write, lock=lock,
    )
    if not write and not membership.has_role(*GOAL_TREE_READERS) and not _in_own_part(membership, goal):
        raise Http404
    return goal


def _in_own_part(membership, goal: Goal) -> bool:
    """Whether the goal or a goal above it belongs to the member's own unit or a unit below it."""
    unit_path = (
        Employee.objects.filter(user_id=membership.user_id, is_active=True)
        .values_list("org_unit__path", flat=True)
        .first()
    )
    if unit_path is None:
        return False
    chain = [int(part) for part in goal.path.strip("/").split("/") if part]
    return Goal.objects.filter(pk__in=chain, org_unit__path__startswith=unit_path).exists()
