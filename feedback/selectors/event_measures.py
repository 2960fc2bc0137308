"""The event log's measures per person (what is recorded about me, and a manager's view of their people) and
a measure's trend across periods, for pages, the API and the Excel export. The numbers are those of
`feedback.engine.events` (`by="person"`: the person asked, delivering, invited); each read is one
`values_list` query over the events the windows need, then arrays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from collab.models import Employee, Period
from collab.selectors.audit.events import tenant_zone
from collab.selectors.periods import period_order
from feedback.engine.events import PERSON_EVENT_COLUMNS, Measures, Window, event_measures, events_frame
from feedback.models import CollaborationEvent, EventKind
from feedback.selectors.events import (
    Epoch,
    events_list,
    measure_numbers,
    period_bounds,
    period_windows,
    unit_measures,
)

PERSON_EVENT_VALUES = ("id", "kind", "from_employee_id", "to_employee_id", "t_occurred", "t_due", "t_done",
                       "answers_id", "attended")  # fmt: skip
TREND_LENGTH = 12


def measured_person_events(
    windows: Sequence[Window], people: Collection[int] | None = None, units: Collection[int] | None = None
) -> QuerySet:
    """The events the measures of `people` (or of the people now in `units`; neither: everyone named) in
    `windows` read: requests to them and meetings they were invited to that occurred in the span,
    deliverables from them due in it, and the responses to those requests."""
    start = dt.datetime.fromtimestamp(min(w.start for w in windows), tz=dt.UTC)
    end = dt.datetime.fromtimestamp(max(w.end for w in windows), tz=dt.UTC)
    occurred = Q(occurred_at__gte=start, occurred_at__lt=end)
    if units is not None:
        units = list(units)
        asked, delivering = Q(to_employee__org_unit_id__in=units), Q(from_employee__org_unit_id__in=units)
        answered_asked = Q(answers__to_employee__org_unit_id__in=units)
    elif people is None:
        asked, delivering = Q(to_employee__isnull=False), Q(from_employee__isnull=False)
        answered_asked = Q(answers__to_employee__isnull=False)
    else:
        people = list(people)
        asked, delivering = Q(to_employee_id__in=people), Q(from_employee_id__in=people)
        answered_asked = Q(answers__to_employee_id__in=people)
    requests = Q(kind=EventKind.REQUEST) & occurred & asked
    meetings = Q(kind=EventKind.MEETING) & occurred & asked
    due = Q(kind=EventKind.DELIVERABLE, due_at__gte=start, due_at__lt=end) & delivering
    answered = answered_asked & Q(
        kind=EventKind.RESPONSE, answers__occurred_at__gte=start, answers__occurred_at__lt=end
    )
    return CollaborationEvent.objects.filter(requests | meetings | due | answered)


def person_measures(
    periods: Sequence[Period],
    *,
    people: Collection[int] | None = None,
    units: Collection[int] | None = None,
    timezone_name: str = "UTC",
    now: dt.datetime | None = None,
) -> dict[tuple[int, int], Measures]:
    """{(employee id, period id): Measures} of `people`, or of the people now in `units` (neither: everyone)
    in `periods` (one query)."""
    windows = period_windows(periods, timezone_name)
    if not windows or (people is not None and not people) or (units is not None and not units):
        return {}
    rows = list(
        measured_person_events(windows, people, units)
        .annotate(t_occurred=Epoch("occurred_at"), t_due=Epoch("due_at"), t_done=Epoch("done_at"))
        .values_list(*PERSON_EVENT_VALUES)
    )
    moment = (now or timezone.now()).timestamp()
    frame = events_frame(rows, PERSON_EVENT_COLUMNS)
    measured = event_measures(frame, windows, now=moment, by="person")
    wanted = None if people is None else set(people)
    return {
        (int(person), int(period)): value
        for (person, period), value in measured.items()
        if wanted is None or int(person) in wanted
    }


def person_measure_table(
    periods: Sequence[Period],
    *,
    people: Collection[int] | None = None,
    units: Collection[int] | None = None,
    timezone_name: str,
) -> list[dict[str, Any]]:
    """Rows of the measures of `people`, or of the people now in `units` (neither: everyone), in `periods`,
    by period then name (two queries)."""
    measured = person_measures(periods, people=people, units=units, timezone_name=timezone_name)
    named_people = Employee.objects.filter(pk__in={person for person, _period in measured})
    if units is not None:
        named_people = named_people.filter(org_unit_id__in=list(units))
    named = {
        pk: (name, number, unit, unit_name)
        for pk, name, number, unit, unit_name in named_people.values_list(
            "pk", "name", "employee_no", "org_unit_id", "org_unit__name"
        )
    }
    labels = {period.pk: period.label for period in periods}
    order = {period.pk: index for index, period in enumerate(periods)}
    rows = []
    for (person, period), measures in measured.items():
        if person not in named:
            continue
        name, number, unit, unit_name = named[person]
        rows.append(
            {"person": person, "person_name": name, "employee_no": number, "unit": unit,
             "unit_name": unit_name, "period": period, "period_label": labels[period],
             **measure_numbers(measures)}
        )  # fmt: skip
    rows.sort(key=lambda row: (order[row["period"]], row["person_name"], row["person"]))
    return rows


def trend_periods(periods: Sequence[Period], period: Period, length: int = TREND_LENGTH) -> list[Period]:
    """The last `length` periods of `period`'s kind up to and including it, earliest first."""
    until = period_order(period)
    same = [other for other in periods if other.kind == period.kind and period_order(other) <= until]
    return sorted(same, key=period_order)[-length:]


def measure_trend(
    periods: Sequence[Period], *, unit: int | None = None, person: int | None = None, timezone_name: str
) -> list[dict[str, Any]]:
    """One row per period (earliest first) of one unit's or one person's measures; a period with nothing to
    measure is a row of zeros and Nones (one query)."""
    if person is not None:
        measured = person_measures(periods, people={person}, timezone_name=timezone_name)
        subject = person
    else:
        measured = unit_measures(periods, units={unit}, timezone_name=timezone_name)
        subject = unit
    return [
        {"period": p.pk, "period_label": p.label, **measure_numbers(measured.get((subject, p.pk)))}
        for p in periods
    ]


def periods_of_latest_event(
    periods: Sequence[Period], *, employee: int, visible: Q | None, timezone_name: str
) -> set[int]:
    """The periods in which the person's latest event (that the reader sees) occurred: where "what is
    recorded about me" opens (`default_period`'s `with_data`), not on a month with nothing in it yet. One
    query (`event_list_idx`)."""
    latest = events_list(visible=visible, employee=employee).values_list("occurred_at", flat=True).first()
    if latest is None:
        return set()
    zone = tenant_zone(timezone_name)
    found = set()
    for period in periods:
        start, end = period_bounds(period, zone)
        if start <= latest < end:
            found.add(period.pk)
    return found
