"""Launching a campaign: its rater rules become rater assignments, each with the rater's attributes frozen.

Who rates whom, per rule:
- a rater unit: the active employees of that unit (and of its sub-units when the rule says so);
- a named person (an internal customer or a project lead): that person, if active;
- line manager (360): the rated person's `Employee.manager`, if active;
- peer (360): the active employees of the rated person's unit, the rated person aside.
Nobody rates their own unit (a unit is not rated by its own people, nor by those of its sub-units) nor
themselves. A rater who follows from several rules rates a subject once, in the first role of
`ROLE_PRIORITY` (a line manager who is also a peer rates as the line manager).

Frozen on each assignment (copied to the rating at submit, so a later move changes no slice): the rater's
unit, their business line — the nearest unit of kind `business_group` at or above their unit, else the top
unit of their branch — and their position's level.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import atomic_with_retry, lock_for_edit, mark_edited
from collab.models import Employee, OrgUnit
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
    RaterAssignment,
    RaterRole,
    RaterRule,
    ReviewCampaign,
    ReviewDimension,
)

ROLE_PRIORITY = (RaterRole.LINE_MANAGER, RaterRole.PROJECT_LEAD, RaterRole.INTERNAL_CUSTOMER, RaterRole.PEER)
BATCH = 2000


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def business_lines(units: Iterable[OrgUnit]) -> dict[int, int]:
    """{unit id: its business line's unit id}: the nearest `business_group` at or above it, else the top unit
    of its branch (one query)."""
    units = list(units)
    ancestors = {pk for unit in units for pk in _path_ids(unit.path)}
    kinds = dict(OrgUnit.objects.filter(pk__in=ancestors).values_list("pk", "kind"))
    lines: dict[int, int] = {}
    for unit in units:
        chain = _path_ids(unit.path) or [unit.pk]
        line = next((pk for pk in reversed(chain) if kinds.get(pk) == OrgUnit.Kind.BUSINESS_GROUP), chain[0])
        lines[unit.pk] = line
    return lines


def _within(unit_path: str, other_path: str) -> bool:
    return unit_path.startswith(other_path)


def planned_assignments(campaign: ReviewCampaign) -> list[RaterAssignment]:
    """The assignments the campaign's rules give (unsaved), deduplicated, with frozen attributes."""
    subjects = list(
        CampaignSubject.objects.filter(campaign=campaign).select_related("org_unit", "employee__org_unit")
    )
    rules = list(RaterRule.objects.filter(campaign=campaign).select_related("rater_unit"))
    if not subjects or not rules:
        return []
    wanted = [Q(pk__in=[r.rater_employee_id for r in rules if r.rater_employee_id])]
    exact = [r.rater_unit_id for r in rules if r.rater_unit_id and not r.include_sub_units]
    wanted.append(Q(org_unit_id__in=exact))
    trees = sorted({r.rater_unit.path for r in rules if r.rater_unit_id and r.include_sub_units})
    wanted.extend(Q(org_unit__path__startswith=path) for path in trees)
    people = [s.employee for s in subjects if s.employee_id]
    if any(r.rater_role == RaterRole.LINE_MANAGER for r in rules):
        wanted.append(Q(pk__in=[p.manager_id for p in people if p.manager_id]))
    if any(r.rater_role == RaterRole.PEER for r in rules):
        wanted.append(Q(org_unit_id__in=[p.org_unit_id for p in people]))
    raters = list(
        Employee.objects.filter(reduce(or_, wanted), is_active=True).select_related("org_unit", "position")
    )
    by_id = {e.pk: e for e in raters}
    lines = business_lines({e.org_unit_id: e.org_unit for e in raters}.values())

    def candidates(rule: RaterRule, subject: CampaignSubject) -> list[Employee]:
        if rule.rater_employee_id:
            return [by_id[rule.rater_employee_id]] if rule.rater_employee_id in by_id else []
        if rule.rater_unit_id:
            if rule.include_sub_units:
                return [e for e in raters if _within(e.org_unit.path, rule.rater_unit.path)]
            return [e for e in raters if e.org_unit_id == rule.rater_unit_id]
        person = subject.employee
        if person is None:
            return []
        if rule.rater_role == RaterRole.LINE_MANAGER:
            return [by_id[person.manager_id]] if person.manager_id in by_id else []
        if rule.rater_role == RaterRole.PEER:
            return [e for e in raters if e.org_unit_id == person.org_unit_id and e.pk != person.pk]
        return []

    chosen: dict[tuple[int, int], tuple[int, RaterRole, Employee]] = {}
    for rule in rules:
        for subject in [s for s in subjects if rule.subject_id in (None, s.pk)]:
            for rater in candidates(rule, subject):
                if subject.org_unit_id and _within(rater.org_unit.path, subject.org_unit.path):
                    continue  # nobody rates their own unit
                if subject.employee_id == rater.pk:
                    continue  # nor themselves
                rank = ROLE_PRIORITY.index(rule.rater_role)
                key = (subject.pk, rater.pk)
                if key not in chosen or rank < chosen[key][0]:
                    chosen[key] = (rank, rule.rater_role, rater)
    return [
        RaterAssignment(
            tenant_id=campaign.tenant_id, campaign=campaign, subject_id=subject_id, rater=rater,
            rater_role=role,
            rater_unit_id=rater.org_unit_id, rater_business_line_id=lines.get(rater.org_unit_id),
            rater_level=(rater.position.level if rater.position_id else "")[:30],
        )
        for (subject_id, _rater_id), (_rank, role, rater) in sorted(chosen.items())
    ]  # fmt: skip


def launch_refusals(campaign: ReviewCampaign) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if campaign.status != CampaignStatus.DRAFT:
        errors["status"] = [_("This campaign has been launched already.")]
        return errors
    if campaign.deadline <= timezone.now():
        errors["deadline"] = [_("The deadline has passed; move it before launching.")]
    if not CampaignSubject.objects.filter(campaign=campaign).exists():
        errors["subjects"] = [_("Add at least one subject to rate.")]
    if not RaterRule.objects.filter(campaign=campaign).exists():
        errors["rules"] = [_("Add at least one rater rule.")]
    if not ReviewDimension.objects.filter(template_id=campaign.template_id).exists():
        errors["template"] = [_("The template has no dimensions.")]
    return errors


@atomic_with_retry
def campaign_launch(*, actor, campaign: ReviewCampaign, lock_version) -> int:
    """Open a draft for ratings: materialise its rules into assignments (one bulk insert) and freeze its
    subjects and rules. Refused without subjects, rules or raters, or past the deadline. Returns the number
    of assignments."""
    current = lock_for_edit(ReviewCampaign, campaign, lock_version)
    errors = launch_refusals(current)
    if errors:
        raise ValidationError(errors)
    planned = planned_assignments(current)
    if not planned:
        raise ValidationError({"rules": [_("These rules give no rater: nobody could rate any subject.")]})
    RaterAssignment.objects.bulk_create(planned, batch_size=BATCH)
    current.status = CampaignStatus.OPEN
    current.launched_at = timezone.now()
    columns = mark_edited(current, actor)
    current.save(update_fields=["status", "launched_at", *columns])
    raters = len({a.rater_id for a in planned})
    audit_record(
        actor=actor, action="review_campaign.launch", obj=current,
        after={"status": current.status, "assignments": len(planned), "raters": raters},
    )  # fmt: skip
    return len(planned)
