"""Factories of the collaboration event log. Use inside `tenant_scope(tenant)`."""

from __future__ import annotations

import datetime as dt

import factory

from feedback.models import CollaborationEvent, EventKind, EventSource
from tests.factories.org import OrgUnitFactory

BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollaborationEvent

    kind = EventKind.REQUEST
    title = factory.Sequence(lambda n: f"Event {n}")
    from_unit = factory.SubFactory(OrgUnitFactory)
    to_unit = factory.SubFactory(OrgUnitFactory)
    occurred_at = BASE
    source = EventSource.APP


def event_row(from_unit, to_unit, **fields) -> dict:
    """An event as the services and the API take it (ids, ISO times)."""
    row = {
        "kind": "request", "title": "Need the Q1 figures", "from_unit": from_unit.pk, "to_unit": to_unit.pk,
        "occurred_at": "2026-03-02T09:00:00+00:00",
    }  # fmt: skip
    row.update(fields)
    return row
