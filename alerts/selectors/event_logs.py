"""Reads of event logs for the pages and the API (a fixed number of queries each)."""

from __future__ import annotations

from django.db.models import QuerySet

from alerts.models import EventLog, EventLogCase


def event_logs() -> QuerySet[EventLog]:
    """The tenant's event logs, newest first (`event_log_created_idx`), without their stored analyses."""
    return (
        EventLog.objects.select_related("process", "job", "uploaded_by")
        .defer("analysis", "errors")
        .order_by("-created_at", "-id")
    )


def log_cases(event_log: EventLog, *, variant: int | None = None) -> QuerySet[EventLogCase]:
    """A log's cases (of one variant, when given) by variant, then row (`event_log_case_variant_idx`)."""
    cases = EventLogCase.objects.filter(event_log=event_log)
    if variant is not None:
        cases = cases.filter(variant=variant)
    return cases.order_by("variant", "id")
