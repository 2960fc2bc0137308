"""Factories of the alerts app: a process with its stages, built through the service as HR would."""

from __future__ import annotations

from alerts.models import Process, ProcessKind
from alerts.services.processes import process_create


def make_process(
    owner_unit,
    *,
    name: str = "Lead to cash",
    kind: str = ProcessKind.LEAD_TO_CASH,
    stages: list[dict] | None = None,
    collaborating=(),
    owner=None,
) -> Process:
    """A process owned by `owner_unit` with two stages (or `stages`), the first naming `collaborating`."""
    rows = stages or [
        {
            "name": "Quotation approval",
            "owner_unit": owner_unit.pk,
            "collaborating_units": [u.pk for u in collaborating],
            "inputs": "Cost estimate",
            "outputs": "Approved quotation",
            "time_limit": 16,
            "time_unit": "working_hours",
            "escalation_role": "Sales director",
        },
        {"name": "Contract signing", "owner_unit": owner_unit.pk, "time_limit": 5},
    ]
    return process_create(
        actor=None, data={"name": name, "kind": kind, "owner_unit": owner_unit, "owner": owner}, stages=rows
    )
