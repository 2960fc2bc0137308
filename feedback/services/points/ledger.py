"""The points ledger: the entry a final approval writes, HR's corrections, and the recompute both ask for.

An entry is written once and never changed (`PointLedgerEntry` refuses updates and deletes); a correction
is a new entry that `corrects` another, with a reason. What counts for scores is frozen on the entry: the
subject's unit and position when it was written, the item, the signed points, the period and its year.

Scores (DESIGN.md §6, `interlock.hooks.score_points`, `feedback.selectors.points.points_for_scores`): an
entry counts toward the scorecard of its frozen unit and, for an employee, of their frozen position, in its
own period. After a write, the recompute of exactly those scorecards is queued in the writer's
transaction (`reason="points"`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import editor
from collab.models import Employee
from collab.text import clean_text
from feedback.models import PointLedgerEntry, PointProposal
from feedback.services.points.catalog import points_value
from interlock.recompute import scores_recompute_request
from interlock.selectors.scorecards import scorecard_ids_of_subjects

ENTRY_FIELDS = [
    "employee",
    "org_unit",
    "position",
    "item",
    "item_name",
    "points",
    "period",
    "year",
    "corrects",
]


def entry_snapshot(entry: PointLedgerEntry) -> dict[str, Any]:
    return {
        "employee": entry.employee_id, "org_unit": entry.org_unit_id, "position": entry.position_id,
        "item": entry.item_id, "item_name": entry.item_name, "points": str(entry.points),
        "period": entry.period_id, "year": entry.year, "corrects": entry.corrects_id,
        "proposal": entry.proposal_id, "reason": entry.reason,
    }  # fmt: skip


def points_recompute_request(*, entry: PointLedgerEntry, actor=None) -> None:
    """Queue the recompute of the scorecards the entry counts toward (none: nothing is queued)."""
    positions = [entry.position_id] if entry.position_id else []
    ids = scorecard_ids_of_subjects(entry.period_id, units=[entry.org_unit_id], positions=positions)
    if ids:
        scores_recompute_request(period=entry.period_id, reason="points", scorecard_ids=ids, actor=actor)


def ledger_entry_from_proposal(*, actor, proposal: PointProposal) -> PointLedgerEntry:
    """The entry of a proposal's final approval (called by `point_proposal_approve`, in its transaction).
    The proposal's one-to-one key makes a second entry of the same proposal impossible."""
    if proposal.subject_employee_id is not None:
        person = Employee.objects.get(pk=proposal.subject_employee_id)
        unit_id, position_id, employee_id = person.org_unit_id, person.position_id, person.pk
    else:
        unit_id, position_id, employee_id = proposal.subject_unit_id, None, None
    entry = PointLedgerEntry.objects.create(
        proposal=proposal, employee_id=employee_id, org_unit_id=unit_id, position_id=position_id,
        item=proposal.item, item_name=proposal.item.name, points=proposal.points, period=proposal.period,
        year=proposal.period.year, reason=proposal.reason, created_by=editor(actor),
    )  # fmt: skip
    audit_record(actor=actor, action="point_ledger.create", obj=entry, after=entry_snapshot(entry))
    points_recompute_request(entry=entry, actor=actor)
    return entry


@transaction.atomic
def point_ledger_correct(*, actor, entry: PointLedgerEntry, points: Any, reason: Any) -> PointLedgerEntry:
    """A correction of `entry` (HR): a new entry of the same subject, item and period with the signed
    `points` it adds (e.g. the opposite of the entry's, to cancel it) and why."""
    errors: dict[str, list[str]] = {}
    value = None
    try:
        value = points_value(points)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    text = ""
    try:
        text = clean_text(reason, 5000)
    except ValueError as error:
        errors["reason"] = [str(error)]
    else:
        if not text:
            errors["reason"] = [_("Say why the entry is corrected.")]
    original = PointLedgerEntry.objects.select_related("period").filter(pk=getattr(entry, "pk", None)).first()
    if original is None:
        errors["corrects"] = [_("No such ledger entry.")]
    if errors:
        raise ValidationError(errors)
    correction = PointLedgerEntry.objects.create(
        corrects=original, employee_id=original.employee_id, org_unit_id=original.org_unit_id,
        position_id=original.position_id, item_id=original.item_id, item_name=original.item_name,
        points=value, period_id=original.period_id, year=original.year, reason=text,
        created_by=editor(actor),
    )  # fmt: skip
    audit_record(actor=actor, action="point_ledger.correct", obj=correction, after=entry_snapshot(correction))
    points_recompute_request(entry=correction, actor=actor)
    return correction
