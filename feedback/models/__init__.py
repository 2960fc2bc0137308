"""Feedback (反馈): internal-customer reviews, 360 and mutual reviews, the collaboration event log and
bonus/penalty points (issue 10). Every table is tenant-owned; every unique constraint includes the tenant.
A module a subject; Django and callers find every model here (`from feedback.models import X`)."""

from feedback.models.events import (
    COMPLETABLE_KINDS,
    SAME_UNIT_KINDS,
    CollaborationEvent,
    EventKind,
    EventSource,
)
from feedback.models.templates import ANCHOR_FIELDS, SCALE, ReviewDimension, ReviewKind, ReviewTemplate

__all__ = [
    "ANCHOR_FIELDS",
    "COMPLETABLE_KINDS",
    "SAME_UNIT_KINDS",
    "SCALE",
    "CollaborationEvent",
    "EventKind",
    "EventSource",
    "ReviewDimension",
    "ReviewKind",
    "ReviewTemplate",
]
