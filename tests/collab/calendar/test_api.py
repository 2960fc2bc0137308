"""The calendar API: `business-calendar/` (settings, GET/PATCH with lock_version), `business-calendar/days/`
(a year day by day) and `calendar-days/` (the tenant's own days: CRUD, ?year=, errors, stale 409); every
member reads, HR admins write; another tenant's day is a 404 and nothing of it changes."""

from __future__ import annotations

import datetime as dt

import pytest

from collab.models import AuditEvent, CalendarDay, CalendarSettings, Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.calendar import CalendarDayFactory

pytestmark = pytest.mark.django_db
SETTINGS = "/api/v1/t/alpha/business-calendar/"
DAYS = "/api/v1/t/alpha/calendar-days/"


@pytest.fixture
def hr(tenant_a, tenant_b):
    return make_member(tenant_a, Role.HR_ADMIN)


def test_settings_read_and_patch_with_lock_version(hr, tenant_a, api_client_for):
    api = api_client_for(hr)
    shown = api.get(SETTINGS).json()
    assert shown["base"] == "CN" and shown["weekend"] == [6, 7] and shown["day_start"] == "09:00"
    assert shown["announced_through"] >= 2026
    stale = api.patch(SETTINGS, {"weekend": [7], "lock_version": shown["lock_version"] + 1}, format="json")
    assert stale.status_code == 409 and stale.json()["lock_version"] == shown["lock_version"]
    missing = api.patch(SETTINGS, {"weekend": [7]}, format="json")
    assert missing.status_code == 400 and "lock_version" in missing.json()
    bad = api.patch(SETTINGS, {"weekend": [1, 2, 3, 4, 5, 6], "day_start": "19:00",
                               "lock_version": shown["lock_version"]}, format="json")  # fmt: skip
    assert bad.status_code == 400 and set(bad.json()) == {"day_end"}
    every = api.patch(SETTINGS, {"weekend": [], "base": "nope", "lock_version": shown["lock_version"]},
                      format="json")  # fmt: skip
    assert every.status_code == 400 and "base" in every.json()
    saved = api.patch(SETTINGS, {"weekend": [7], "base": "none", "lock_version": shown["lock_version"]},
                      format="json")  # fmt: skip
    assert saved.status_code == 200, saved.json()
    assert saved.json()["weekend"] == [7] and saved.json()["lock_version"] == shown["lock_version"] + 1
    assert saved.json()["announced_through"] is None
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="calendar.update").count() == 1


def test_the_year_lists_every_day_with_its_source(hr, api_client_for):
    api = api_client_for(hr)
    year = api.get(f"{SETTINGS}days/?year=2026").json()
    assert year["year"] == 2026 and len(year["days"]) == 365 and year["official_complete"] is True
    by_date = {day["date"]: day for day in year["days"]}
    assert by_date["2026-02-17"] == {
        "date": "2026-02-17", "working": False, "name": "Chinese New Year (Spring Festival)",
        "source": "official", "official_working": False,
        "official_name": "Chinese New Year (Spring Festival)", "override": None,
    } or by_date["2026-02-17"]["name"] == "春节"  # fmt: skip
    assert by_date["2026-02-14"]["working"] is True and by_date["2026-02-14"]["source"] == "official"
    assert by_date["2026-02-15"]["working"] is False  # a Sunday inside the break
    assert by_date["2026-03-07"]["source"] == "weekly" and by_date["2026-03-07"]["working"] is False
    later = api.get(f"{SETTINGS}days/?year=2027").json()
    assert later["official_complete"] is False  # no 调休 announced in the data yet
    assert api.get(f"{SETTINGS}days/?year=1999").status_code == 400
    assert api.get(f"{SETTINGS}days/?year=x").status_code == 400


