"""Point proposals: propose, approve, reject (seed 000 §三.2.1: 项目负责人或直线经理提出, 更高层审核确认).

Who proposes (`proposer` is the acting member's Employee record, `proposer_role` what they propose as):
- a line manager: the subject employee is below them in the reporting line (`Employee.manager`, any number
  of levels), or the subject unit is their own unit or under it and they manage someone (a line manager);
- a project lead: someone HR lists as a project lead (`PointProjectLead`); they may propose for anyone.
Nobody proposes for themselves; someone must be above the proposer to approve it. Per proposer, role and
period the absolute points proposed (open and approved proposals) stay within the cap of the tenant's
`PointSettings`; the proposer's Employee row is locked while that sum is read, so two proposals sent at once
cannot both pass.

Who approves: someone above the proposer in the proposer's reporting line (an ancestor through
`Employee.manager`), never the proposer — whatever roles they hold. HR admins do not bypass the chain: the
seed asks for a higher level's confirmation, and HR corrects through the ledger (`point_ledger_correct`)
instead. With a second approval level the first approval moves the proposal to "awaiting second
approval" and someone above the first approver finishes it; when the first approver has nobody above
them, theirs is the final approval (nobody is higher).

Once: each decision locks the proposal row and looks at its state first. A retried or double-clicked
approve (or reject) by the same person answers the state their first request produced, with no second
ledger entry; any other write on an old `lock_version` is a 409.

Evidence (a reason and evidence, seed 000 §三.2.1): at least one of an attachment, a link or events cited
from the collaboration event log; what each may be is `feedback.services.points.evidence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import editor, lock_for_edit, mark_edited
from collab.models import Employee, OrgUnit, Period
from collab.text import clean_text
from feedback.models import (
    PointEvidence,
    PointItem,
    PointProjectLead,
    PointProposal,
    PointProposalEvent,
    ProposalStatus,
    ProposerRole,
)
from feedback.selectors.points import manager_chain
from feedback.services.points.catalog import point_settings_current
from feedback.services.points.evidence import cited_event_ids, evidence_file_read, evidence_link_checked
from feedback.services.points.ledger import ledger_entry_from_proposal


def _snapshot(proposal: PointProposal) -> dict[str, Any]:
    return {
        "subject_employee": proposal.subject_employee_id, "subject_unit": proposal.subject_unit_id,
        "item": proposal.item_id, "points": str(proposal.points), "period": proposal.period_id,
        "proposer": proposal.proposer_id, "proposer_role": proposal.proposer_role, "status": proposal.status,
        "first_approver": proposal.first_approver_id, "decided_by": proposal.decided_by_id,
        "decision_note": proposal.decision_note,
    }  # fmt: skip


def _scoped(model, obj, **filters):
    pk = getattr(obj, "pk", None)
    return model.objects.filter(pk=pk, **filters).first() if pk is not None else None


def _is_line_manager_of(proposer: Employee, *, person: Employee | None, unit: OrgUnit | None) -> bool:
    if person is not None:
        return proposer.pk in manager_chain(person.pk)
    if unit is None or not Employee.objects.filter(manager_id=proposer.pk, is_active=True).exists():
        return False
    own = OrgUnit.objects.filter(pk=proposer.org_unit_id).values_list("path", flat=True).first()
    return bool(own) and unit.path.startswith(own)


def _proposed_sum(proposer: Employee, role: str, period: Period) -> Any:
    counted = PointProposal.objects.filter(proposer=proposer, proposer_role=role, period=period).exclude(
        status=ProposalStatus.REJECTED
    )
    return counted.aggregate(total=Sum(Abs("points")))["total"] or 0


@transaction.atomic
def point_proposal_create(
    *, actor, proposer: Employee | None, data: Mapping[str, Any], evidence_file=None
) -> PointProposal:
    """A proposal of `data["item"]`'s points for `data["subject_employee"]` or `data["subject_unit"]` in
    `data["period"]`, with `reason`, `proposer_role` and optionally `evidence_link`; `evidence_file` an
    uploaded file; `evidence_events` collaboration events (or their ids) cited as evidence. Field errors name
    what is wrong; nothing is written then."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    me = None
    if proposer is not None:
        me = Employee.objects.select_for_update().filter(pk=proposer.pk, is_active=True).first()
    if me is None:
        raise ValidationError(
            {"proposer": [_("Your account is not linked to an active employee record; ask an HR admin.")]}
        )
    person = _scoped(Employee, data.get("subject_employee"))
    unit = _scoped(OrgUnit, data.get("subject_unit"))
    if (data.get("subject_employee") is None) == (data.get("subject_unit") is None):
        fail("subject_employee", _("Choose either an employee or a unit."))
    elif data.get("subject_employee") is not None and (person is None or not person.is_active):
        fail("subject_employee", _("Choose an active employee."))
    elif data.get("subject_unit") is not None and unit is None:
        fail("subject_unit", _("Choose a unit."))
    if person is not None and person.pk == me.pk:
        fail("subject_employee", _("You cannot propose points for yourself."))
    item = _scoped(PointItem, data.get("item"))
    if item is None or not item.is_active:
        fail("item", _("Choose an active point item."))
    elif person is not None and person.is_active and not item.applies_to(person.position):
        fail(
            "item",
            _("This item is not for %(name)s's management level or job family.") % {"name": person.name},
        )
    period = _scoped(Period, data.get("period"))
    if period is None:
        fail("period", _("Choose a period."))
    elif period.status == Period.Status.CLOSED:
        fail("period", _("The period is closed; its points are final."))
    reason = ""
    try:
        reason = clean_text(data.get("reason"), 5000)
    except ValueError as error:
        fail("reason", str(error))
    else:
        if not reason:
            fail("reason", _("Say why these points are proposed."))
    link, upload = "", None
    try:
        link = evidence_link_checked(data.get("evidence_link"))
    except ValueError as error:
        fail("evidence_link", str(error))
    try:
        upload = evidence_file_read(evidence_file)
    except ValueError as error:
        fail("evidence_file", str(error))
    events: list[int] = []
    subject_known = not errors.get("subject_employee") and not errors.get("subject_unit")
    if subject_known and period is not None:
        try:
            events = cited_event_ids(me, data.get("evidence_events"), person=person, unit=unit, period=period)
        except ValueError as error:
            fail("evidence_events", str(error))
    if not (link or upload or events or errors.get("evidence_link") or errors.get("evidence_file")
            or errors.get("evidence_events")):  # fmt: skip
        fail("evidence", _("Give evidence: a link, an attachment or events from the collaboration log."))
    role = data.get("proposer_role")
    if role not in ProposerRole.values:
        fail("proposer_role", _("Choose whether you propose as line manager or as project lead."))
    elif role == ProposerRole.PROJECT_LEAD:
        if not PointProjectLead.objects.filter(employee=me).exists():
            fail("proposer_role", _("HR has not named you a project lead."))
    elif not errors.get("subject_employee") and not errors.get("subject_unit"):
        if not _is_line_manager_of(me, person=person, unit=unit):
            fail("proposer_role", _("You are not the line manager of this employee or unit."))
    if me.manager_id is None:
        fail("proposer", _("Nobody is above you in the reporting line to approve a proposal."))
    if errors:
        raise ValidationError(errors)
    settings = point_settings_current()
    cap = settings.cap_of(role)
    used = _proposed_sum(me, role, period)
    if used + abs(item.points) > cap:
        raise ValidationError({"item": [
            _("Over your cap: as %(role)s you may propose %(cap)s points in %(period)s; %(used)s are "
              "proposed already and this item has %(points)s.") % {
                "role": ProposerRole(role).label, "cap": cap, "period": period.label, "used": used,
                "points": abs(item.points),
            },
        ]})  # fmt: skip
    proposal = PointProposal.objects.create(
        subject_employee=person, subject_unit=unit if person is None else None, item=item, points=item.points,
        period=period, reason=reason, evidence_link=link, proposer=me, proposer_role=role,
        created_by=editor(actor), updated_by=editor(actor),
    )  # fmt: skip
    if upload is not None:
        PointEvidence.objects.create(proposal=proposal, **upload)
    for event in events:  # at most MAX_CITED_EVENTS rows; save() checks both keys are this tenant's
        PointProposalEvent(proposal=proposal, event_id=event).save()
    after = _snapshot(proposal) | {
        "evidence_file_name": upload["name"] if upload else "", "evidence_events": events,
    }  # fmt: skip
    audit_record(actor=actor, action="point_proposal.create", obj=proposal, after=after)
    return proposal


