"""Releasing a closed campaign's results: every slice of every rated subject decided once and stored.

`results_release` is what closing a campaign calls (the campaign flow), and what the results' readers call
for a closed campaign nothing was released for yet (`feedback.selectors.results.ensure_released`): the
decision depends only on the closed campaign's ratings, so whoever runs it first stores the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.tenancy import current_tenant
from feedback.engine.anonymity import effective_k
from feedback.engine.results import SPLITS, decide_release
from feedback.models import CampaignStatus, CampaignSubject, Rating, ResultRelease, ReviewCampaign

RATER_COLUMNS = ["subject", "rater", "business_line", "unit", "level", "role"]


def rater_frame(ratings) -> pd.DataFrame:
    """The anonymous ratings of `ratings` (a Rating queryset) as one row each, with the frozen attributes."""
    rows = ratings.filter(attributed_rater__isnull=True).values_list(
        "subject_id", "rater_key", "rater_business_line_id", "rater_unit_id", "rater_level", "rater_role"
    )
    return pd.DataFrame(list(rows), columns=RATER_COLUMNS)


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
    frame = rater_frame(Rating.objects.filter(subject_id__in=[s for _c, s in subjects]))
    by_subject = dict(tuple(frame.groupby("subject"))) if not frame.empty else {}
    rows = []
    released_by_campaign: dict[int, int] = defaultdict(int)
    empty = pd.DataFrame(columns=RATER_COLUMNS)
    for campaign_id, subject_id in subjects:
        for release in decide_release(by_subject.get(subject_id, empty), k, splits=SPLITS):
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
