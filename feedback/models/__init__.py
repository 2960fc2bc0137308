"""Feedback (反馈): internal-customer reviews, 360 and mutual reviews, the collaboration event log and
bonus/penalty points (issue 10). Every table is tenant-owned; every unique constraint includes the tenant.
A module a subject; Django and callers find every model here (`from feedback.models import X`)."""

from feedback.models.campaigns import (
    COMMENT_MINIMUM_DEFAULT,
    AssignmentStatus,
    CampaignStatus,
    CampaignSubject,
    Frequency,
    RaterAssignment,
    RaterRole,
    RaterRule,
    Rating,
    RatingDraft,
    RatingScore,
    ReviewCampaign,
)
from feedback.models.results import ReleaseReason, ResultRelease
from feedback.models.templates import ANCHOR_FIELDS, SCALE, ReviewDimension, ReviewKind, ReviewTemplate

__all__ = [
    "ANCHOR_FIELDS",
    "COMMENT_MINIMUM_DEFAULT",
    "SCALE",
    "AssignmentStatus",
    "CampaignStatus",
    "CampaignSubject",
    "Frequency",
    "RaterAssignment",
    "RaterRole",
    "RaterRule",
    "Rating",
    "RatingDraft",
    "RatingScore",
    "ReleaseReason",
    "ResultRelease",
    "ReviewCampaign",
    "ReviewDimension",
    "ReviewKind",
    "ReviewTemplate",
]
