"""Pages of what the event log says about units and people: the measures (by unit or by person, with the
trend across the last periods), "what is recorded about me" (a person's own events and measures), and the
Excel export of the measures table.

Who reads whose measures is `feedback.access` (`measured_scope`, `access_event_person_by_id`): HR admins and
auditors everyone's, a manager those of their units and of the people in them, everyone their unit's and
their own.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils.translation import gettext as _

from collab.forms import show_period
from collab.imports.export import export_xlsx, xlsx_response
from collab.models import ALL_ROLES
from collab.pages import id_param, paginate, tenant_page
from collab.selectors.audit.events import tenant_zone
from collab.selectors.periods import default_period, periods_ordered
from feedback.access import access_event_person_by_id, event_reader, measured_scope
from feedback.forms.events import MeasuresFilterForm, PersonEventsForm
from feedback.selectors.event_measures import (
    measure_trend,
    periods_of_latest_event,
    person_measure_table,
    person_measures,
    trend_periods,
)
from feedback.selectors.events import events_list, measure_numbers, measure_table, period_bounds


def _chosen(request, reader):
    """The measures page's filters: (form, periods, period, by, unit, person); a person outside the reader's
    part is a 404 like a missing one."""
    periods = periods_ordered()
    form = MeasuresFilterForm(request.GET or None)
    period, unit, person, by = None, None, None, "unit"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        period, unit, person = data.get("period"), data.get("unit"), data.get("person")
        by = data.get("subject")
    if person is not None:
        person, by = access_event_person_by_id(reader, person.pk), "person"
    by = by or "unit"
    period = period or default_period(periods)
    if period is not None:
        show_period(form, period)
    return form, periods, period, by, unit, person


def _rows(reader, periods, *, by, unit, person, timezone_name):
    units, people = measured_scope(
        reader, by=by, unit_id=unit.pk if unit else None, person_id=person.pk if person else None
    )
    if by == "person":
        return person_measure_table(periods, people=people, units=units, timezone_name=timezone_name)
    return measure_table(periods, units=units, timezone_name=timezone_name)


def _percent(value):
    return None if value is None else round(value * 100, 1)


def _trend_chart(rows) -> dict:
    """The trend chart's data (`static/js/event_charts.js`): hours on the left axis, rates in % on the
    right."""

    return {
        "labels": [row["period_label"] for row in rows],
        "hours": {"name": _("Median response (h)"), "values": [row["median_response_hours"] for row in rows]},
        "rates": [
            {"name": _("On-time rate"), "values": [_percent(row["on_time_rate"]) for row in rows]},
            {"name": _("Participation"), "values": [_percent(row["participation_rate"]) for row in rows]},
        ],
    }


def _trend(periods, period, *, unit=None, person=None, timezone_name):
    if period is None or (unit is None and person is None):
        return []
    return measure_trend(
        trend_periods(periods, period), unit=unit, person=person, timezone_name=timezone_name
    )


@tenant_page(read=ALL_ROLES)
def event_measures(request):
    """What is recorded about my unit (and the units and people I manage) and what is derived from it, per
    period, with each measure's trend across the last periods."""
    reader = event_reader(request.membership, request.user)
    form, periods, period, by, unit, person = _chosen(request, reader)
    zone = request.tenant.timezone
    rows = _rows(reader, [period], by=by, unit=unit, person=person, timezone_name=zone) if period else []
    # The trend: of the person or unit chosen, else of the reader themselves (by person) or their unit.
    if person is not None:
        trend_subject, trend_name = {"person": person.pk}, person.name
    elif unit is not None and (reader.everything or unit.pk in reader.units):
        trend_subject, trend_name = {"unit": unit.pk}, unit.name
    elif by == "person" and not (reader.everything or reader.manages) and reader.employee is not None:
        trend_subject, trend_name = {"person": reader.employee}, _("my own measures")
    elif by == "unit" and not reader.everything and reader.own_unit is not None:
        trend_subject, trend_name = {"unit": reader.own_unit}, _("my unit")
    else:
        trend_subject, trend_name = {}, ""
    trend = _trend(periods, period, timezone_name=zone, **trend_subject)
    context = {
        "form": form, "period": period, "by": by, "page": paginate(request, rows), "rows": rows,
        "reader": reader, "has_periods": bool(periods), "trend": trend, "trend_chart": _trend_chart(trend),
        "trend_name": trend_name,
        "query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "feedback/events/measures.html", context)


@tenant_page(read=ALL_ROLES)
def event_measures_export(request):
    """The measures table as the page shows it (period, by unit or person, filters), in the reader's
    language."""
    reader = event_reader(request.membership, request.user)
    _form, _periods, period, by, unit, person = _chosen(request, reader)
    rows = _rows(reader, [period], by=by, unit=unit, person=person, timezone_name=request.tenant.timezone) \
        if period else []  # fmt: skip
    subject = [_("Unit")] if by == "unit" else [_("Employee number"), _("Person"), _("Unit")]
    headers = [
        _("Period"), *subject, _("Requests"), _("Answered"), _("Median response (h)"), _("Deliverables due"),
        _("Delivered on time"), _("On-time rate (%)"), _("Meetings invited"), _("Meetings attended"),
        _("Participation (%)"),
    ]  # fmt: skip
    cells = []
    for row in rows:
        who = [row["unit_name"]]
        if by == "person":
            who = [row["employee_no"], row["person_name"], row["unit_name"]]
        cells.append(
            [row["period_label"], *who, row["requests"], row["answered"], row["median_response_hours"],
             row["deliverables_due"], row["delivered_on_time"], _percent(row["on_time_rate"]),
             row["meetings_invited"], row["meetings_attended"], _percent(row["participation_rate"])]
        )  # fmt: skip
    label = period.label if period else ""
    content = export_xlsx(headers, cells, sheet_title=_("Collaboration measures"))
    return xlsx_response(content, f"event-measures-{by}-{label or 'none'}.xlsx".replace(" ", "-"))


@tenant_page(read=ALL_ROLES)
def event_about(request):
    """What is recorded about me (or, for a manager or HR, about one of the people they read): the events
    that name the person, in a period and of a kind, their measures and the measures' trend."""
    reader = event_reader(request.membership, request.user)
    person_id = id_param(request.GET, "person")
    if person_id is None:
        person_id = reader.employee
    if person_id is None:
        return render(request, "feedback/events/about.html", {"person": None, "reader": reader})
    person = access_event_person_by_id(reader, person_id)
    periods = periods_ordered()
    form = PersonEventsForm(request.GET or None)
    period, kind = None, ""
    if form.is_bound and form.is_valid():
        period, kind = form.cleaned_data.get("period"), form.cleaned_data.get("kind", "")
    zone = request.tenant.timezone
    if period is None:
        with_events = periods_of_latest_event(
            periods, employee=person.pk, visible=reader.visible(), timezone_name=zone
        )
        period = default_period(periods, with_events)
    filters = {"employee": person.pk, "kind": kind}
    measures, trend = None, []
    if period is not None:
        show_period(form, period)
        start, end = period_bounds(period, tenant_zone(zone))
        filters.update(date_from=start.date(), date_to=(end - dt.timedelta(days=1)).date())
        measured = person_measures([period], people={person.pk}, timezone_name=zone)
        measures = measure_numbers(measured.get((person.pk, period.pk)))
        trend = _trend(periods, period, person=person.pk, timezone_name=zone)
    events = events_list(visible=reader.visible(), timezone_name=zone, **filters)
    export_query = {key: value for key, value in filters.items() if value}
    context = {
        "person": person, "own": person.pk == reader.employee, "reader": reader, "form": form,
        "period": period, "measures": measures, "page": paginate(request, events), "trend": trend,
        "trend_chart": _trend_chart(trend), "export_query": export_query,
    }  # fmt: skip
    template = "feedback/events/about.html#events" if request.htmx else "feedback/events/about.html"
    return render(request, template, context)
