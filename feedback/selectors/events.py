"""Reads of the collaboration event log that pages and the API share: the filtered list (keyset order, a
fixed number of queries a page) and the measures per unit and period (`feedback.engine.events`), read in
bulk with `values_list` and computed on arrays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import FloatField, Func, Q, QuerySet
from django.utils import timezone

from collab.models import OrgUnit, Period
from collab.selectors.audit.events import tenant_zone
from feedback.engine.events import Measures, Window, event_measures, events_frame
from feedback.models import CollaborationEvent, EventKind

LIST_RELATED = ("from_unit", "to_unit", "from_employee", "to_employee")


def events_list(
    *,
    visible: Q | None = None,
    unit: int | None = None,
    employee: int | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
    timezone_name: str = "UTC",
) -> QuerySet[CollaborationEvent]:
    """Events newest first (`event_list_idx`), with their units and people (one query a page)."""
    events = CollaborationEvent.objects.select_related(*LIST_RELATED)
    if visible is not None:
        events = events.filter(visible)
    if unit is not None:
        events = events.filter(Q(from_unit_id=unit) | Q(to_unit_id=unit))
    if employee is not None:
        events = events.filter(Q(from_employee_id=employee) | Q(to_employee_id=employee))
    if kind:
        events = events.filter(kind=kind)
    zone = tenant_zone(timezone_name)
    if date_from:
        events = events.filter(occurred_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        events = events.filter(occurred_at__lt=end)
    if q:
        events = events.filter(Q(title__icontains=q) | Q(external_id=q))
    return events.order_by("-occurred_at", "-id")


def events_for_export(events: QuerySet[CollaborationEvent], limit: int) -> QuerySet[CollaborationEvent]:
    """The first `limit` of a list of `events_list`, with the request each response answers (its external
    id is the export's `Answers`): one query."""
    return events.select_related("answers")[:limit]


def event_responses(event: CollaborationEvent) -> list[CollaborationEvent]:
    """The responses to a request, earliest first."""
    return list(
        CollaborationEvent.objects.filter(answers=event)
        .select_related(*LIST_RELATED)
        .order_by("occurred_at", "id")
    )


# ------------------------------------------------------------------------------------------- measures
def period_bounds(period: Period, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a period in the tenant's time zone."""
    if period.kind == Period.Kind.MONTH:
        first, months = period.month or 1, 1
    elif period.kind == Period.Kind.QUARTER:
        first, months = 3 * (period.quarter or 1) - 2, 3
    else:
        first, months = 1, 12
    start = dt.datetime(period.year, first, 1, tzinfo=zone)
    after = first - 1 + months
    end = dt.datetime(period.year + after // 12, after % 12 + 1, 1, tzinfo=zone)
    return start, end


def period_windows(periods: Iterable[Period], timezone_name: str) -> list[Window]:
    zone = tenant_zone(timezone_name)
    windows = []
    for period in periods:
        start, end = period_bounds(period, zone)
        windows.append(Window(key=period.pk, start=start.timestamp(), end=end.timestamp()))
    return windows


class Epoch(Func):
    """A timestamp as float seconds since the epoch, computed by the database: a million rows are read as
    floats, not turned into a million aware datetimes and back."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


EVENT_VALUES = ("id", "kind", "from_unit_id", "to_unit_id", "t_occurred", "t_due", "t_done", "answers_id",
                "attended")  # fmt: skip


def measured_events(windows: Sequence[Window], units: Collection[int] | None = None) -> QuerySet:
    """The events the measures of `windows` read (for `units`, None: all): requests and meetings that
    occurred in the span, deliverables due in it, and the responses to those requests."""
    start = dt.datetime.fromtimestamp(min(w.start for w in windows), tz=dt.UTC)
    end = dt.datetime.fromtimestamp(max(w.end for w in windows), tz=dt.UTC)
    occurred = Q(occurred_at__gte=start, occurred_at__lt=end)
    asked = Q(kind=EventKind.REQUEST) & occurred
    met = Q(kind=EventKind.MEETING) & occurred
    due = Q(kind=EventKind.DELIVERABLE, due_at__gte=start, due_at__lt=end)
    answered = Q(kind=EventKind.RESPONSE, answers__occurred_at__gte=start, answers__occurred_at__lt=end)
    if units is not None:
        units = list(units)
        asked &= Q(to_unit_id__in=units)
        met &= Q(to_unit_id__in=units)
        due &= Q(from_unit_id__in=units)
        answered &= Q(answers__to_unit_id__in=units)
    return CollaborationEvent.objects.filter(asked | met | due | answered)


def unit_measures(
    periods: Sequence[Period],
    *,
    units: Collection[int] | None = None,
    timezone_name: str = "UTC",
    now: dt.datetime | None = None,
) -> dict[tuple[int, int], Measures]:
    """{(unit id, period id): Measures} of `units` (None: every unit) in `periods` (one query)."""
    windows = period_windows(periods, timezone_name)
    if not windows or (units is not None and not units):
        return {}
    rows = list(
        measured_events(windows, units)
        .annotate(t_occurred=Epoch("occurred_at"), t_due=Epoch("due_at"), t_done=Epoch("done_at"))
        .values_list(*EVENT_VALUES)
    )
    moment = (now or timezone.now()).timestamp()
    measures = event_measures(events_frame(rows), windows, now=moment)
    if units is not None:
        wanted = set(units)
        measures = {key: value for key, value in measures.items() if key[0] in wanted}
    return {(int(unit), int(period)): value for (unit, period), value in measures.items()}


def measure_table(
    periods: Sequence[Period], *, units: Collection[int] | None, timezone_name: str
) -> list[dict[str, Any]]:
    """Rows of the measures of `units` (None: all) in `periods`, by period then unit name (two queries)."""
    measured = unit_measures(periods, units=units, timezone_name=timezone_name)
    names = dict(
        OrgUnit.objects.filter(pk__in={unit for unit, _period in measured}).values_list("pk", "name")
    )
    labels = {period.pk: period.label for period in periods}
    order = {period.pk: index for index, period in enumerate(periods)}
    rows = []
    for (unit, period), measures in measured.items():
        if unit not in names:
            continue
        rows.append(
            {"unit": unit, "unit_name": names[unit], "period": period, "period_label": labels[period],
             **measure_numbers(measures)}
        )  # fmt: skip
    rows.sort(key=lambda row: (order[row["period"]], row["unit_name"], row["unit"]))
    return rows


def measure_numbers(measures: Measures | None) -> dict[str, Any]:
    """The counts and measures of one subject in one period as a row shows them (None: nothing measured)."""
    measures = measures or Measures()
    return {
        "requests": measures.requests, "answered": measures.answered,
        "median_response_hours": _round(measures.median_response_hours),
        "deliverables_due": measures.deliverables_due, "delivered_on_time": measures.delivered_on_time,
        "on_time_rate": _round(measures.on_time_rate, 4),
        "meetings_invited": measures.meetings_invited, "meetings_attended": measures.meetings_attended,
        "participation_rate": _round(measures.participation_rate, 4),
    }  # fmt: skip


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


RATING_EVENTS_MAX = 10


def rating_events(assignment) -> dict[str, Any]:
    """The rating form's section (`feedback.hooks.rating_sections`): the latest collaboration events between
    the rated subject and the rater's side — facts to rate by, not impressions. Only events the rater's side
    took part in (their unit frozen at launch, or the rater in person) are shown: rating gives no sight of
    the subject's other dealings. One query."""
    subject = assignment.subject
    if subject.org_unit_id is not None:
        rated = Q(from_unit_id=subject.org_unit_id) | Q(to_unit_id=subject.org_unit_id)
    else:
        rated = Q(from_employee_id=subject.employee_id) | Q(to_employee_id=subject.employee_id)
    rater = Q(from_employee_id=assignment.rater_id) | Q(to_employee_id=assignment.rater_id)
    if assignment.rater_unit_id is not None:
        rater |= Q(from_unit_id=assignment.rater_unit_id) | Q(to_unit_id=assignment.rater_unit_id)
    events = list(
        CollaborationEvent.objects.filter(rated, rater)
        .select_related(*LIST_RELATED)
        .order_by("-occurred_at", "-id")[:RATING_EVENTS_MAX]
    )
    return {"events": events, "limit": RATING_EVENTS_MAX}
