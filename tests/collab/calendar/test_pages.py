"""The business calendar page: every member reads the year (month grids, the list of holidays and make-up days
with their source, what the official data covers); HR admins change the settings (field errors, a stale save
is a 409) and add, edit and remove the company's own days — an official day too; another tenant's day is a
404; the page keeps a fixed number of queries however many days the tenant adds."""

from __future__ import annotations

import datetime as dt

import pytest

from collab.models import CalendarDay, CalendarSettings, Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.calendar import CalendarDayFactory

pytestmark = pytest.mark.django_db
BASE = "/t/alpha/calendar/"


def _row(html: str, date: str) -> str:
    start = html.index(f'data-day="{date}"')
    return html[start : html.index("</tr>", start)]


def test_an_employee_reads_the_year_with_its_holidays_and_make_up_days(tenant_a, tenant_b, login):
    client = login(make_member(tenant_a, Role.EMPLOYEE))
    answer = client.get(f"{BASE}?year=2026")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-date="2026-02-17" data-working="0"' in html  # 春节
    assert 'data-date="2026-02-14" data-working="1"' in html  # a make-up Saturday
    assert 'data-date="2026-02-21" data-working="0"' in html  # an ordinary Saturday
    assert "Official" in _row(html, "2026-02-17") and "Working day" in _row(html, "2026-02-28")
    assert 'id="calendar-settings"' not in html and 'id="calendar-settings-shown"' in html
    assert 'id="calendar-day-new"' not in html and "Make it a working day" not in html
    assert (
        "alert-warning" not in html[html.index('id="calendar-coverage"') : html.index('id="calendar-months"')]
    )
    later = client.get(f"{BASE}?year=2027").content.decode()
    coverage = later[later.index('id="calendar-coverage"') : later.index('id="calendar-months"')]
    assert "alert-warning" in coverage and "2026" in coverage
    for hostile in ("9" * 5000, "-1", "２０２６", "1999"):
        assert client.get(BASE, {"year": hostile}).status_code == 200  # this year instead
    assert client.post(BASE, {"base": "none"}).status_code == 403
    assert client.get("/t/alpha/calendar/days/new/").status_code == 403


def test_hr_overrides_an_official_day_and_removes_the_override_again(tenant_a, hr_a, login):
    client = login(hr_a)
    html = client.get(f"{BASE}?year=2026").content.decode()
    assert "?date=2026-10-01&amp;kind=workday" in _row(html, "2026-10-01")
    form = client.get("/t/alpha/calendar/days/new/?date=2026-10-01&kind=workday").content.decode()
    assert 'value="2026-10-01"' in form
    answer = client.post("/t/alpha/calendar/days/new/", {"date": "2026-10-01", "kind": "workday", "name": ""})
    assert answer.status_code == 400 and "This field is required." in answer.content.decode()
    answer = client.post(
        "/t/alpha/calendar/days/new/", {"date": "2026-10-01", "kind": "workday", "name": "Plant runs"}
    )
    assert answer.status_code == 302 and answer.url == f"{BASE}?year=2026"
    html = client.get(answer.url).content.decode()
    assert 'data-date="2026-10-01" data-working="1"' in html
    row = _row(html, "2026-10-01")
    assert "Added by us" in row and "National Day" in row or "国庆节" in row
    with tenant_scope(tenant_a):
        day = CalendarDay.objects.get()
    taken = client.post("/t/alpha/calendar/days/new/", {"date": "2026-10-01", "kind": "holiday", "name": "x"})
    assert taken.status_code == 400 and "has its own entry already" in taken.content.decode()
    edit = f"/t/alpha/calendar/days/{day.pk}/edit/"
    stale = client.post(edit, {"date": "2026-10-01", "kind": "workday", "name": "New", "lock_version": "0"})
    assert stale.status_code == 409
    saved = client.post(edit, {"date": "2026-10-01", "kind": "workday", "name": "New",
                               "lock_version": str(day.lock_version)})  # fmt: skip
    assert saved.status_code == 302
    delete = f"/t/alpha/calendar/days/{day.pk}/delete/"
    assert client.post(delete, {"lock_version": str(day.lock_version)}).status_code == 409
    assert client.post(delete, {"lock_version": str(day.lock_version + 1)}).status_code == 302
    html = client.get(f"{BASE}?year=2026").content.decode()
    assert 'data-date="2026-10-01" data-working="0"' in html and "Official" in _row(html, "2026-10-01")


def test_hr_changes_the_settings_with_field_errors_and_a_stale_save(tenant_a, hr_a, login):
    client = login(hr_a)
    html = client.get(BASE).content.decode()
    assert 'id="calendar-settings"' in html
    with tenant_scope(tenant_a):
        version = CalendarSettings.objects.get().lock_version
    post = {"base": "CN", "weekend": ["7"], "day_start": "18:00", "day_end": "09:00",
            "lock_version": str(version)}  # fmt: skip
    answer = client.post(f"{BASE}?year=2026", post)
    assert answer.status_code == 400 and "The working day ends after it starts" in answer.content.decode()
    answer = client.post(f"{BASE}?year=2026", {**post, "weekend": [str(d) for d in range(1, 8)],
                                               "day_start": "09:00", "day_end": "18:00"})  # fmt: skip
    assert (
        answer.status_code == 400 and "At least one weekday must be a working day." in answer.content.decode()
    )
    answer = client.post(
        f"{BASE}?year=2026", {**post, "base": "none", "day_start": "09:00", "day_end": "18:00"}
    )
    assert answer.status_code == 302
    html = client.get(answer.url).content.decode()
    assert 'data-date="2026-02-17" data-working="1"' in html  # no official days any more
    assert 'data-date="2026-02-21" data-working="1"' in html  # Saturday works now
    assert client.post(BASE, {**post, "day_start": "09:00", "day_end": "18:00"}).status_code == 409


def test_another_tenants_day_is_a_404(tenant_a, tenant_b, hr_a, login):
    with tenant_scope(tenant_b):
        theirs = CalendarDayFactory(date=dt.date(2026, 3, 3), kind="holiday", name="B")
    client = login(hr_a)
    assert client.get(f"/t/alpha/calendar/days/{theirs.pk}/edit/").status_code == 404
    assert (
        client.post(f"/t/alpha/calendar/days/{theirs.pk}/delete/", {"lock_version": "1"}).status_code == 404
    )
    assert 'data-date="2026-03-03" data-working="1"' in client.get(f"{BASE}?year=2026").content.decode()


def test_the_page_keeps_its_queries_however_many_days(tenant_a, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    client.get(BASE)
    with django_assert_max_num_queries(20) as first:
        client.get(f"{BASE}?year=2027")
    with tenant_scope(tenant_a):
        CalendarDayFactory.create_batch(40)
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(f"{BASE}?year=2027").content.decode()
    assert html.count('data-source="tenant"') == 40
