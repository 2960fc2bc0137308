"""Response rates per campaign and rater unit: counts of who rated, never what or whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    RaterAssignment,
)


# -------------------------------------------------------------------------------------- response rates
@dataclass
class ResponseRate:
    campaign_id: int
    campaign: str
    unit_id: int | None
    unit: str
    assigned: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.assigned if self.assigned else 0.0


def response_rates(*, campaign: int | None = None, period: int | None = None) -> list[ResponseRate]:
    """Per launched campaign and rater unit (frozen at launch): assignments and how many were submitted —
    counts of who rated, never what or whom. One query."""
    rows = RaterAssignment.objects.exclude(campaign__status=CampaignStatus.DRAFT)
    if campaign is not None:
        rows = rows.filter(campaign_id=campaign)
    if period is not None:
        rows = rows.filter(campaign__period_id=period)
    grouped = (
        rows.values("campaign_id", "campaign__name", "rater_unit_id", "rater_unit__name")
        .annotate(assigned=Count("id"), submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)))
        .order_by("-campaign_id", "rater_unit__name", "rater_unit_id")
    )
    return [
        ResponseRate(
            campaign_id=r["campaign_id"], campaign=r["campaign__name"], unit_id=r["rater_unit_id"],
            unit=r["rater_unit__name"] or _("(none)"), assigned=r["assigned"], submitted=r["submitted"],
        )
        for r in grouped
    ]  # fmt: skip
