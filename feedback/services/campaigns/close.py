"""Closing a campaign — by hand (HR) or at its deadline (the daily task) — and opening the next round.

Closing releases the results (`feedback.services.results.results_release` decides and stores, once, which
slices each subject may show): open assignments stay
unsubmitted, drafts are deleted, and the recompute of the rated subjects' scorecards is queued in the same
transaction. A repeating campaign then opens its next round in the next period of its frequency's kind
(found among the tenant's periods; none is created: the result says so). Closing twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import UNSET, StaleEditError, mark_edited
from collab.models import Period
from collab.selectors.periods import period_start
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
    Frequency,
    RaterRule,
    RatingDraft,
    ReviewCampaign,
)
from feedback.services.campaigns.launch import campaign_launch
from feedback.services.results import results_release

FREQUENCY_KIND = {
    Frequency.MONTHLY: Period.Kind.MONTH,
    Frequency.QUARTERLY: Period.Kind.QUARTER,
    Frequency.YEARLY: Period.Kind.YEAR,
}
NEXT_DEADLINE_FALLBACK = dt.timedelta(days=14)


@dataclass(frozen=True)
class CloseResult:
    campaign: ReviewCampaign
    closed: bool  # False: it was closed already, nothing changed
    next_round: ReviewCampaign | None = None
    next_missing: bool = False  # a repeating campaign found no next period to open its next round in
    next_launched: bool = False


def next_period(period: Period, frequency: str) -> Period | None:
    """The period after `period` of the kind `frequency` repeats in (not closed), or None."""
    kind = FREQUENCY_KIND.get(frequency)
    if kind is None:
        return None
    start = period_start(period)
    later = [p for p in Period.objects.filter(kind=kind).exclude(status=Period.Status.CLOSED)
             if period_start(p) > start]  # fmt: skip
    return min(later, key=period_start) if later else None


def _months(start: int) -> int:
    return (start // 100) * 12 + start % 100


def _open_next_round(current: ReviewCampaign, actor) -> tuple[ReviewCampaign | None, bool, bool]:
    period = next_period(current.period, current.frequency)
    if period is None:
        return None, True, False
    if ReviewCampaign.objects.filter(period=period, name__iexact=current.name).exists():
        return None, False, False  # opened already (by hand or an earlier close)
    shift = relativedelta(months=_months(period_start(period)) - _months(period_start(current.period)))
    try:
        deadline = current.deadline + shift
    except (OverflowError, ValueError):  # a deadline at the end of the calendar
        deadline = timezone.now()
    if deadline <= timezone.now():
        deadline = timezone.now() + NEXT_DEADLINE_FALLBACK
    nxt = ReviewCampaign.objects.create(
        tenant_id=current.tenant_id, name=current.name, template_id=current.template_id, kind=current.kind,
        period=period, frequency=current.frequency, deadline=deadline,
        comment_minimum=current.comment_minimum, role_weights=current.role_weights,
        previous=current, created_by=current.created_by,
    )  # fmt: skip
    subjects = list(CampaignSubject.objects.filter(campaign=current).order_by("id"))
    copies = CampaignSubject.objects.bulk_create(
        [CampaignSubject(tenant_id=nxt.tenant_id, campaign=nxt, org_unit_id=s.org_unit_id,
                         employee_id=s.employee_id) for s in subjects]
    )  # fmt: skip
    mapped = {old.pk: new.pk for old, new in zip(subjects, copies, strict=True)}
    RaterRule.objects.bulk_create(
        [RaterRule(tenant_id=nxt.tenant_id, campaign=nxt, subject_id=mapped.get(r.subject_id),
                   rater_role=r.rater_role, rater_unit_id=r.rater_unit_id,
                   include_sub_units=r.include_sub_units, rater_employee_id=r.rater_employee_id)
         for r in RaterRule.objects.filter(campaign=current).order_by("id")]
    )  # fmt: skip
    audit_record(actor=actor, action="review_campaign.create", obj=nxt, after={"previous": current.pk})
    try:
        with transaction.atomic():
            campaign_launch(actor=actor, campaign=nxt, lock_version=nxt.lock_version)
    except ValidationError:
        return nxt, False, False  # left as a draft for HR to fix and launch
    nxt.refresh_from_db()
    return nxt, False, True


def _queue_recompute(campaign: ReviewCampaign, actor) -> None:
    from interlock.recompute import scores_recompute_request
    from interlock.selectors.scorecards import scorecard_ids_of_subjects

    subjects = CampaignSubject.objects.filter(campaign=campaign).select_related("employee")
    units = [s.org_unit_id for s in subjects if s.org_unit_id]
    positions = [s.employee.position_id for s in subjects if s.employee_id and s.employee.position_id]
    ids = scorecard_ids_of_subjects(campaign.period_id, units=units, positions=positions)
    if ids:
        scores_recompute_request(period=campaign.period_id, reason="ratings", scorecard_ids=ids, actor=actor)


@transaction.atomic
def campaign_close(*, actor, campaign: ReviewCampaign, lock_version=UNSET) -> CloseResult:
    """Close an open campaign (see the module docstring). A closed one is left as it is (`closed` False),
    whatever `lock_version` says; a draft is refused; a stale version of an open one is a 409."""
    current = (
        ReviewCampaign.objects.select_for_update(of=("self",)).select_related("updated_by", "period")
        .filter(pk=campaign.pk).first()
    )  # fmt: skip
    if current is None:
        raise ReviewCampaign.DoesNotExist(f"ReviewCampaign {campaign.pk} does not exist")
    if current.status == CampaignStatus.CLOSED:
        return CloseResult(campaign=current, closed=False)
    if current.status == CampaignStatus.DRAFT:
        raise ValidationError({"status": [_("A draft has nothing to close: launch it or delete it.")]})
    if lock_version is not UNSET and str(lock_version) != str(current.lock_version):
        raise StaleEditError.of(current)
    current.status = CampaignStatus.CLOSED
    current.closed_at = timezone.now()
    columns = mark_edited(current, actor)
    current.save(update_fields=["status", "closed_at", *columns])
    RatingDraft.objects.filter(assignment__campaign=current).delete()
    results_release(actor=actor, campaigns=[current])  # what each reader may see, decided once
    _queue_recompute(current, actor)
    nxt, missing, launched = (None, False, False)
    if current.frequency != Frequency.ONCE:
        nxt, missing, launched = _open_next_round(current, actor)
    audit_record(
        actor=actor, action="review_campaign.close", obj=current,
        after={"status": current.status, "next_round": nxt.pk if nxt else None},
    )  # fmt: skip
    return CloseResult(
        campaign=current, closed=True, next_round=nxt, next_missing=missing, next_launched=launched
    )


def campaigns_close_due(*, now: dt.datetime | None = None) -> list[int]:
    """Close every open campaign of the tenant in scope whose deadline has passed (the daily task); ids."""
    now = now or timezone.now()
    due = list(
        ReviewCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__lte=now)
        .order_by("deadline", "id")
        .values_list("pk", flat=True)
    )
    closed = []
    for pk in due:
        if campaign_close(actor=None, campaign=ReviewCampaign(pk=pk)).closed:
            closed.append(pk)
    return closed
