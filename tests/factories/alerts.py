"""Factories of the alerts app: a process with its stages, built through the service as HR would."""

from __future__ import annotations

import io

from alerts.models import EventLog, LogFormat, Process, ProcessKind
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


def make_event_log(process=None, *, name: str = "Orders 2026", cases: int = 1) -> EventLog:
    """An imported CSV log (as its import leaves it: ready, analysed) with `cases` two-event cases, made
    through the same analysis the import runs."""
    from alerts.engine.eventlog.frame import ColumnMapping
    from alerts.engine.eventlog.readers import read_csv
    from alerts.services.event_log_import import analyse, store_imported

    lines = ["case,activity,timestamp,unit"] + [
        f"C{n},{activity},2026-03-0{1 + n % 8} {hour}:00:00,Sales"
        for n in range(cases) for activity, hour in (("Quotation approval", 9), ("Contract signing", 15))
    ]  # fmt: skip
    events = read_csv(io.BytesIO("\n".join(lines).encode()), ColumnMapping("case", "activity", "timestamp",
                                                                            unit="unit"))  # fmt: skip
    log = EventLog.objects.create(
        name=name, process=process, file_name="orders.csv", file_format=LogFormat.CSV, file_size=100,
        headers=["case", "activity", "timestamp", "unit"], naive_zone="UTC",
        mapping={"columns": {"case": "case", "activity": "activity", "timestamp": "timestamp"}},
    )  # fmt: skip
    stages = list(process.stages.order_by("order").values_list("name", flat=True)) if process else []
    analysis, case_rows = analyse(events, stages)
    store_imported(log, events, analysis, case_rows)
    log.refresh_from_db()
    return log


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
