"""Recording events through the services: validation per row, all or nothing, idempotency by external id,
completing once, audit rows, tenant scope; the selectors' reader scope and measures; the KPI data source
filling a measurement and asking for the recompute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Period
from collab.signals import scoring_inputs_changed
from collab.tenancy import tenant_scope
from feedback.access import event_reader
from feedback.models import CollaborationEvent
from feedback.selectors.events import events_list, period_bounds, unit_measures
from feedback.services.event_kpis import EVENT_SOURCES, event_kpis_refresh_all
from feedback.services.events import EventRowErrors, event_complete, event_record, events_record_bulk
from goals.hooks import automatic_data_sources
from goals.models import Measurement
from tests.factories import make_member
from tests.factories.feedback_events import EventFactory, event_row
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(scope_a):
    return {name: OrgUnitFactory(name=name) for name in ("sales", "rd", "hr")}


def test_record_checks_every_field(units, hr_a):
    with pytest.raises(ValidationError) as refused:
        event_record(
            actor=hr_a,
            data={
                "kind": "meeting",
                "title": " ",
                "from_unit": units["rd"],
                "to_unit": units["rd"],
                "occurred_at": None,
                "attended": "yes",
            },
        )
    errors = refused.value.message_dict
    assert {"title", "to_unit", "occurred_at", "attended"} <= set(errors)
    with pytest.raises(ValidationError) as refused:
        event_record(
            actor=hr_a,
            data=event_row(units["sales"], units["rd"], title="x\x00", done_at="2026-03-01T00:00Z"),
        )
    assert {"title", "done_at"} <= set(refused.value.message_dict)
    comment, created = event_record(actor=hr_a, data=event_row(units["rd"], units["rd"], kind="comment"))
    assert created and comment.kind == "comment"  # a comment may stay inside a unit
    assert AuditEvent.objects.filter(action="event.create", object_id=str(comment.pk)).exists()


def test_response_rules(units, hr_a):
    request, _ = event_record(actor=hr_a, data=event_row(units["sales"], units["rd"]))
    wrong_unit = event_row(units["hr"], units["sales"], kind="response", answers=request.pk)
    with pytest.raises(ValidationError) as refused:
        event_record(actor=hr_a, data=wrong_unit)
    assert "from_unit" in refused.value.message_dict
    before = event_row(
        units["rd"],
        units["sales"],
        kind="response",
        answers=request.pk,
        occurred_at="2026-03-01T09:00:00+00:00",
    )
    with pytest.raises(ValidationError) as refused:
        event_record(actor=hr_a, data=before)
    assert "occurred_at" in refused.value.message_dict
    not_response = event_row(units["rd"], units["sales"], kind="comment", answers=request.pk)
    with pytest.raises(ValidationError) as refused:
        event_record(actor=hr_a, data=not_response)
    assert "answers" in refused.value.message_dict


def test_bulk_is_all_or_nothing_and_idempotent(units, hr_a):
    rows = [event_row(units["sales"], units["rd"], external_id=f"e{i}", title=f"T{i}") for i in range(3)]
    bad = [*rows, event_row(units["sales"], units["sales"])]
    with pytest.raises(EventRowErrors) as refused:
        events_record_bulk(actor=hr_a, rows=bad, source="api")
    assert set(refused.value.rows) == {3}
    assert CollaborationEvent.objects.count() == 0
    first = events_record_bulk(actor=hr_a, rows=rows, source="api")
    again = events_record_bulk(actor=hr_a, rows=rows, source="api")
    assert first.created == 3 and again.created == 0
    assert first.ids == again.ids and len(set(first.ids)) == 3
    assert AuditEvent.objects.filter(action="event.bulk_create").count() == 1


def test_other_tenants_units_are_missing(units, hr_a, tenant_b):
    with tenant_scope(tenant_b):
        theirs = OrgUnitFactory()
    with pytest.raises(ValidationError) as refused:
        event_record(actor=hr_a, data=event_row(units["sales"], theirs))
    assert "to_unit" in refused.value.message_dict
    with tenant_scope(tenant_b):
        assert CollaborationEvent.objects.count() == 0


def test_complete_once_with_version(units, hr_a):
    event, _ = event_record(
        actor=hr_a,
        data=event_row(units["sales"], units["rd"], kind="deliverable", due_at="2026-03-06T00:00:00+00:00"),
    )
    with pytest.raises(StaleEditError):
        event_complete(actor=hr_a, event=event, lock_version=7, done_at="2026-03-05T00:00:00+00:00")
    done = event_complete(actor=hr_a, event=event, lock_version=1, done_at="2026-03-05T00:00:00+00:00")
    assert done.done_at == dt.datetime(2026, 3, 5, tzinfo=dt.UTC) and done.lock_version == 2
    with pytest.raises(ValidationError):
        event_complete(actor=hr_a, event=done, lock_version=2, done_at="2026-03-05T00:00:00+00:00")
    meeting = EventFactory(kind="meeting", from_unit=units["sales"], to_unit=units["rd"])
    with pytest.raises(ValidationError):
        event_complete(actor=hr_a, event=meeting, lock_version=1, done_at="2026-03-05T00:00:00+00:00")


def test_reader_scope(units, tenant_a):
    user = make_member(tenant_a, "employee", username="reader_e")
    me = EmployeeFactory(org_unit=units["hr"], user=user)
    EventFactory(from_unit=units["sales"], to_unit=units["rd"], title="other")
    EventFactory(from_unit=units["sales"], to_unit=units["rd"], from_employee=me, title="mine")
    EventFactory(from_unit=units["hr"], to_unit=units["rd"], title="my unit")
    membership = user.memberships.get()
    reader = event_reader(membership, user)
    assert {e.title for e in events_list(visible=reader.visible())} == {"mine", "my unit"}
    assert reader.units == {units["hr"].pk}
    assert reader.sender == me.pk and reader.write_units == {units["hr"].pk}  # records only as themselves


def test_period_bounds_in_the_tenant_zone(scope_a):
    from zoneinfo import ZoneInfo

    quarter = PeriodFactory(kind="quarter", year=2026, quarter=4)
    start, end = period_bounds(quarter, ZoneInfo("Asia/Shanghai"))
    assert start.isoformat() == "2026-10-01T00:00:00+08:00" and end.isoformat() == "2027-01-01T00:00:00+08:00"


def test_measures_read_the_log(units, hr_a):
    month = PeriodFactory(kind="month", year=2026, month=3)
    request, _ = event_record(actor=hr_a, data=event_row(units["sales"], units["rd"]))
    event_record(
        actor=hr_a,
        data=event_row(
            units["rd"],
            units["sales"],
            kind="response",
            answers=request.pk,
            occurred_at="2026-03-03T09:00:00+00:00",
            title="ok",
        ),
    )
    event_record(actor=hr_a, data=event_row(units["hr"], units["sales"], kind="meeting", attended=True))
    measured = unit_measures([month], timezone_name="UTC")
    assert measured[(units["rd"].pk, month.pk)].median_response_hours == 24.0
    assert measured[(units["sales"].pk, month.pk)].participation_rate == 1.0
    only_rd = unit_measures([month], units={units["rd"].pk}, timezone_name="UTC")
    assert set(only_rd) == {(units["rd"].pk, month.pk)}


def test_kpi_data_source_fills_the_measurement_and_asks_for_the_recompute(units, hr_a):
    assert set(EVENT_SOURCES) <= set(automatic_data_sources())
    month = PeriodFactory(kind="month", year=2026, month=3)
    closed = PeriodFactory(kind="month", year=2026, month=2, status=Period.Status.CLOSED)
    kpi = KPIFactory(
        owner_unit=units["rd"], data_source="events.median_response_hours", unit="h", direction="lower_better"
    )
    measurement = MeasurementFactory(kpi=kpi, period=month, target=Decimal("8"), actual=None)
    old = MeasurementFactory(kpi=kpi, period=closed, target=Decimal("8"), actual=Decimal("3"))
    other = KPIFactory(owner_unit=units["rd"], data_source="CRM")
    other_measurement = MeasurementFactory(kpi=other, period=month, actual=Decimal("5"))
    sent = []

    def spy(sender, *, signal, reason, **inputs):
        sent.append((reason, inputs.get("changes")))

    scoring_inputs_changed.connect(spy)
    try:
        request, _ = event_record(actor=hr_a, data=event_row(units["sales"], units["rd"]))
        assert sent == []  # nothing answered yet: nothing to measure, the actual stays
        event_record(
            actor=hr_a,
            data=event_row(
                units["rd"],
                units["sales"],
                kind="response",
                answers=request.pk,
                occurred_at="2026-03-02T15:30:00+00:00",
                title="ok",
            ),
        )
    finally:
        scoring_inputs_changed.disconnect(spy)
    measurement.refresh_from_db()
    assert measurement.actual == Decimal("6.5") and measurement.target == Decimal("8")
    assert sent == [("measurement", {month.pk: {kpi.pk}})]
    assert Measurement.objects.get(pk=old.pk).actual == Decimal("3")  # a closed period is not touched
    assert Measurement.objects.get(pk=other_measurement.pk).actual == Decimal("5")
    assert event_kpis_refresh_all(actor=None) == 0  # nothing changed since


def test_kpi_rates_in_percent_and_no_measurement_no_write(units, hr_a):
    month = PeriodFactory(kind="month", year=2026, month=3)
    kpi = KPIFactory(owner_unit=units["rd"], data_source="events.on_time_rate", unit="%")
    no_target = KPIFactory(owner_unit=units["rd"], data_source="events.participation_rate")
    measurement = MeasurementFactory(kpi=kpi, period=month, target=Decimal("95"), actual=None)
    for done in ("2026-03-04T00:00:00+00:00", "2026-03-09T00:00:00+00:00"):
        event_record(
            actor=hr_a,
            data=event_row(
                units["rd"],
                units["sales"],
                kind="deliverable",
                due_at="2026-03-05T00:00:00+00:00",
                done_at=done,
            ),
        )
    measurement.refresh_from_db()
    assert measurement.actual == Decimal("50.00")
    assert not Measurement.objects.filter(kpi=no_target).exists()


def test_the_daily_task_refills_event_sourced_kpis(units, hr_a, tenant_a):
    """An actual from the event log can drift with time alone (a deliverable falls overdue): the daily
    feedback task refills it, and a second run finds nothing to change."""
    from feedback.tasks import campaigns_daily

    month = PeriodFactory(kind="month", year=2026, month=3)
    kpi = KPIFactory(
        owner_unit=units["rd"], data_source="events.median_response_hours", unit="h", direction="lower_better"
    )
    measurement = MeasurementFactory(kpi=kpi, period=month, target=Decimal("8"), actual=None)
    request, _ = event_record(actor=hr_a, data=event_row(units["sales"], units["rd"]))
    event_record(
        actor=hr_a,
        data=event_row(
            units["rd"], units["sales"], kind="response", answers=request.pk,
            occurred_at="2026-03-02T15:30:00+00:00", title="ok",
        ),
    )  # fmt: skip
    Measurement.objects.filter(pk=measurement.pk).update(actual=None)  # as if it had drifted
    assert campaigns_daily.apply(args=[tenant_a.pk]).get()["event_kpis"] == 1
    measurement.refresh_from_db()
    assert measurement.actual == Decimal("6.5")
    assert campaigns_daily.apply(args=[tenant_a.pk]).get()["event_kpis"] == 0
