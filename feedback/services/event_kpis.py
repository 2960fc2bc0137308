"""KPIs whose measurement fills itself from the collaboration event log.

A KPI takes an event measure as its data source by having `data_source` set to one of `EVENT_SOURCES`' codes
(goals offers them through `goals.hooks.kpi_data_sources`, registered from `FeedbackConfig.ready()`). The
KPI's owner unit is the unit whose measure fills the actual; the target stays human-set, so only a
measurement that exists (HR or the owner entered its target) is filled, in periods that are not closed.

When: on change. Every write of events (`feedback.services.events`) calls `event_kpis_refresh` in its own
transaction with the events it wrote: the KPIs of the units those events touch, in the open periods holding
their times, are recomputed and written through `goals`' `measurements_bulk_upsert`, which sends
`scoring_inputs_changed` so scores recompute like after any entry. A measure with nothing to measure (no
answered request, no decided deliverable, no meeting) leaves the actual as it is. Values: hours with two
decimals; rates in percent (0–100) with two decimals.

Not covered: an on-time rate changes with time alone (a deliverable becomes overdue with no event written);
such a KPI is refilled by the next event of its unit or by `event_kpis_refresh_all` (a daily run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from collab.models import Period
from collab.tenancy import current_tenant
from feedback.models import CollaborationEvent
from feedback.selectors.events import period_windows, unit_measures
from goals.models import KPI, Measurement
from goals.services.measurements.writes import measurements_bulk_upsert

SOURCE_PREFIX = "events."
EVENT_SOURCES = {
    "events.median_response_hours": _("Collaboration events: median response time (hours)"),
    "events.on_time_rate": _("Collaboration events: on-time delivery rate (%)"),
    "events.participation_rate": _("Collaboration events: meeting participation (%)"),
}
_PERCENT = {"events.on_time_rate", "events.participation_rate"}
_CENT = Decimal("0.01")


def event_data_sources() -> dict[str, str]:
    """The provider registered on `goals.hooks.kpi_data_sources`."""
    return {code: str(label) for code, label in EVENT_SOURCES.items()}


def measure_value(code: str, measures) -> Decimal | None:
    """The actual a KPI with data source `code` takes from a unit's `Measures` (None: nothing measured)."""
    value = measures.value(code.removeprefix(SOURCE_PREFIX)) if measures is not None else None
    if value is None:
        return None
    if code in _PERCENT:
        value *= 100
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _refill(*, actor, kpis: list[KPI], periods: list[Period]) -> int:
    if not kpis or not periods:
        return 0
    measurements = list(
        Measurement.objects.filter(kpi__in=kpis, period__in=periods).select_related("kpi", "period")
    )
    if not measurements:
        return 0
    units = {kpi.owner_unit_id for kpi in kpis}
    measured = unit_measures(periods, units=units, timezone_name=current_tenant().timezone)
    rows = []
    for measurement in measurements:
        value = measure_value(
            measurement.kpi.data_source, measured.get((measurement.kpi.owner_unit_id, measurement.period_id))
        )
        if value is None or value == measurement.actual:
            continue
        rows.append({"kpi": measurement.kpi, "period": measurement.period, "actual": value})
    if not rows:
        return 0
    result = measurements_bulk_upsert(actor=actor, rows=rows, check_lock_version=False)
    return result.updated + result.created


def _open_periods() -> list[Period]:
    return list(Period.objects.exclude(status=Period.Status.CLOSED))


def event_kpis_refresh(*, actor, events: Sequence) -> int:
    """Refill the event-sourced KPIs the `events` just written touch (see the module docstring). Returns how
    many measurements changed."""
    kpis = list(KPI.objects.filter(data_source__in=EVENT_SOURCES, is_active=True))
    if not kpis or not events:
        return 0
    touched = {event.from_unit_id for event in events} | {event.to_unit_id for event in events}
    kpis = [kpi for kpi in kpis if kpi.owner_unit_id in touched]
    if not kpis:
        return 0
    moments: list[dt.datetime] = []
    answered = {event.answers_id for event in events if event.answers_id}
    for event in events:
        moments.extend(moment for moment in (event.occurred_at, event.due_at) if moment is not None)
    if answered:
        moments.extend(
            CollaborationEvent.objects.filter(pk__in=answered).values_list("occurred_at", flat=True)
        )
    periods = _open_periods()
    windows = {w.key: w for w in period_windows(periods, current_tenant().timezone)}
    stamps = [moment.timestamp() for moment in moments]
    periods = [p for p in periods if any(windows[p.pk].start <= t < windows[p.pk].end for t in stamps)]
    return _refill(actor=actor, kpis=kpis, periods=periods)


def event_kpis_refresh_all(*, actor=None) -> int:
    """Refill every event-sourced KPI in every open period (a daily run: overdue deliverables)."""
    kpis = list(KPI.objects.filter(data_source__in=EVENT_SOURCES, is_active=True))
    return _refill(actor=actor, kpis=kpis, periods=_open_periods())
