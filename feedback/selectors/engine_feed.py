"""The review part's input to the score engine (`interlock.hooks.score_ratings`, registered by
`FeedbackConfig.ready`): for the period and units asked, one row per rating of a closed internal-customer
campaign — (subject key, the rater's pseudonym, the rating's mean over its dimensions). The engine counts
distinct raters and applies k itself; open campaigns give nothing (results are released at close)."""

from __future__ import annotations

from django.db.models import Avg

from feedback.models import CampaignStatus, CampaignSubject, RatingScore, ReviewKind


def score_ratings(period, *, units, positions) -> list[tuple[str, str, float]]:
    """One grouped query: the mean of each rating of the units `units` in the period's closed
    internal-customer campaigns."""
    if not units:
        return []
    rows = (
        RatingScore.objects.filter(
            rating__campaign__period_id=period.pk,
            rating__campaign__status=CampaignStatus.CLOSED,
            rating__campaign__kind=ReviewKind.INTERNAL_CUSTOMER,
            rating__subject__org_unit_id__in=list(units),
            rating__attributed_rater__isnull=True,
        )
        .values("rating_id", "rating__subject__org_unit_id", "rating__rater_key")
        .annotate(mean=Avg("value"))
        .order_by()
    )
    return [
        (f"unit:{r['rating__subject__org_unit_id']}", r["rating__rater_key"], float(r["mean"])) for r in rows
    ]


def score_review_campaigns(period, *, units, positions) -> list[tuple[str, str, object]]:
    """`interlock.hooks.review_campaigns`: the launched internal-customer campaigns of the period rating the
    units `units` — those whose closed ratings `score_ratings` reads — as (subject key, status, deadline).
    Who rated and what is not part of it. One query."""
    if not units:
        return []
    rows = (
        CampaignSubject.objects.filter(
            campaign__period_id=period.pk,
            campaign__kind=ReviewKind.INTERNAL_CUSTOMER,
            campaign__status__in=[CampaignStatus.OPEN, CampaignStatus.CLOSED],
            org_unit_id__in=list(units),
        )
        .values_list("org_unit_id", "campaign__status", "campaign__deadline")
        .order_by("campaign__deadline", "campaign_id")
    )
    return [(f"unit:{unit}", status, deadline) for unit, status, deadline in rows]