def _locked(proposal: PointProposal) -> PointProposal:
    found = PointProposal.objects.select_for_update().filter(pk=getattr(proposal, "pk", None)).first()
    if found is None:
        raise PointProposal.DoesNotExist
    return found


def _may_decide(current: PointProposal, approver: Employee | None) -> None:
    """Refuse an approver who may not decide the proposal at its stage (field errors, key "approver")."""
    if approver is None:
        raise ValidationError({"approver": [_("Your account is not linked to an employee record.")]})
    if approver.pk == current.proposer_id:
        raise ValidationError({"approver": [_("You proposed this; someone above you decides it.")]})
    if current.status == ProposalStatus.AWAITING_SECOND:
        if approver.pk == current.first_approver_id or approver.pk not in manager_chain(
            current.first_approver_id
        ):
            raise ValidationError({"approver": [
                _("The second approval is for someone above the first approver in the reporting line."),
            ]})  # fmt: skip
    elif approver.pk not in manager_chain(current.proposer_id):
        raise ValidationError({"approver": [
            _("Only someone above the proposer in the reporting line decides this proposal."),
        ]})  # fmt: skip


def _decide_start(proposal, approver, lock_version, *, done) -> tuple[PointProposal, bool]:
    """The locked proposal and whether this is a repeat of a decision `approver` made already."""
    current = _locked(proposal)
    if approver is not None and done(current, approver.pk):
        return current, True
    current = lock_for_edit(PointProposal, current, lock_version)
    if not current.is_open:
        raise ValidationError({"status": [_("This proposal was decided already.")]})
    _may_decide(current, approver)
    return current, False


