"""Isolation samples of the collaboration event log (see the isolation contract in the shared brief)."""

from __future__ import annotations

from tests.factories.feedback_events import EventFactory

ORDER = 71


def build(tenant, objects: dict) -> dict:
    request = EventFactory(title="Isolation request", due_at=None)
    return {"collaboration_event": request}


ROUTE_KWARGS = {
    "event-detail": lambda o: {"pk": o["collaboration_event"].pk},
    "event-complete": lambda o: {"pk": o["collaboration_event"].pk},
}

API_DETAIL = {"api-event": "collaboration_event"}
