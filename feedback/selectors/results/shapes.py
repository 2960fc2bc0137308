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


def weighted_title(scope: str) -> str:
    if scope == "anonymous_roles":
        return _("Weighted 360 result (anonymous roles only)")
    return _("Weighted 360 result")


def weighted_role_note(status: str) -> str:
    """Why a weighted role is left out of the weighted result (empty: it is included)."""
    return {
        "no_ratings": _("Left out: nobody in this role rated."),
        "hidden": _(
            "Left out: hidden to protect raters' anonymity (too few raters, or too close to another result)."
        ),
        "attributed_not_shown": _("Left out: the line manager's rating is attributed and not shown to you."),
    }.get(status, "")


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
class WeightedRole:
    """One weighted rater role of a 360 and what became of it in the reader's weighted result."""

    role: str
    label: str
    weight: int  # as HR configured it (the configured weights sum to 100)
    status: str  # included, no_ratings, hidden (anonymity), attributed_not_shown (not shown to this reader)
    effective: float | None = None  # renormalised over the included roles, in percent
    overall: float | None = None  # the role's mean that went in

    @property
    def note(self) -> str:
        return weighted_role_note(self.status)


@dataclass
class WeightedView:
    """A 360's weighted result as one reader sees it. `scope` "all_roles": the attributed line manager's
    rating may be part of it; "anonymous_roles": the reader does not see that rating, so the figure is over
    the anonymous roles only. `overall` None: no weighted role has a shown result."""

    scope: str
    overall: float | None
    dimensions: list[DimensionMean] = field(default_factory=list)
    roles: list[WeightedRole] = field(default_factory=list)

    @property
    def title(self) -> str:
        return weighted_title(self.scope)


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
    weighted: WeightedView | None = None  # 360 reviews, closed, full detail only
    assigned: int = 0
    submitted: int = 0

    @property
    def closed(self) -> bool:
        return self.subject.campaign.status == CampaignStatus.CLOSED
