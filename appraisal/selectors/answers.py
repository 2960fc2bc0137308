"""Reads of the released result and its answers (issue 11 point 6): what an employee may cite as evidence
in an appeal (their own scores, the collaboration events and the review results they can read, of the
cycle's period), and the appeal queue of an upper manager or HR."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from appraisal.models import Appeal, AppealStatus, Appraisal
from collab.models import Role
from feedback.access import event_reader, readable_result_subjects
from feedback.models import CampaignStatus, CampaignSubject, CollaborationEvent
from interlock.access import readable_snapshots
from interlock.models import ScoreSnapshot

EVIDENCE_KINDS = ("score", "event", "rating")
EVENTS_OFFERED = 50


@dataclass(frozen=True)
class Evidence:
    kind: str
    id: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def evidence_choices(appraisal: Appraisal, *, membership, user) -> list[Evidence]:
    """What `user` may cite in an appeal of `appraisal`: the score snapshots of their position or unit in
    the cycle's period that they read, the latest events naming them that they read, and the review results
    of the period about them or their unit that they read."""
    if membership is None:
        return []
    period_id = appraisal.cycle.period_id
    subject = Q(position_id=appraisal.position_id) if appraisal.position_id else Q(pk__in=[])
    subject |= Q(position__isnull=True, org_unit_id=appraisal.org_unit_id)
    snapshots = readable_snapshots(
        ScoreSnapshot.objects.filter(subject, period_id=period_id).select_related("org_unit", "position"),
        membership=membership,
        user=user,
    ).order_by("id")
    choices = [
        Evidence("score", s.pk, f"{s.position or s.org_unit}: {s.total if s.total is not None else '–'}")
        for s in snapshots
    ]
    employee_id = appraisal.employee_id
    events = (
        CollaborationEvent.objects.filter(event_reader(membership, user).visible())
        .filter(Q(from_employee_id=employee_id) | Q(to_employee_id=employee_id))
        .order_by("-occurred_at", "-id")[:EVENTS_OFFERED]
    )
    choices += [Evidence("event", e.pk, f"{e.occurred_at:%Y-%m-%d} {e.title}") for e in events]
    subjects = readable_result_subjects(
        CampaignSubject.objects.filter(campaign__period_id=period_id)
        .exclude(campaign__status=CampaignStatus.DRAFT)
        .filter(Q(employee_id=employee_id) | Q(org_unit_id=appraisal.org_unit_id))
        .select_related("campaign", "employee", "org_unit"),
        membership=membership,
        user=user,
    ).order_by("id")
    choices += [Evidence("rating", s.pk, f"{s.campaign.name}: {s.employee or s.org_unit}") for s in subjects]
    return choices


def appeal_queue(membership, user) -> QuerySet[Appeal]:
    """The open appeals a reader answers, overdue first (their deadline ascending): an upper manager those
    with them; HR also every appeal at HR; auditors read every open appeal."""
    rows = Appeal.objects.exclude(status=AppealStatus.DECIDED)
    if membership is None:
        return rows.none()
    mine = Q(status=AppealStatus.AT_UPPER_MANAGER, upper_manager__user_id=getattr(user, "pk", 0) or 0)
    if membership.has_role(Role.AUDITOR):
        mine = Q()
    elif membership.has_role(Role.HR_ADMIN):
        mine |= Q(status=AppealStatus.AT_HR)
    return (
        rows.filter(mine)
        .select_related("appraisal__employee", "appraisal__cycle", "appraisal__final_grade", "upper_manager")
        .order_by("level_deadline", "id")
    )


def appeal_of(appraisal: Appraisal) -> Appeal | None:
    return (
        Appeal.objects.filter(appraisal=appraisal)
        .select_related("upper_manager")
        .prefetch_related("steps")
        .first()
    )
