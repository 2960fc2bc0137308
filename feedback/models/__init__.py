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
from feedback.models.events import (
    COMPLETABLE_KINDS,
    SAME_UNIT_KINDS,
    CollaborationEvent,
    EventKind,
    EventSource,
)
from feedback.models.points import (
    OPEN_STATUSES,
    PointEvidence,
    PointItem,
    PointLedgerEntry,
    PointProjectLead,
    PointProposal,
    PointProposalEvent,
    PointSettings,
    ProposalStatus,
    ProposerRole,
)
from feedback.models.results import ReleaseReason, ResultRelease
from feedback.models.templates import ANCHOR_FIELDS, SCALE, ReviewDimension, ReviewKind, ReviewTemplate

__all__ = [
    "ANCHOR_FIELDS",
    "COMMENT_MINIMUM_DEFAULT",
    "COMPLETABLE_KINDS",
    "OPEN_STATUSES",
    "SAME_UNIT_KINDS",
    "SCALE",
    "AssignmentStatus",
    "CampaignStatus",
    "CampaignSubject",
    "CollaborationEvent",
    "EventKind",
    "EventSource",
    "Frequency",
    "PointEvidence",
    "PointItem",
    "PointLedgerEntry",
    "PointProjectLead",
    "PointProposal",
    "PointProposalEvent",
    "PointSettings",
    "ProposalStatus",
    "ProposerRole",
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