def _approved_by(current: PointProposal, pk: int) -> bool:
    if current.status == ProposalStatus.APPROVED:
        return current.decided_by_id == pk
    return current.status == ProposalStatus.AWAITING_SECOND and current.first_approver_id == pk


@transaction.atomic
def point_proposal_approve(
    *, actor, approver: Employee | None, proposal: PointProposal, lock_version: Any, note: Any = ""
) -> PointProposal:
    """Approve (first or second level). A final approval writes the ledger entry and queues the recompute
    of the scorecards it counts toward."""
    try:
        text = clean_text(note, 5000)
    except ValueError as error:
        raise ValidationError({"reason": [str(error)]}) from None
    current, repeated = _decide_start(proposal, approver, lock_version, done=_approved_by)
    if repeated:
        return current
    before = _snapshot(current)
    now = timezone.now()
    final = True
    if current.status == ProposalStatus.PENDING and point_settings_current().second_approval:
        final = not manager_chain(approver.pk)  # nobody above the first approver: theirs is final
        current.first_approver, current.first_approved_at = approver, now
    if final:
        current.status = ProposalStatus.APPROVED
        current.decided_by, current.decided_at = approver, now
    else:
        current.status = ProposalStatus.AWAITING_SECOND
    if text:
        current.decision_note = f"{current.decision_note}\n{text}".strip()
    columns = mark_edited(current, actor)
    fields = ["status", "first_approver", "first_approved_at", "decided_by", "decided_at", "decision_note"]
    current.save(update_fields=[*fields, *columns])
    audit_record(
        actor=actor, action="point_proposal.approve", obj=current, before=before, after=_snapshot(current)
    )
    if final:
        ledger_entry_from_proposal(actor=actor, proposal=current)
    return current


@transaction.atomic
def point_proposal_reject(
    *, actor, approver: Employee | None, proposal: PointProposal, lock_version: Any, reason: Any
) -> PointProposal:
    """Reject, saying why (required). Its points stop counting against the proposer's cap."""
    try:
        text = clean_text(reason, 5000)
    except ValueError as error:
        raise ValidationError({"reason": [str(error)]}) from None

    def rejected_by(current, pk):
        return current.status == ProposalStatus.REJECTED and current.decided_by_id == pk

    current, repeated = _decide_start(proposal, approver, lock_version, done=rejected_by)
    if repeated:
        return current
    if not text:
        raise ValidationError({"reason": [_("Say why the proposal is rejected.")]})
    before = _snapshot(current)
    current.status = ProposalStatus.REJECTED
    current.decided_by, current.decided_at = approver, timezone.now()
    current.decision_note = f"{current.decision_note}\n{text}".strip()
    columns = mark_edited(current, actor)
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_note", *columns])
    audit_record(
        actor=actor, action="point_proposal.reject", obj=current, before=before, after=_snapshot(current)
    )
    return current
