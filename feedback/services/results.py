"""Releasing a closed campaign's results: every slice of every rated subject decided once and stored.

`results_release` is what closing a campaign calls (the campaign flow), and what the results' readers call
for a closed campaign nothing was released for yet (`feedback.selectors.results.ensure_released`): the
decision depends only on the closed campaign's ratings, so whoever runs it first stores the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.tenancy import current_tenant
from feedback.engine.anonymity import effective_k
from feedback.engine.results import OVERALL, SPLITS, decide_release_rows
from feedback.models import CampaignStatus, CampaignSubject, Rating, ResultRelease, ReviewCampaign


def rater_rows(ratings):
    """(subject, rater key, business line, unit, level, role) of each anonymous rating of `ratings` (a
    Rating queryset): the frozen attributes the slices split by (`SPLITS` order)."""
    return ratings.filter(attributed_rater__isnull=True).values_list(
        "subject_id", "rater_key", "rater_business_line_id", "rater_unit_id", "rater_level", "rater_role"
    )


@transaction.atomic
def results_release(*, actor, campaigns: Iterable[ReviewCampaign]) -> int:
    """Decide and store the slices of every subject of the closed `campaigns` not released yet; returns how
    many subjects were released. Raises a field error for a campaign that is not closed."""
    campaigns = list(campaigns)
    for campaign in campaigns:
        if campaign.status != CampaignStatus.CLOSED:
            raise ValidationError({"campaign": _("Results are released when the campaign closes.")})
    if not campaigns:
        return 0
    ids = [c.pk for c in campaigns]
    done = set(ResultRelease.objects.filter(campaign_id__in=ids).values_list("subject_id", flat=True))
    subjects = [
        (campaign_id, subject_id)
        for campaign_id, subject_id in CampaignSubject.objects.filter(campaign_id__in=ids)
        .values_list("campaign_id", "pk")
        .order_by("campaign_id", "pk")
        if subject_id not in done
    ]
    if not subjects:
        return 0
    k = effective_k(current_tenant().anonymity_threshold)
    by_subject: dict[int, list[tuple]] = defaultdict(list)
    for subject_id, *row in rater_rows(Rating.objects.filter(subject_id__in=[s for _c, s in subjects])):
        by_subject[subject_id].append(tuple(row))
    rows = []
    released_by_campaign: dict[int, int] = defaultdict(int)
    for campaign_id, subject_id in subjects:
        for release in decide_release_rows(by_subject.get(subject_id, []), k, splits=SPLITS):
            if release.slice != OVERALL and not release.shown:
                continue  # a refused group is simply not released (its whole's refusal is kept: "too few")
            rows.append(ResultRelease(
                campaign_id=campaign_id, subject_id=subject_id, slice=release.slice, shown=release.shown,
                reason=release.reason, raters=sorted(release.raters),
            ))  # fmt: skip
        released_by_campaign[campaign_id] += 1
    ResultRelease.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    for campaign in campaigns:
        if released_by_campaign.get(campaign.pk):
            audit_record(
                actor=actor, action="review_results.release", obj=campaign,
                after={"subjects": released_by_campaign[campaign.pk], "k": k},
            )  # fmt: skip
    return len(subjects)
