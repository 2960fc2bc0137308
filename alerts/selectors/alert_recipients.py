"""Who hears of an alert (issue 12 §4): the managers of the stage's owner unit and of its collaborating
units when it fires or resolves, then along the escalation chain — the stage's escalation role, then the
process owner.

A unit's managers are the active employees of that unit with an active login who either hold the manager
role in the tenant or have active reports (the org chart has no "head of unit" field). The escalation role
is free text on the stage: the people whose position title is that text (case-insensitive); when nobody holds
it, the managers of the owner unit's parent. The process owner is `Process.owner`'s login; without one, the
managers of the process's owner unit. Every answer is a list of users, without duplicates, in id order."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from alerts.models import Alert, EscalationLevel, ProcessStageUnit
from collab.models import Employee, Membership, OrgUnit, Role
from collab.selectors.platform import holding_role


def unit_managers(unit_ids: Iterable[int]) -> dict[int, list]:
    """{unit id: its managers' users} (two queries)."""
    unit_ids = {pk for pk in unit_ids if pk}
    if not unit_ids:
        return {}
    managers = set(
        Membership.objects.filter(holding_role(Role.MANAGER), is_active=True).values_list(
            "user_id", flat=True
        )
    )
    people = (
        Employee.objects.filter(org_unit_id__in=unit_ids, is_active=True, user__isnull=False,
                                user__is_active=True)
        .filter(Q(user_id__in=managers) | Q(reports__is_active=True))
        .select_related("user").distinct().order_by("user_id")
    )  # fmt: skip
    found: dict[int, list] = {}
    for person in people:
        found.setdefault(person.org_unit_id, []).append(person.user)
    return found


def _unique(users: Iterable) -> list:
    seen, out = set(), []
    for user in users:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return sorted(out, key=lambda u: u.pk)


def stage_audience(alerts: Iterable[Alert]) -> dict[int, list]:
    """{alert id: the owner unit's and collaborating units' managers} for many alerts at once."""
    alerts = list(alerts)
    stage_ids = {a.stage_id for a in alerts}
    links: dict[int, list[int]] = {}
    for stage_id, unit_id in ProcessStageUnit.objects.filter(stage_id__in=stage_ids).values_list(
        "stage_id", "org_unit_id"
    ):
        links.setdefault(stage_id, []).append(unit_id)
    units = {a.stage.owner_unit_id for a in alerts} | {u for ids in links.values() for u in ids}
    managers = unit_managers(units)
    return {
        a.pk: _unique(u for unit in [a.stage.owner_unit_id, *links.get(a.stage_id, [])]
                      for u in managers.get(unit, []))
        for a in alerts
    }  # fmt: skip


def escalation_audience(alert: Alert, level: int) -> list:
    """Who an alert escalated to `level` reaches."""
    stage, process = alert.stage, alert.process
    if level == EscalationLevel.ESCALATION_ROLE:
        role = stage.escalation_role.strip()
        holders = []
        if role:
            holders = [p.user for p in Employee.objects.filter(
                position__title__iexact=role, is_active=True, user__isnull=False, user__is_active=True
            ).select_related("user").order_by("user_id")]  # fmt: skip
        if holders:
            return _unique(holders)
        parent = OrgUnit.objects.filter(pk=stage.owner_unit_id).values_list("parent_id", flat=True).first()
        return _unique(unit_managers([parent]).get(parent, [])) if parent else []
    if level == EscalationLevel.PROCESS_OWNER:
        owner = process.owner
        if owner is not None and owner.is_active and owner.user_id and owner.user.is_active:
            return [owner.user]
        return _unique(unit_managers([process.owner_unit_id]).get(process.owner_unit_id, []))
    return stage_audience([alert]).get(alert.pk, [])