def test_hr_adds_edits_and_removes_a_day_and_the_year_follows(hr, tenant_a, api_client_for):
    api = api_client_for(hr)
    made = api.post(DAYS, {"date": "2026-10-01", "kind": "workday", "name": "Plant keeps running"},
                    format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    day = made.json()
    by_date = {d["date"]: d for d in api.get(f"{SETTINGS}days/?year=2026").json()["days"]}
    assert by_date["2026-10-01"]["working"] is True and by_date["2026-10-01"]["source"] == "tenant"
    assert (
        by_date["2026-10-01"]["official_working"] is False and by_date["2026-10-01"]["override"] == day["id"]
    )
    taken = api.post(DAYS, {"date": "2026-10-01", "kind": "holiday", "name": "Again"}, format="json")
    assert taken.status_code == 400 and "date" in taken.json()
    errors = api.post(DAYS, {"date": "2026-13-01", "kind": "x", "name": " "}, format="json").json()
    assert {"date", "kind", "name"} <= set(errors)
    early = api.post(DAYS, {"date": "1990-01-01", "kind": "holiday", "name": "Old"}, format="json")
    assert early.status_code == 400 and early.json()["date"] == ["Choose a date from 2000 to 2099."]
    body = {"kind": "holiday", "name": "Company day", "lock_version": day["lock_version"]}
    changed = api.patch(f"{DAYS}{day['id']}/", body, format="json")
    assert changed.status_code == 200 and changed.json()["kind"] == "holiday"
    stale = api.patch(
        f"{DAYS}{day['id']}/", {"name": "x", "lock_version": day["lock_version"]}, format="json"
    )
    assert stale.status_code == 409
    stale_delete = api.delete(f"{DAYS}{day['id']}/?lock_version={day['lock_version']}")
    assert stale_delete.status_code == 409
    gone = api.delete(f"{DAYS}{day['id']}/?lock_version={changed.json()['lock_version']}")
    assert gone.status_code == 204
    by_date = {d["date"]: d for d in api.get(f"{SETTINGS}days/?year=2026").json()["days"]}
    assert by_date["2026-10-01"]["source"] == "official" and by_date["2026-10-01"]["working"] is False
    with tenant_scope(tenant_a):
        actions = list(
            AuditEvent.objects.filter(action__startswith="calendar_day.").values_list("action", flat=True)
        )
    assert sorted(actions) == ["calendar_day.create", "calendar_day.delete", "calendar_day.update"]


def test_employees_read_and_may_not_write(tenant_a, tenant_b, api_client_for):
    api = api_client_for(make_member(tenant_a, Role.EMPLOYEE))
    assert api.get(SETTINGS).status_code == 200
    assert api.get(f"{SETTINGS}days/?year=2026").status_code == 200
    assert api.patch(SETTINGS, {"weekend": [7], "lock_version": 1}, format="json").status_code == 403
    assert (
        api.post(DAYS, {"date": "2026-05-06", "kind": "holiday", "name": "x"}, format="json").status_code
        == 403
    )


def test_another_tenants_day_is_a_404_and_stays(hr, tenant_b, api_client_for):
    with tenant_scope(tenant_b):
        theirs = CalendarDayFactory(date=dt.date(2026, 6, 1), kind="holiday", name="B's day")
    api = api_client_for(hr)
    assert api.get(f"{DAYS}{theirs.pk}/").status_code == 404
    assert (
        api.patch(f"{DAYS}{theirs.pk}/", {"name": "x", "lock_version": 1}, format="json").status_code == 404
    )
    assert api.delete(f"{DAYS}{theirs.pk}/?lock_version=1").status_code == 404
    assert api.get(DAYS).json()["results"] == []
    by_date = {d["date"]: d for d in api.get(f"{SETTINGS}days/?year=2026").json()["days"]}
    assert by_date["2026-06-01"]["working"] is True
    with tenant_scope(tenant_b):
        assert CalendarDay.objects.get().name == "B's day"


def test_the_list_filters_by_year_in_fixed_queries(
    hr, tenant_a, api_client_for, django_assert_max_num_queries
):
    with tenant_scope(tenant_a):
        CalendarDayFactory(date=dt.date(2025, 12, 31), kind="holiday", name="Old")
        for n in range(1, 4):
            CalendarDayFactory(date=dt.date(2027, 1, n), kind="holiday", name=f"D{n}")
    api = api_client_for(hr)
    with django_assert_max_num_queries(8) as first:
        listed = api.get(f"{DAYS}?year=2027").json()["results"]
    assert [d["name"] for d in listed] == ["D1", "D2", "D3"]
    with tenant_scope(tenant_a):
        for n in range(4, 30):
            CalendarDayFactory(date=dt.date(2027, 2, n % 28 + 1), kind="holiday", name=f"D{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        api.get(f"{DAYS}?year=2027")
    assert api.get(f"{DAYS}?year=20x").status_code == 400


def test_another_tenants_calendar_is_a_404_by_its_slug(hr, tenant_b, api_client_for):
    api = api_client_for(hr)
    for url in ("/api/v1/t/bravo/business-calendar/", "/api/v1/t/bravo/business-calendar/days/?year=2026"):
        assert api.get(url).status_code == 404
    body = {"weekend": [7], "lock_version": 1}
    assert api.patch("/api/v1/t/bravo/business-calendar/", body, format="json").status_code == 404
    assert api.put(SETTINGS, {"weekend": [7], "lock_version": 1}, format="json").status_code == 405
    with tenant_scope(tenant_b):
        assert not CalendarSettings.objects.exists()
