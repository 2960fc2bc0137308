"""What the event log records about a person: their measures (the person asked, delivering, invited), the
trend across periods, who reads whose (employee: their own; manager: their units' people; HR: anyone; another
tenant's person: 404) in the selectors, pages and API, and the Excel exports (reader's language, importable
back)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collab.models import Period, UserProfile
from collab.selectors.periods import periods_ordered
from collab.tenancy import tenant_scope
from feedback.access import event_reader, measured_scope
from feedback.models import CollaborationEvent
from feedback.selectors.event_measures import (
    measure_trend,
    person_measure_table,
    person_measures,
    trend_periods,
)
from tests.factories import make_member
from tests.factories.feedback_events import EventFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db

ZONE = "Asia/Shanghai"
API = "/api/v1/t/alpha/events/measures/"


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def speak(user, language: str) -> None:
    UserProfile.objects.update_or_create(user=user, defaults={"language": language})


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def world(tenant_a, tenant_b):
    tenant_a.timezone = ZONE
    tenant_a.save()
    users = {
        "ann": make_member(tenant_a, "employee", username="ann"),
        "boss": make_member(tenant_a, "manager", username="boss"),
        "sam": make_member(tenant_a, "employee", username="sam"),
    }
    with tenant_scope(tenant_a):
        root = OrgUnitFactory(name="Group", code="G")
        sales = OrgUnitFactory(name="Sales", code="S", parent=root)
        rd = OrgUnitFactory(name="Research", code="R", parent=root)
        people = {
            "ann": EmployeeFactory(name="Ann", employee_no="A1", org_unit=rd, user=users["ann"]),
            "bob": EmployeeFactory(name="Bob", employee_no="B1", org_unit=rd),
            "boss": EmployeeFactory(name="Boss", employee_no="M1", org_unit=rd, user=users["boss"]),
            "sam": EmployeeFactory(name="Sam", employee_no="S1", org_unit=sales, user=users["sam"]),
        }
        ann, bob, sam = people["ann"], people["bob"], people["sam"]
        periods = {
            "feb": PeriodFactory(kind="month", year=2026, month=2),
            "mar": PeriodFactory(kind="month", year=2026, month=3),
            "q1": PeriodFactory(kind="quarter", year=2026, quarter=1),
        }
        events = {
            # Sam asks Ann: answered after 4 h (March), after 2 h (February)
            "asked": EventFactory(kind="request", from_unit=sales, to_unit=rd, from_employee=sam,
                                  to_employee=ann, occurred_at=at(3, 10), done_at=at(3, 10, 13),
                                  title="Sam asks Ann", external_id="x-asked"),
            "asked_feb": EventFactory(kind="request", from_unit=sales, to_unit=rd, from_employee=sam,
                                      to_employee=ann, occurred_at=at(2, 10), done_at=at(2, 10, 11),
                                      title="Sam asked Ann in February", external_id="x-feb"),
            # Ann delivers on time, Bob late (not done, overdue)
            "ann_delivers": EventFactory(kind="deliverable", from_unit=rd, to_unit=sales, from_employee=ann,
                                         to_employee=sam, occurred_at=at(3, 1), due_at=at(3, 12),
                                         done_at=at(3, 11), title="Ann's report", external_id="x-ann"),
            "bob_delivers": EventFactory(kind="deliverable", from_unit=rd, to_unit=sales, from_employee=bob,
                                         occurred_at=at(3, 1), due_at=at(3, 12), title="Bob's report",
                                         external_id="x-bob"),
            "meeting": EventFactory(kind="meeting", from_unit=sales, to_unit=rd, to_employee=ann,
                                    occurred_at=at(3, 15), attended=True, title="Sync with Ann",
                                    external_id="x-meet"),
        }  # fmt: skip
    with tenant_scope(tenant_b):
        stranger = EmployeeFactory(name="Bravo person", employee_no="A1")
        EventFactory(to_employee=stranger, title="Bravo secret", occurred_at=at(3, 10))
    return {"users": users, "people": people, "periods": periods, "events": events, "units": {
        "root": root, "sales": sales, "rd": rd}, "stranger": stranger}  # fmt: skip


# ------------------------------------------------------------------------------------------- selectors
def test_person_measures_count_the_person_asked_delivering_and_invited(world, scope_a):
    people, march = world["people"], world["periods"]["mar"]
    measured = person_measures([march], people={people["ann"].pk, people["sam"].pk}, timezone_name=ZONE)
    assert set(measured) == {(people["ann"].pk, march.pk)}  # Sam asked and received: nothing to measure
    ann = measured[(people["ann"].pk, march.pk)]
    assert (ann.requests, ann.on_time_rate, ann.participation_rate) == (1, 1.0, 1.0)
    assert ann.median_response_hours == pytest.approx(4.0)


def test_person_table_of_a_units_people_in_two_queries(world, scope_a, django_assert_num_queries):
    people, march, rd = world["people"], world["periods"]["mar"], world["units"]["rd"]
    with django_assert_num_queries(2):
        rows = person_measure_table([march], units={rd.pk}, timezone_name=ZONE)
    assert [(r["person_name"], r["employee_no"], r["unit_name"], r["on_time_rate"]) for r in rows] == [
        ("Ann", "A1", "Research", 1.0), ("Bob", "B1", "Research", 0.0)
    ]  # fmt: skip
    assert rows[0]["person"] == people["ann"].pk
    assert person_measure_table([march], units={world["units"]["sales"].pk}, timezone_name=ZONE) == []


def test_trend_periods_and_the_trend_of_a_person(world, scope_a, django_assert_num_queries):
    periods = world["periods"]
    chosen = trend_periods(periods_ordered(), periods["mar"])
    assert chosen == [periods["feb"], periods["mar"]]  # months only, up to the chosen one
    assert trend_periods(periods_ordered(), periods["feb"]) == [periods["feb"]]
    assert trend_periods(periods_ordered(), periods["mar"], length=1) == [periods["mar"]]
    with django_assert_num_queries(1):
        trend = measure_trend(chosen, person=world["people"]["ann"].pk, timezone_name=ZONE)
    assert [(row["period_label"], row["median_response_hours"]) for row in trend] == [
        (periods["feb"].label, 2.0), (periods["mar"].label, 4.0)
    ]  # fmt: skip
    unit_trend = measure_trend(chosen, unit=world["units"]["rd"].pk, timezone_name=ZONE)
    assert [row["deliverables_due"] for row in unit_trend] == [0, 2]  # a quiet period is a row of zeros


def test_measured_scope_follows_the_reading_rule(world, tenant_a, hr_a):
    units, people = world["units"], world["people"]
    with tenant_scope(tenant_a):
        def reader(user):
            return event_reader(user.memberships.get(), user)

        ann, boss, hr = reader(world["users"]["ann"]), reader(world["users"]["boss"]), reader(hr_a)
    assert measured_scope(ann, by="person") == (None, {people["ann"].pk})
    assert measured_scope(ann, by="person", unit_id=units["sales"].pk) == (None, set())
    assert measured_scope(boss, by="person") == ({units["rd"].pk}, None)
    assert measured_scope(boss, by="person", unit_id=units["sales"].pk) == (set(), None)
    assert measured_scope(hr, by="person") == (None, None)
    assert measured_scope(ann, by="unit") == ({units["rd"].pk}, None)


# ----------------------------------------------------------------------------------------------- pages
def test_an_employee_sees_what_is_recorded_about_them_and_nobody_else(world, login):
    client = login(world["users"]["ann"])
    period = world["periods"]["mar"].pk
    page = client.get(url("event-about"), {"period": period})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Sam asks Ann" in content and "Ann&#x27;s report" in content and "Sync with Ann" in content
    assert "Bob&#x27;s report" not in content and "Bravo secret" not in content
    assert page.context["measures"]["on_time_rate"] == 1.0
    assert 'data-chart="event-trend"' in content and 'id="event-trend-data"' in content
    only_meetings = client.get(url("event-about"), {"period": period, "kind": "meeting"}).content.decode()
    assert "Sync with Ann" in only_meetings and "Sam asks Ann" not in only_meetings
    for other in (world["people"]["bob"], world["people"]["boss"], world["stranger"]):
        assert client.get(url("event-about"), {"person": other.pk}).status_code == 404
    assert client.get(url("event-about"), {"person": "x"}).status_code == 404
    by_person = client.get(url("event-measures"), {"period": period, "subject": "person"})
    assert [row["person_name"] for row in by_person.context["rows"]] == ["Ann"]
    assert client.get(url("event-measures"), {"person": world["people"]["bob"].pk}).status_code == 404


def test_a_manager_reads_their_units_people(world, login, hr_a):
    client = login(world["users"]["boss"])
    people, period = world["people"], world["periods"]["mar"].pk
    ann_page = client.get(url("event-about"), {"person": people["ann"].pk, "period": period})
    assert ann_page.status_code == 200 and "Sam asks Ann" in ann_page.content.decode()
    assert client.get(url("event-about"), {"person": people["sam"].pk}).status_code == 404
    assert client.get(url("event-about"), {"person": world["stranger"].pk}).status_code == 404
    page = client.get(url("event-measures"), {"period": period, "subject": "person"})
    assert [row["person_name"] for row in page.context["rows"]] == ["Ann", "Bob"]
    assert 'data-person="' in page.content.decode()
    one = client.get(url("event-measures"), {"period": period, "person": people["bob"].pk})
    assert [row["person_name"] for row in one.context["rows"]] == ["Bob"] and one.context["trend"]
    hr = login(hr_a)
    assert hr.get(url("event-about"), {"person": people["sam"].pk}).status_code == 200
    assert hr.get(url("event-about"), {"person": world["stranger"].pk}).status_code == 404
    foreign = hr.get(url("event-measures"), {"person": world["stranger"].pk})  # the picker refuses it
    assert "person" in foreign.context["form"].errors and "Bravo person" not in foreign.content.decode()


def test_the_measures_page_charts_the_trend_of_the_chosen_unit(world, login, hr_a):
    client = login(hr_a)
    march = world["periods"]["mar"]
    page = client.get(url("event-measures"), {"period": march.pk, "unit": world["units"]["rd"].pk})
    trend = page.context["trend"]
    assert [row["period"] for row in trend] == [world["periods"]["feb"].pk, march.pk]
    chart = page.context["trend_chart"]
    assert chart["rates"][0]["values"] == [None, 50.0] and chart["hours"]["values"] == [2.0, 4.0]
    content = page.content.decode()
    assert 'data-chart="event-trend"' in content and "event_charts.js" in content
    assert "<script>" not in content  # the chart's data is a json_script, its code a static module
    assert 'id="event-trend-table"' in content
    assert "event-trend" not in client.get(url("event-measures"), {"period": march.pk}).content.decode()


def test_the_about_page_opens_on_the_period_of_the_persons_latest_event(world, login, tenant_a):
    """Not on the newest (active) month with nothing in it: on the month the latest event naming the person
    occurred in (the house rule of `default_period`); a person without events gets the active period."""
    with tenant_scope(tenant_a):
        later = PeriodFactory(kind="month", year=2026, month=6, status=Period.Status.ACTIVE)
    page = login(world["users"]["ann"]).get(url("event-about"))
    assert page.context["period"] == world["periods"]["mar"]
    assert "Sam asks Ann" in page.content.decode()
    with tenant_scope(tenant_a):
        user = make_member(tenant_a, "employee")
        nobody = EmployeeFactory(name="Nobody", org_unit=world["units"]["rd"], user=user)
    assert login(nobody.user).get(url("event-about")).context["period"] == later


def test_about_page_queries_do_not_grow(world, login, tenant_a, django_assert_max_num_queries):
    client = login(world["users"]["ann"])
    params = {"period": world["periods"]["mar"].pk}
    with django_assert_max_num_queries(40) as few:
        client.get(url("event-about"), params)
    with tenant_scope(tenant_a):
        for day in range(1, 20):
            EventFactory(
                kind="request", from_unit=world["units"]["sales"], to_unit=world["units"]["rd"],
                to_employee=world["people"]["ann"], occurred_at=at(3, day), done_at=at(3, day, 15),
            )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("event-about"), params)


def test_nav_leads_an_employee_to_what_is_recorded_about_them(world, login):
    home = login(world["users"]["ann"]).get(reverse("tenant-home", kwargs={"tenant_slug": "alpha"}))
    assert url("event-about") in home.content.decode()


# ---------------------------------------------------------------------------------------------- exports
def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


def test_event_export_in_english_and_chinese_imports_back(world, login, hr_a, tenant_a):
    client = login(hr_a)
    english = sheet_rows(client.get(url("event-export"), {"kind": "deliverable"}))
    assert english[0][:4] == ("Kind", "Title", "From unit", "To unit")
    assert {row[1] for row in english[1:]} == {"Ann's report", "Bob's report"}
    ann_row = next(row for row in english if row[1] == "Ann's report")
    assert ann_row[0] == "Deliverable" and ann_row[2:4] == ("R", "S") and ann_row[7:9] == ("A1", "S1")
    assert ann_row[4] == "2026-03-01 17:00:00"  # the tenant's wall clock (UTC+8)
    speak(hr_a, "zh-hans")
    chinese = sheet_rows(client.get(url("event-export"), {"kind": "meeting"}))
    assert chinese[0][:4] == ("类型", "标题", "发起单位", "对象单位")
    assert chinese[1][0] == "会议" and chinese[1][9] == "是"
    # the whole list exported (in Chinese) reads back: every row the same event again, nothing new
    everything = client.get(url("event-export"))
    upload = SimpleUploadedFile("events.xlsx", everything.content)
    checked = client.post(url("event-import"), {"file": upload})
    assert checked.status_code == 200 and checked.context["result"].ok
    committed = client.post(url("event-import"), {"confirm": "1"})
    assert committed.status_code == 302
    with tenant_scope(tenant_a):
        assert CollaborationEvent.objects.count() == 5


def test_an_employee_exports_only_what_they_read(world, login):
    rows = sheet_rows(login(world["users"]["sam"]).get(url("event-export")))
    titles = {row[1] for row in rows[1:]}
    assert "Bob's report" in titles  # to Sam's unit
    assert "Bravo secret" not in titles and len(titles) == 5
    assert sheet_rows(login(world["users"]["ann"]).get(url("event-export"), {"unit": "x"}))[1:] == []


def test_measures_export_by_unit_and_person_in_both_languages(world, login):
    client = login(world["users"]["boss"])
    march = world["periods"]["mar"].pk
    by_unit = sheet_rows(client.get(url("event-measures-export"), {"period": march}))
    assert by_unit[0][:2] == ("Period", "Unit") and by_unit[1][1] == "Research"
    speak(world["users"]["boss"], "zh-hans")
    by_person = sheet_rows(client.get(url("event-measures-export"), {"period": march, "subject": "person"}))
    assert by_person[0][1:4] == ("员工编号", "人员", "组织单元")
    on_time = by_person[0].index("按时交付率（%）")
    assert [(row[2], row[on_time]) for row in by_person[1:]] == [("Ann", 100.0), ("Bob", 0.0)]
    sam = world["people"]["sam"].pk
    assert client.get(url("event-measures-export"), {"person": sam}).status_code == 404


# -------------------------------------------------------------------------------------------------- API
def test_api_measures_by_person_and_trend(world, api_client_for):
    people, periods = world["people"], world["periods"]
    boss = api_client_for(world["users"]["boss"])
    rows = boss.get(API, {"period": periods["mar"].pk, "subject": "person"}).json()
    assert [(r["person_name"], r["employee_no"], r["on_time_rate"]) for r in rows] == [
        ("Ann", "A1", 1.0), ("Bob", "B1", 0.0)
    ]  # fmt: skip
    units = boss.get(API, {"period": periods["mar"].pk}).json()
    assert units and all(row["person"] is None for row in units)
    ann = api_client_for(world["users"]["ann"])
    trend = ann.get(API, {"period": periods["mar"].pk, "person": people["ann"].pk, "last": 12}).json()
    assert [(r["period"], r["median_response_hours"]) for r in trend] == [
        (periods["feb"].pk, pytest.approx(2.0)), (periods["mar"].pk, pytest.approx(4.0))
    ]  # fmt: skip
    assert [r["person"] for r in ann.get(API, {"period": periods["mar"].pk, "subject": "person"}).json()] == [
        people["ann"].pk
    ]
    assert ann.get(API, {"period": periods["mar"].pk, "person": people["bob"].pk}).status_code == 404
    assert boss.get(API, {"period": periods["mar"].pk, "person": world["stranger"].pk}).status_code == 404
    for bad in ({"last": "0"}, {"last": "13"}, {"last": "x"}, {"subject": "team"}, {"person": "x"}):
        answer = boss.get(API, {"period": periods["mar"].pk, **bad})
        assert answer.status_code == 400 and set(answer.json()) == set(bad), bad


def test_api_schema_describes_the_person_measures(world, api_client_for, hr_a):
    schema = api_client_for(hr_a).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/t/{tenant_slug}/events/measures/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["subject"]["enum"] == ["person", "unit"] or parameters["subject"]["enum"] == [
        "unit", "person"
    ]
    assert parameters["person"]["type"] == "integer" and parameters["last"]["type"] == "integer"
    component = schema["components"]["schemas"]["EventMeasures"]
    for name in ("person", "person_name", "employee_no"):
        assert component["properties"][name]["nullable"] is True and name in component["required"]


def test_quarter_periods_trend_by_quarter(world, scope_a):
    q1 = world["periods"]["q1"]
    q4 = PeriodFactory(kind="quarter", year=2025, quarter=4)
    assert trend_periods(periods_ordered(), q1) == [q4, q1]
    assert Period.objects.count() == 4


def test_measures_page_by_person_queries_do_not_grow(world, login, tenant_a, django_assert_max_num_queries):
    client = login(world["users"]["boss"])
    params = {"period": world["periods"]["mar"].pk, "subject": "person"}
    with django_assert_max_num_queries(40) as few:
        client.get(url("event-measures"), params)
    with tenant_scope(tenant_a):
        for index in range(8):
            someone = EmployeeFactory(org_unit=world["units"]["rd"], name=f"Extra {index}")
            EventFactory(
                kind="meeting", from_unit=world["units"]["sales"], to_unit=world["units"]["rd"],
                to_employee=someone, occurred_at=at(3, 5 + index), attended=index % 2 == 0,
            )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("event-measures"), params)
    assert len(page.context["rows"]) == 10
