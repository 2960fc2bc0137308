"""Audit events for tests. Use inside `tenant_scope(tenant)`; `at=` sets the recorded time."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

from collab.audit import audit_record
from collab.models import AuditEvent


def make_event(
    *,
    actor=None,
    action: str = "employee.update",
    object_type: str = "collab.employee",
    object_id: str | int = "1",
    object_repr: str = "Someone",
    before: dict | None = None,
    after: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """One event through the real `audit_record`; `at` freezes the clock so `created_at` takes it."""
    kwargs = dict(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
    )
    if at is None:
        return audit_record(**kwargs)
    with mock.patch("django.utils.timezone.now", return_value=at):
        return audit_record(**kwargs)


__all__ = ["make_event"]
