"""Isolation samples of the business calendar: one of tenant B's own days (its edit and delete pages, the
API's detail) and B's settings row (the singleton `business-calendar/` answers A's own)."""

from __future__ import annotations

import datetime as dt

from collab.services.calendar import calendar_settings
from tests.factories.calendar import CalendarDayFactory

ORDER = 12


def build(tenant, objects: dict) -> dict:
    calendar_settings()
    return {"calendar_day": CalendarDayFactory(date=dt.date(2026, 6, 1), name="iso-calendar day")}


ROUTE_KWARGS = {
    "calendar-day-edit": lambda o: {"pk": o["calendar_day"].pk},
    "calendar-day-delete": lambda o: {"pk": o["calendar_day"].pk},
}

API_DETAIL = {"api-calendar-day": "calendar_day"}
