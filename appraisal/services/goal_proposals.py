"""Goals set together (issue 11 point 2): the employee proposes, the manager accepts (optionally editing
the target and weight) or returns with a comment.

- In goal setting (open for the person: `stage_open`, a reopening included) the employee proposes a new
  personal goal under one of their position's goals in the cycle's period (a KPI of the library, a target,
  a weight), or a weight change of an agreed personal goal.
- During the period (check-ins stage on, before FINAL) a change is a `revision` with a required reason.
- Only the appraisal's manager (frozen at launch) answers; a return needs a comment; a returned proposal
  is edited by the employee and proposed again.
- An accepted new goal enters the goal tree through `goals.services.tree.nodes.goal_create` (a node of the
  person's position under the chosen position goal, with the KPI and weight; a node the position already
  holds for that KPI there is reused, since the tree holds a KPI once per position and parent) and becomes
  a `PersonalGoal` with version 1. An accepted weight change or revision bumps the version and keeps the
  previous one (`PersonalGoalVersion`).
- Weights should add up to 100 when goal setting closes: the pages show the sum and warn; no proposal is
  refused for it.
Every write is audited; stale saves raise `StaleEditError` (409)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.audit import AppraisalAuditAction as Action
from appraisal.models import (
    Appraisal,
    CycleStatus,
    GoalProposal,
    PersonalGoal,
    PersonalGoalVersion,
    ProposalKind,
    ProposalStatus,
    Stage,
)
from appraisal.selectors.goal_proposals import kind_open, position_goals
from collab.audit import audit_record
from collab.concurrency import UNSET, editor, lock_for_edit, mark_edited
from collab.text import clean_text
from goals.models import KPI, Goal
from goals.services.tree.nodes import goal_create
from goals.services.tree.rules import clean_weight

TARGET_LIMIT = Decimal("1e10")


def _snapshot(proposal: GoalProposal) -> dict[str, Any]:
    return {
        "appraisal": proposal.appraisal_id, "kind": proposal.kind, "parent_goal": proposal.parent_goal_id,
        "personal_goal": proposal.personal_goal_id, "kpi": proposal.kpi_id,
        "target": None if proposal.target is None else str(proposal.target),
        "weight": None if proposal.weight is None else str(proposal.weight), "reason": proposal.reason,
        "status": proposal.status, "manager_comment": proposal.manager_comment,
    }  # fmt: skip


def clean_target(value: Any, field: str = "target") -> Decimal:
    """A finite number with at most four decimals (the column's precision), or a field error."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: _("Enter the target.")})
    try:
        target = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not target.is_finite() or abs(target) >= TARGET_LIMIT:
        raise ValidationError({field: _("Enter a number below ten billion.")})
    if target != target.quantize(Decimal("0.0001")):
        raise ValidationError({field: _("Use at most four decimal places.")})
    return target.quantize(Decimal("0.0001"))


def _is_employee(actor, appraisal: Appraisal) -> bool:
    return actor is not None and appraisal.employee.user_id == getattr(actor, "pk", None)


def _is_manager(actor, appraisal: Appraisal) -> bool:
    return (
        actor is not None and appraisal.manager_id is not None
        and appraisal.manager.user_id == getattr(actor, "pk", None)
    )  # fmt: skip


def _gate(appraisal: Appraisal, kind: str, now: datetime | None) -> None:
    if appraisal.stage == Stage.FINAL:
        raise ValidationError({"kind": [_("This appraisal is final; its goals no longer change.")]})
    if not kind_open(appraisal, kind, now=now):
        if kind == ProposalKind.REVISION:
            message = _(
                "A revision is asked for during the period, after goal setting and before the result."
            )
        else:
            message = _("Goal setting is not open for this person: during the period, ask for a revision.")
        raise ValidationError({"kind": [message]})


def _own_goal(appraisal: Appraisal, goal: Any) -> PersonalGoal | None:
    pk = getattr(goal, "pk", None)
    if pk is None:
        return None
    return PersonalGoal.objects.filter(pk=pk, appraisal=appraisal).select_related("kpi", "goal").first()


def _content(appraisal: Appraisal, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The proposal's fields from `data`, checked for `kind` (field errors, nothing written)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    values: dict[str, Any] = {"parent_goal": None, "personal_goal": None, "kpi": None, "target": None,
                              "weight": None, "reason": ""}  # fmt: skip
    try:
        values["reason"] = clean_text(data.get("reason"), 5000)
    except ValueError as error:
        fail("reason", str(error))
    if kind == ProposalKind.NEW:
        parent = data.get("parent_goal")
        parent_pk = getattr(parent, "pk", None)
        found = position_goals(appraisal).filter(pk=parent_pk).first() if parent_pk else None
        if appraisal.position_id is None:
            fail("parent_goal", _("You hold no position in this cycle, so there is no position goal to "
                                  "propose under; ask HR."))  # fmt: skip
        elif found is None:
            fail("parent_goal", _("Choose one of your position's goals in the cycle's period."))
        values["parent_goal"] = found
        kpi_pk = getattr(data.get("kpi"), "pk", None)
        kpi = KPI.objects.filter(pk=kpi_pk).first() if kpi_pk else None
        if kpi is None or not kpi.is_active:
            fail("kpi", _("Choose an active KPI from the library."))
        values["kpi"] = kpi
        for name, clean in (("target", clean_target), ("weight", clean_weight)):
            try:
                values[name] = clean(data.get(name), name)
            except ValidationError as invalid:
                for message in invalid.message_dict.get(name, []):
                    fail(name, message)
        if found is not None and kpi is not None and PersonalGoal.objects.filter(
            appraisal=appraisal, kpi=kpi, goal__parent_id=found.pk
        ).exists():
            fail("kpi", _("You already have this KPI under this goal."))
    else:
        goal = _own_goal(appraisal, data.get("personal_goal"))
        if goal is None:
            fail("personal_goal", _("Choose one of your agreed goals."))
        values["personal_goal"] = goal
        if goal is not None:
            values["kpi"] = goal.kpi
        if kind == ProposalKind.WEIGHT:
            try:
                values["weight"] = clean_weight(data.get("weight"))
            except ValidationError as invalid:
                for message in invalid.message_dict.get("weight", []):
                    fail("weight", message)
        else:
            given = {name: data.get(name) for name in ("target", "weight")
                     if data.get(name) not in (None, "")}  # fmt: skip
            if not given:
                fail("target", _("Give a new target, a new weight or both."))
            for name, value in given.items():
                try:
                    values[name] = (clean_target if name == "target" else clean_weight)(value, name)
                except ValidationError as invalid:
                    for message in invalid.message_dict.get(name, []):
                        fail(name, message)
            if not values["reason"] and "reason" not in errors:
                fail("reason", _("Say why the goal changes."))
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def goal_proposal_create(
    *, actor, appraisal: Appraisal, data: Mapping[str, Any], now: datetime | None = None
) -> GoalProposal:
    """The employee proposes: `data["kind"]` new (parent_goal, kpi, target, weight), weight (personal_goal,
    weight) or revision (personal_goal, target and/or weight, reason)."""
    appraisal = Appraisal.objects.select_related("employee", "manager", "cycle").get(pk=appraisal.pk)
    if not _is_employee(actor, appraisal):
        raise ValidationError({"appraisal": [_("Only the person appraised proposes their goals.")]})
    kind = data.get("kind") or ProposalKind.NEW
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": [_("Choose a new goal, a weight change or a revision.")]})
    _gate(appraisal, kind, now)
    values = _content(appraisal, kind, data)
    proposal = GoalProposal.objects.create(
        appraisal=appraisal, kind=kind, created_by=editor(actor), updated_by=editor(actor), **values
    )
    audit_record(actor=actor, action=Action.GOAL_PROPOSE, obj=proposal, after=_snapshot(proposal))
    return proposal


def _locked(proposal: GoalProposal, lock_version: Any) -> GoalProposal:
    queryset = GoalProposal.objects.select_related("appraisal__employee", "appraisal__manager",
                                                   "appraisal__cycle")  # fmt: skip
    return lock_for_edit(GoalProposal, proposal, lock_version, queryset=queryset)


@transaction.atomic
def goal_proposal_update(
    *, actor, proposal: GoalProposal, data: Mapping[str, Any], lock_version: Any, now: datetime | None = None
) -> GoalProposal:
    """The employee edits a returned (or still open) proposal and proposes it again; its kind stays."""
    current = _locked(proposal, lock_version)
    appraisal = current.appraisal
    if not _is_employee(actor, appraisal):
        raise ValidationError({"appraisal": [_("Only the person appraised edits their proposals.")]})
    if current.status not in (ProposalStatus.PROPOSED, ProposalStatus.RETURNED):
        raise ValidationError({"status": [_("This proposal was answered already; propose anew.")]})
    _gate(appraisal, current.kind, now)
    before = _snapshot(current)
    for name, value in _content(appraisal, current.kind, data).items():
        setattr(current, name, value)
    current.status = ProposalStatus.PROPOSED
    fields = ["parent_goal", "personal_goal", "kpi", "target", "weight", "reason", "status"]
    current.save(update_fields=[*fields, *mark_edited(current, actor)])
    audit_record(
        actor=actor, action=Action.GOAL_PROPOSAL_UPDATE, obj=current, before=before, after=_snapshot(current)
    )
    return current


@transaction.atomic
def goal_proposal_withdraw(*, actor, proposal: GoalProposal, lock_version: Any) -> GoalProposal:
    """The employee takes back a proposal not yet accepted (open or returned): it stays listed as
    withdrawn, and its weight no longer counts among the open proposals."""
    current = _locked(proposal, lock_version)
    if not _is_employee(actor, current.appraisal):
        raise ValidationError({"appraisal": [_("Only the person appraised withdraws their proposals.")]})
    if current.status not in (ProposalStatus.PROPOSED, ProposalStatus.RETURNED):
        raise ValidationError({"status": [_("Only an open or returned proposal can be withdrawn.")]})
    before = _snapshot(current)
    current.status = ProposalStatus.WITHDRAWN
    current.save(update_fields=["status", *mark_edited(current, actor)])
    after = _snapshot(current)
    audit_record(actor=actor, action=Action.GOAL_WITHDRAW, obj=current, before=before, after=after)
    return current


def _answer_start(actor, proposal, lock_version, now, *, accepting: bool) -> GoalProposal:
    """The locked proposal, if `actor` may answer it now: accepting needs its kind's stage open; a return
    (which changes no goal) is allowed until the appraisal is final, so a proposal left open when goal
    setting closed does not wait forever."""
    current = _locked(proposal, lock_version)
    if not _is_manager(actor, current.appraisal):
        raise ValidationError({"appraisal": [_("Only the person's manager answers their goal proposals.")]})
    if current.status != ProposalStatus.PROPOSED:
        raise ValidationError({"status": [_("This proposal is not waiting for an answer.")]})
    if accepting:
        _gate(current.appraisal, current.kind, now)
    elif not answerable(current.appraisal):
        raise ValidationError({"kind": [_("This appraisal is final; its goals no longer change.")]})
    return current


def answerable(appraisal: Appraisal) -> bool:
    """Whether a proposal may still be returned (the cycle active, the appraisal not final)."""
    return appraisal.cycle.status == CycleStatus.ACTIVE and appraisal.stage != Stage.FINAL


def _tree_node(actor, appraisal: Appraisal, parent: Goal, kpi: KPI, weight: Decimal) -> Goal:
    """The position's node for `kpi` under `parent`: the one the tree holds already, or a new one."""
    position = appraisal.position
    existing = Goal.objects.filter(
        period_id=parent.period_id, parent=parent, org_unit_id=position.org_unit_id, position=position,
        kpi=kpi,
    ).first()  # fmt: skip
    if existing is not None:
        return existing
    return goal_create(
        actor=actor, period=parent.period, org_unit=position.org_unit, kpi=kpi, parent=parent,
        position=position, weight=weight,
    )  # fmt: skip


@transaction.atomic
def goal_proposal_accept(
    *, actor, proposal: GoalProposal, lock_version: Any, target: Any = UNSET, weight: Any = UNSET,
    comment: Any = "", now: datetime | None = None,
) -> GoalProposal:  # fmt: skip
    """The manager accepts, optionally with another target or weight; the goal is agreed (see the
    module's docstring)."""
    current = _answer_start(actor, proposal, lock_version, now, accepting=True)
    try:
        text = clean_text(comment, 5000)
    except ValueError as error:
        raise ValidationError({"manager_comment": [str(error)]}) from None
    before = _snapshot(current)
    if target not in (UNSET, None, "") and current.kind != ProposalKind.WEIGHT:
        current.target = clean_target(target)
    if weight not in (UNSET, None, ""):
        current.weight = clean_weight(weight)
    appraisal = current.appraisal
    if current.kind == ProposalKind.NEW:
        parent = Goal.objects.select_related("period").filter(pk=current.parent_goal_id).first()
        if parent is None or appraisal.position_id is None:
            raise ValidationError({"parent_goal": [_("The position goal is gone; return the proposal.")]})
        node = _tree_node(actor, appraisal, parent, current.kpi, current.weight)
        if PersonalGoal.objects.filter(appraisal=appraisal, goal=node).exists():
            raise ValidationError({"kpi": [_("The person has this goal already.")]})
        goal = PersonalGoal.objects.create(
            appraisal=appraisal, goal=node, kpi=current.kpi, target=current.target, weight=current.weight,
            version=1, updated_by=editor(actor),
        )  # fmt: skip
        current.personal_goal = goal
    else:
        goal = PersonalGoal.objects.select_for_update().filter(pk=current.personal_goal_id).first()
        if goal is None:
            raise ValidationError({"personal_goal": [_("This goal no longer exists.")]})
        if current.target is not None:
            goal.target = current.target
        if current.weight is not None:
            goal.weight = current.weight
        goal.version += 1
        goal.save(update_fields=["target", "weight", "version", *mark_edited(goal, actor)])
    PersonalGoalVersion.objects.create(
        personal_goal=goal, version=goal.version, target=goal.target, weight=goal.weight,
        reason=current.reason, proposal=current, agreed_by=editor(actor),
    )  # fmt: skip
    current.status = ProposalStatus.ACCEPTED
    current.manager_comment = text
    current.decided_by, current.decided_at = editor(actor), now or timezone.now()
    fields = ["target", "weight", "personal_goal", "status", "manager_comment", "decided_by", "decided_at"]
    current.save(update_fields=[*fields, *mark_edited(current, actor)])
    after = _snapshot(current) | {"goal": goal.goal_id, "version": goal.version}
    audit_record(actor=actor, action=Action.GOAL_ACCEPT, obj=current, before=before, after=after)
    return current


@transaction.atomic
def goal_proposal_return(
    *, actor, proposal: GoalProposal, lock_version: Any, comment: Any, now: datetime | None = None
) -> GoalProposal:
    """The manager returns the proposal with a comment (required); the employee may edit and propose it
    again."""
    current = _answer_start(actor, proposal, lock_version, now, accepting=False)
    try:
        text = clean_text(comment, 5000)
    except ValueError as error:
        raise ValidationError({"manager_comment": [str(error)]}) from None
    if not text:
        raise ValidationError({"manager_comment": [_("Say why the proposal goes back.")]})
    before = _snapshot(current)
    current.status = ProposalStatus.RETURNED
    current.manager_comment = text
    current.decided_by, current.decided_at = editor(actor), now or timezone.now()
    fields = ["status", "manager_comment", "decided_by", "decided_at"]
    current.save(update_fields=[*fields, *mark_edited(current, actor)])
    audit_record(actor=actor, action=Action.GOAL_RETURN, obj=current, before=before, after=_snapshot(current))
    return current
