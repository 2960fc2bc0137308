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


def make_kpi(stage, *, code: str = "APPROVAL-H", points=(), **changes):
    """A monthly lower-is-better KPI of `stage` (through the service), with `points` [(date, value)] if
    given (source api)."""
    from alerts.services.kpis import kpi_points_write, process_kpi_create

    data = {
        "stage": stage, "code": code, "name": "Contract approval time", "unit_label": "h",
        "granularity": "monthly", "direction": "lower_better", "amber": 20, "red": 30, **changes,
    }  # fmt: skip
    kpi = process_kpi_create(actor=None, data=data)
    if points:
        rows = [{"kpi": kpi, "at": at, "value": value} for at, value in points]
        kpi_points_write(actor=None, kpi_rows=rows, source="api")
    return kpi


def monthly_points(values, *, last=None):
    """[(first of month, value)] for `values`, the last one in the month of `last` (default: 2026-10-01)."""
    import datetime as dt

    last = last or dt.date(2026, 10, 1)
    number = last.year * 12 + last.month - 1 - (len(values) - 1)
    return [(dt.date((number + i) // 12, (number + i) % 12 + 1, 1), v) for i, v in enumerate(values)]
