"""The calendar's services and selectors: the tenant's own days win over the official ones, validation with
field keys, every write audited and moving the revision (so the cached calendar is never stale), stale edits
refused; `tenant_calendar` with base CN and "none"; deadlines in working time over 春节 in the tenant's zone.
Tenant B is in the room and keeps its own calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, CalendarDay, CalendarSettings
from collab.selectors.calendar import calendar_year, tenant_calendar, working_deadline
from collab.services.calendar import (
    calendar_day_create,
    calendar_day_delete,
    calendar_day_update,
    calendar_settings,
    calendar_update,
)
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def working(calendar, text: str) -> bool:
    return bool(calendar.is_working_day(np.datetime64(text)))


def test_the_tenants_days_win_over_the_official_ones(scope_a, tenant_a, tenant_b, hr_a):
    official = tenant_calendar(tenant_a, years=2026)
    assert not working(official, "2026-10-01") and working(official, "2026-02-14")
    calendar_day_create(actor=hr_a, data={"date": "2026-10-01", "kind": "workday", "name": "Plant runs"})
    calendar_day_create(actor=hr_a, data={"date": dt.date(2026, 2, 14), "kind": "holiday", "name": "Rest"})
    calendar_day_create(actor=hr_a, data={"date": "2026-03-06", "kind": "holiday", "name": "Anniversary"})
    ours = tenant_calendar(tenant_a, years=2026)
    assert working(ours, "2026-10-01") and not working(ours, "2026-02-14") and not working(ours, "2026-03-06")
    assert bool(ours.is_holiday(np.datetime64("2026-03-06")))
    assert not working(tenant_calendar(tenant_b, years=2026), "2026-10-01")  # B keeps the official day


def test_the_cached_calendar_follows_every_write(scope_a, tenant_a, hr_a, django_assert_max_num_queries):
    tenant_calendar(tenant_a, years=[2026, 2027])
    with django_assert_max_num_queries(1):  # the settings row; the days come from the cache
        tenant_calendar(tenant_a, years=[2026, 2027])
    day = calendar_day_create(actor=hr_a, data={"date": "2027-02-20", "kind": "workday", "name": "调休上班"})
    assert working(tenant_calendar(tenant_a, years=[2026, 2027]), "2027-02-20")
    day = calendar_day_update(actor=hr_a, day=day, lock_version=day.lock_version, data={"kind": "holiday"})
    assert not working(tenant_calendar(tenant_a, years=[2026, 2027]), "2027-02-20")
    calendar_day_delete(actor=hr_a, day=day, lock_version=day.lock_version)
    settings = CalendarSettings.objects.get()
    assert settings.revision == 4
    calendar_update(actor=hr_a, lock_version=settings.lock_version, data={"weekend": [7]})
    assert working(tenant_calendar(tenant_a, years=[2026, 2027]), "2027-02-20")  # Saturdays work now
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["calendar.update", "calendar_day.create", "calendar_day.delete", "calendar_day.update"]


def test_base_none_has_the_weekly_days_off_only(scope_a, tenant_a, hr_a):
    settings = calendar_settings()
    calendar_update(actor=hr_a, lock_version=settings.lock_version, data={"base": "none"})
    calendar = tenant_calendar(tenant_a, years=2026)
    assert working(calendar, "2026-10-01") and not working(calendar, "2026-02-14")  # a plain Saturday
    year = calendar_year(2026)
    assert year["official_complete"] and {d.source for d in year["days"]} == {"weekly"}


def test_validation_names_the_fields_and_writes_nothing(scope_a, hr_a):
    with pytest.raises(ValidationError) as refused:
        calendar_day_create(actor=hr_a, data={"date": "2026-02-30", "kind": "off", "name": "x" * 101})
    assert set(refused.value.message_dict) == {"date", "kind", "name"}
    with pytest.raises(ValidationError) as refused:
        calendar_day_create(actor=hr_a, data={"date": "2100-01-01", "kind": "holiday", "name": "\x00"})
    assert set(refused.value.message_dict) == {"date", "name"}
    settings = calendar_settings()
    with pytest.raises(ValidationError) as refused:
        calendar_update(actor=hr_a, lock_version=settings.lock_version,
                        data={"weekend": [0, 8], "day_start": "late", "base": "US"})  # fmt: skip
    assert set(refused.value.message_dict) == {"weekend", "day_start", "base"}
    with pytest.raises(ValidationError) as refused:
        calendar_update(actor=hr_a, lock_version=settings.lock_version, data={"day_end": "08:00"})
    assert set(refused.value.message_dict) == {"day_end"}
    assert not CalendarDay.objects.exists() and not AuditEvent.objects.exists()


def test_stale_edits_are_refused_and_an_unchanged_save_writes_nothing(scope_a, hr_a):
    settings = calendar_settings()
    with pytest.raises(StaleEditError):
        calendar_update(actor=hr_a, lock_version=settings.lock_version + 1, data={"weekend": [7]})
    same = calendar_update(actor=hr_a, lock_version=settings.lock_version, data={"weekend": [6, 7]})
    assert same.lock_version == settings.lock_version and same.revision == settings.revision
    day = calendar_day_create(actor=hr_a, data={"date": "2026-05-06", "kind": "holiday", "name": "Extra"})
    with pytest.raises(StaleEditError):
        calendar_day_update(actor=hr_a, day=day, lock_version=day.lock_version - 1, data={"name": "x"})
    with pytest.raises(StaleEditError):
        calendar_day_delete(actor=hr_a, day=day, lock_version=None)
    assert CalendarDay.objects.get().name == "Extra"


def test_deadlines_in_working_time_skip_the_spring_festival(scope_a, tenant_a):
    eve = dt.datetime(2026, 2, 13, 16, 0, tzinfo=SHANGHAI)  # Friday before the break
    # 4 working hours: 2 on Friday, Saturday 14 February is a make-up working day.
    assert working_deadline(tenant_a, eve, hours=4) == dt.datetime(2026, 2, 14, 11, 0, tzinfo=SHANGHAI)
    # 2 working days from Saturday 11:00: 7 h that day, 9 h on Tuesday 24 (15–23 February off), 2 h on
    # the 25th.
    start = dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.UTC)  # 11:00 in Shanghai
    assert working_deadline(tenant_a, start, days=2) == dt.datetime(2026, 2, 25, 11, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValueError):
        working_deadline(tenant_a, dt.datetime(2026, 2, 13, 16, 0), hours=1)  # noqa: DTZ001


def test_the_year_names_each_days_source(scope_a, tenant_b, hr_a):
    calendar_day_create(actor=hr_a, data={"date": "2026-10-01", "kind": "workday", "name": "Plant runs"})
    days = {day.date.isoformat(): day for day in calendar_year(2026)["days"]}
    assert days["2026-10-01"].source == "tenant" and days["2026-10-01"].official_working is False
    assert days["2026-10-01"].working and days["2026-10-01"].name == "Plant runs"
    assert days["2026-02-28"].source == "official" and days["2026-02-28"].working
    assert days["2026-03-07"].source == "weekly" and not days["2026-03-07"].working
    assert len(days) == 365
    with tenant_scope(tenant_b):
        assert {d.source for d in calendar_year(2026)["days"] if d.date.month == 10} == {"official", "weekly"}
