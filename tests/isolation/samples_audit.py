"""Isolation samples of the audit area (see the isolation contract in the shared brief)."""

from __future__ import annotations

from tests.factories.audit import make_event

ORDER = 30


def build(tenant, objects: dict) -> dict:
    unit = objects.get("unit")
    event = make_event(
        action="org_unit.update",
        object_type="collab.orgunit",
        object_id=unit.pk if unit is not None else 1,
        object_repr=f"{tenant.slug} sample unit",
        before={"name": "before"},
        after={"name": "after"},
    )
    return {"audit_event": event}


ROUTE_KWARGS = {
    "audit-event-detail": lambda o: {"pk": o["audit_event"].pk},
}

API_DETAIL: dict[str, str] = {}
