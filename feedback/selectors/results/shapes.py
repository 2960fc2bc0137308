"""What the results readers return (plain data for pages, the API and exports)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from collab.tenancy import current_tenant
from feedback.engine.anonymity import effective_k
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
)


def split_label(split: str) -> str:
    return {
        "business_line": _("Rater business line"),
        "unit": _("Rater unit"),
        "level": _("Rater level"),
        "role": _("Rater role"),
    }.get(split, split)


def anonymity_k() -> int:
    return effective_k(current_tenant().anonymity_threshold)


# ------------------------------------------------------------------------------------------------ shapes
@dataclass
class DimensionMean:
    id: int
    name: str
    mean: float | None


@dataclass
class SliceView:
    slice: str
    split: str
    group: str
    label: str
    shown: bool
    reason: str  # shown, too_few, too_close, not_released
    raters: int | None = None
    overall: float | None = None
    dimensions: list[DimensionMean] = field(default_factory=list)


@dataclass
class ResultRow:
    """One rated subject of one campaign, as the results list shows it."""

    subject: CampaignSubject
    whole: SliceView
    assigned: int = 0
    submitted: int = 0


@dataclass
class TrendPoint:
    campaign_id: int
    subject_id: int
    campaign: str
    period: str
    shown: bool
    overall: float | None
    raters: int | None


@dataclass
class SubjectResults:
    subject: CampaignSubject
    level: str
    k: int
    whole: SliceView
    splits: dict[str, list[SliceView]] = field(default_factory=dict)
    distribution: list[tuple[DimensionMean, list[int]]] = field(default_factory=list)
    comments: list[str] | None = None  # None: not released (too few commenters or still open)
    attributed: dict | None = None
    trend: list[TrendPoint] = field(default_factory=list)
    assigned: int = 0
    submitted: int = 0

    @property
    def closed(self) -> bool:
        return self.subject.campaign.status == CampaignStatus.CLOSED
