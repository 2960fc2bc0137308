"""Collaboration events as evidence of a point proposal (issue 10 §6: "attachment or link, or events from the
log"). An event may be cited when it involves the proposal's subject — the person (from or to them) or their
unit, or the unit of a unit proposal —, occurred within the proposal's period (in the tenant's time zone) and
the proposer may read it (`feedback.access.event_reader`: evidence the proposer cannot see is no evidence of
theirs). The proposal page lists the candidates, the service checks the cited ones with the same rule, and
the proposal's page shows an approver only the cited events they may read themselves."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.utils import timezone

from collab.models import Employee, Membership, OrgUnit, Period
from collab.selectors.audit.events import tenant_zone
from collab.tenancy import current_tenant
from feedback.access import EventReader, event_reader
from feedback.models import CollaborationEvent, PointProposal, PointProposalEvent
from feedback.selectors.events import LIST_RELATED, period_bounds

MAX_CITED_EVENTS = 20
CANDIDATES_SHOWN = 50
NOTHING = EventReader(everything=False, units=frozenset(), employee=None, write_units=frozenset())


def proposer_event_reader(proposer: Employee | None) -> EventReader:
    """What `proposer` reads of the event log as the member their user is (nothing without an active
    membership: a proposer's evidence is what they could have seen)."""
    if proposer is None or proposer.user_id is None:
        return NOTHING
    membership = (
        Membership.objects.filter(user_id=proposer.user_id, is_active=True).select_related("user").first()
    )
    return event_reader(membership, membership.user) if membership is not None else NOTHING


def _involves(person: Employee | None, unit: OrgUnit | None) -> Q | None:
    if person is not None:
        return (
            Q(from_employee_id=person.pk) | Q(to_employee_id=person.pk)
            | Q(from_unit_id=person.org_unit_id) | Q(to_unit_id=person.org_unit_id)
        )  # fmt: skip
    if unit is not None:
        return Q(from_unit_id=unit.pk) | Q(to_unit_id=unit.pk)
    return None


def citable_events(
    *,
    reader: EventReader,
    person: Employee | None = None,
    unit: OrgUnit | None = None,
    period: Period | None,
    ids: Collection[int] | None = None,
    q: str = "",
) -> QuerySet[CollaborationEvent]:
    """Events of the subject (`person`, else `unit`) in `period` that `reader` sees, newest first (served by
    the units' and people's event indexes); `ids` narrows to those, `q` searches titles. Empty without a
    subject or a period. One query."""
    involves = _involves(person, unit)
    if involves is None or period is None:
        return CollaborationEvent.objects.none()
    start, end = period_bounds(period, tenant_zone(current_tenant().timezone))
    events = CollaborationEvent.objects.filter(
        involves, reader.visible(), occurred_at__gte=start, occurred_at__lt=end
    )
    if ids is not None:
        events = events.filter(pk__in=list(ids))
    if q:
        events = events.filter(title__icontains=q)
    return events.select_related(*LIST_RELATED).order_by("-occurred_at", "-id")


def with_timeliness(events: list[CollaborationEvent]) -> list[CollaborationEvent]:
    """Set each event's `timeliness`: "on_time" or "late" once done against its due time, "overdue" while
    open past it, "open" before it, "" without a due time."""
    now = timezone.now()
    for event in events:
        if event.due_at is None:
            event.timeliness = ""
        elif event.done_at is not None:
            event.timeliness = "on_time" if event.done_at <= event.due_at else "late"
        else:
            event.timeliness = "overdue" if now > event.due_at else "open"
    return events


def event_choices(
    *, reader: EventReader, person: Employee | None, unit: OrgUnit | None, period: Period | None,
    ticked: Collection[int] = (), q: str = "",
) -> dict:
    """What the proposal form lists to cite: the ticked events that may still be cited (a search does not
    untick them), then the newest others matching `q`, at most `CANDIDATES_SHOWN`. Two queries."""
    if (person is None and unit is None) or period is None:
        return {"ready": False, "events": [], "ticked": set(), "more": False}
    subject = {"reader": reader, "person": person, "unit": unit, "period": period}
    chosen = list(citable_events(**subject, ids=list(ticked)[:MAX_CITED_EVENTS])) if ticked else []
    ticked_ids = {event.pk for event in chosen}
    found = list(citable_events(**subject, q=q).exclude(pk__in=ticked_ids)[: CANDIDATES_SHOWN + 1])
    return {
        "ready": True, "events": with_timeliness(chosen + found[:CANDIDATES_SHOWN]), "ticked": ticked_ids,
        "more": len(found) > CANDIDATES_SHOWN,
    }  # fmt: skip


def cited_events(proposal: PointProposal, reader: EventReader) -> dict:
    """The events `proposal` cites that `reader` sees (with their units and people, oldest first) and how
    many others it cites that the reader may not open. Two queries."""
    cited = PointProposalEvent.objects.filter(proposal=proposal)
    shown = list(
        CollaborationEvent.objects.filter(reader.visible(), pk__in=cited.values("event_id"))
        .select_related(*LIST_RELATED)
        .order_by("occurred_at", "id")
    )
    hidden = 0 if reader.everything else cited.count() - len(shown)
    return {"events": with_timeliness(shown), "hidden": hidden}
