"""Reads of goals set together (issue 11 point 2): when a person may propose, what they may propose under,
their agreed goals with every version, the proposals and answers, the weight sum, and the proposals a
manager has to agree. One set of reads for the services' gates, the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from appraisal.models import (
    Appraisal,
    CycleStatus,
    DevelopmentNote,
    GoalProposal,
    PersonalGoal,
    PersonalGoalVersion,
    ProposalKind,
    ProposalStatus,
    Stage,
)
from appraisal.selectors.stages import is_past, stage_open, stage_passed
from goals.models import Goal

HUNDRED = Decimal("100")


def goal_setting_open(appraisal: Appraisal, *, now: datetime | None = None) -> bool:
    """New goals and weight changes: while goal setting is open for this person (dated or reopened)."""
    return appraisal.stage != Stage.FINAL and stage_open(appraisal, Stage.GOAL_SETTING, now=now)


def revisions_open(appraisal: Appraisal, *, now: datetime | None = None) -> bool:
    """A revision with a reason: during the period, from the check-ins stage on (goal setting over for this
    person), in an active cycle, until the appraisal is final."""
    if appraisal.cycle.status != CycleStatus.ACTIVE or appraisal.stage == Stage.FINAL:
        return False
    if goal_setting_open(appraisal, now=now):
        return False
    return is_past(appraisal, Stage.GOAL_SETTING) or stage_passed(appraisal, Stage.GOAL_SETTING, now=now)


def kind_open(appraisal: Appraisal, kind: str, *, now: datetime | None = None) -> bool:
    if kind == ProposalKind.REVISION:
        return revisions_open(appraisal, now=now)
    return goal_setting_open(appraisal, now=now)


def position_goals(appraisal: Appraisal) -> QuerySet[Goal]:
    """The goals of the person's position (frozen at launch) in the cycle's period: what they propose
    under. The nodes personal goals of the cycle sit on are not among them (they hang under these)."""
    if appraisal.position_id is None:
        return Goal.objects.none()
    personal_nodes = PersonalGoal.objects.filter(appraisal__cycle_id=appraisal.cycle_id).values("goal_id")
    return (
        Goal.objects.filter(period_id=appraisal.cycle.period_id, position_id=appraisal.position_id)
        .exclude(pk__in=personal_nodes)
        .select_related("kpi", "parent__kpi")
        .order_by("path", "id")
    )


def personal_goals(appraisal: Appraisal) -> QuerySet[PersonalGoal]:
    """The person's agreed goals, each with its versions (oldest first) and the goal it sits under."""
    versions = PersonalGoalVersion.objects.select_related("agreed_by").order_by("version")
    return (
        PersonalGoal.objects.filter(appraisal=appraisal)
        .select_related("kpi", "goal__parent__kpi")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("id")
    )


def proposals_of(appraisal: Appraisal) -> QuerySet[GoalProposal]:
    return GoalProposal.objects.filter(appraisal=appraisal).select_related(
        "kpi", "parent_goal__kpi", "personal_goal__kpi", "decided_by", "created_by"
    ).order_by("-id")  # fmt: skip


def weight_sum(appraisal: Appraisal) -> Decimal:
    """The sum of the person's agreed weights (one query)."""
    total = PersonalGoal.objects.filter(appraisal=appraisal).aggregate(total=Sum("weight"))["total"]
    return total if total is not None else Decimal("0")


@dataclass(frozen=True)
class WeightSum:
    total: Decimal
    pending: Decimal  # the sum if every open proposal were accepted as proposed

    @property
    def complete(self) -> bool:
        return self.total == HUNDRED


def weight_summary(goals: list[PersonalGoal], proposals: list[GoalProposal]) -> WeightSum:
    """The agreed sum and the sum with every open proposal accepted (from rows already read)."""
    weights = {goal.pk: goal.weight for goal in goals}
    total = sum(weights.values(), Decimal("0"))
    pending = dict(weights)
    for proposal in proposals:
        if proposal.status != ProposalStatus.PROPOSED or proposal.weight is None:
            continue
        if proposal.kind == ProposalKind.NEW:
            pending[f"new-{proposal.pk}"] = proposal.weight
        elif proposal.personal_goal_id in pending:
            pending[proposal.personal_goal_id] = proposal.weight
    return WeightSum(total=total, pending=sum(pending.values(), Decimal("0")))


def previous_development_notes(appraisal: Appraisal) -> QuerySet[DevelopmentNote]:
    """The development notes of the person's earlier cycles (read-only in goal setting)."""
    return (
        DevelopmentNote.objects.filter(employee_id=appraisal.employee_id)
        .exclude(appraisal__cycle_id=appraisal.cycle_id)
        .select_related("appraisal__cycle", "created_by")
        .order_by("-created_at", "-id")
    )


def proposals_to_agree(manager) -> QuerySet[GoalProposal]:
    """Open proposals of the people this manager assesses (`Appraisal.manager`), oldest first."""
    if manager is None:
        return GoalProposal.objects.none()
    return (
        GoalProposal.objects.filter(
            appraisal__manager_id=manager.pk, status=ProposalStatus.PROPOSED,
            appraisal__cycle__status=CycleStatus.ACTIVE,
        )
        .select_related("appraisal__employee", "appraisal__cycle", "kpi", "parent_goal__kpi",
                        "personal_goal__kpi")
        .order_by("id")
    )  # fmt: skip
