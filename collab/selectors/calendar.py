"""Reading the tenant's business calendar: the engine's calendar for any app's deadlines and seasonal models
(`tenant_calendar`, cached), a deadline in working time (`working_deadline`), and one year day by day with
where each day's status comes from (`calendar_year`: the page and the API's `business-calendar/days/`).

The effective calendar is the base's official days (`collab.calendar.official`) with the tenant's own days
(`CalendarDay`) applied: an entry of a date wins. Outside the years asked for, only the weekly pattern counts:
ask for every year a computation may reach (`working_deadline` does)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from collab.calendar.engine import BusinessCalendar
from collab.calendar.official import announced_through, official_holidays, official_workdays
from collab.models import CalendarBase, CalendarDay, CalendarDayKind, CalendarSettings, Tenant
from collab.selectors.audit.events import tenant_zone
from collab.services.calendar import FIRST_YEAR, LAST_YEAR, calendar_settings
from collab.tenancy import current_tenant_or_none, tenant_cache_key, tenant_scope

CACHE_SECONDS = 24 * 3600
SOURCE_WEEKLY, SOURCE_OFFICIAL, SOURCE_TENANT = "weekly", "official", "tenant"


def calendar_days(*, year: int | None = None) -> QuerySet[CalendarDay]:
    """The tenant's own days in date order (the unique index on tenant and date serves it), of one year."""
    days = CalendarDay.objects.select_related("updated_by").order_by("date")
    if year is not None:
        days = days.filter(date__gte=dt.date(year, 1, 1), date__lt=dt.date(year + 1, 1, 1))
    return days


def _scope(tenant: Tenant):
    scoped = current_tenant_or_none()
    return nullcontext() if scoped is not None and scoped.pk == tenant.pk else tenant_scope(tenant)


def _years(years) -> tuple[int, ...]:
    chosen = tuple(sorted({int(year) for year in ([years] if isinstance(years, int) else years)}))
    if not chosen or chosen[0] < FIRST_YEAR or chosen[-1] > LAST_YEAR:
        raise ValueError(f"years must lie in {FIRST_YEAR}..{LAST_YEAR}")
    return chosen


def _effective_days(settings: CalendarSettings, years: tuple[int, ...]) -> tuple[list, list]:
    """(days off, make-up working days) of the base in `years` with the tenant's own days applied."""
    days_off = set(official_holidays(settings.base, years))
    working = official_workdays(settings.base, years)
    first, last = dt.date(years[0], 1, 1), dt.date(years[-1] + 1, 1, 1)
    for date, kind in CalendarDay.objects.filter(date__gte=first, date__lt=last).values_list("date", "kind"):
        if date.year not in years:
            continue
        days_off.discard(date)
        working.discard(date)
        (working if kind == CalendarDayKind.WORKDAY else days_off).add(date)
    return sorted(days_off), sorted(working)


def tenant_calendar(tenant: Tenant, *, years) -> BusinessCalendar:
    """The tenant's effective calendar for `years` (an int or several), for any computation that counts
    working days or time. One query for the settings; the days are cached under the tenant, the settings row
    and its `revision`, which every calendar write moves in its transaction."""
    chosen = _years(years)
    with _scope(tenant):
        settings = calendar_settings()
        key = tenant_cache_key("business-calendar", settings.pk, settings.revision, *chosen)
        found = cache.get(key)
        if found is None:
            found = _effective_days(settings, chosen)
            cache.set(key, found, CACHE_SECONDS)
    days_off, working = found
    return BusinessCalendar(
        holidays=days_off, workdays=working, weekmask=settings.weekmask, day_start=settings.day_start,
        day_end=settings.day_end,
    )  # fmt: skip


def working_deadline(tenant: Tenant, start: dt.datetime, *, days: int = 0, hours: float = 0) -> dt.datetime:
    """The moment `days` working days and `hours` working hours after `start` (an aware datetime), on the
    tenant's calendar in the tenant's zone, as an aware datetime in that zone. A working day is the
    working day's hours of working time (09:00 Monday + 1 day = 09:00 Tuesday); a start outside working hours
    counts from the next working hour, and a limit that ends at a day's end is due at that end."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if days < 0 or hours < 0:
        raise ValueError("days and hours must not be negative")
    zone = tenant_zone(tenant.timezone)
    local = start.astimezone(zone).replace(tzinfo=None)
    reach = 2 + int(days) // 200 + int(hours) // 1600  # years a limit may run into (generously)
    years = range(local.year, min(local.year + reach, LAST_YEAR) + 1)
    calendar = tenant_calendar(tenant, years=years)
    seconds = int(round(days * calendar.day_seconds + hours * 3600))
    due = calendar.add_working_time(np.datetime64(local, "s"), seconds)
    return due.astype(dt.datetime).replace(tzinfo=zone)


# ------------------------------------------------------------------------------- one year, day by day
@dataclass(frozen=True)
class CalendarDate:
    date: dt.date
    working: bool
    name: str
    source: str  # weekly | official | tenant
    official_working: bool | None  # what the base says of the date; None when it says nothing
    official_name: str
    override: CalendarDay | None

    @property
    def weekly_off(self) -> bool:
        return self.source == SOURCE_WEEKLY and not self.working


def _holiday_language() -> str:
    return "zh_CN" if (get_language() or "").startswith("zh") else "en_US"


def coverage(settings: CalendarSettings, year: int) -> dict:
    """What the base's official data says of `year`: up to which year it carries the announced schedule
    (None without a base), and whether `year` is among them."""
    through = announced_through(settings.base)
    return {
        "announced_through": through,
        "official_complete": settings.base == CalendarBase.NONE or (through is not None and year <= through),
    }


def calendar_year(year: int) -> dict:
    """Every day of `year` on the tenant's calendar (names in the reader's language), the settings and what
    the official data covers. Three queries at most (settings, the calendar's days, the entries)."""
    (year,) = _years(year)
    settings = calendar_settings()
    calendar = tenant_calendar(_tenant_of(settings), years=year)
    official_off = official_holidays(settings.base, [year], language=_holiday_language())
    official_on = official_workdays(settings.base, [year])
    overrides = {day.date: day for day in calendar_days(year=year)}
    first = dt.date(year, 1, 1)
    dates = [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]
    working = calendar.is_working_day(dates)
    make_up = _("Make-up working day")
    days = []
    for date, is_working in zip(dates, working.tolist(), strict=True):
        official = True if date in official_on else False if date in official_off else None
        official_name = make_up if date in official_on else official_off.get(date, "")
        override = overrides.get(date)
        if override is not None:
            source, name = SOURCE_TENANT, override.name
        elif official is not None:
            source, name = SOURCE_OFFICIAL, official_name
        else:
            source, name = SOURCE_WEEKLY, ""
        days.append(CalendarDate(date, bool(is_working), name, source, official, official_name, override))
    return {"year": year, "settings": settings, "days": days, **coverage(settings, year)}


def _tenant_of(settings: CalendarSettings) -> Tenant:
    scoped = current_tenant_or_none()
    return scoped if scoped is not None and scoped.pk == settings.tenant_id else settings.tenant


def special_days(days: list[CalendarDate]) -> list[CalendarDate]:
    """The days the base or the tenant names (holidays, make-up working days, the tenant's entries)."""
    return [day for day in days if day.source != SOURCE_WEEKLY]


def month_grids(days: list[CalendarDate]) -> list[dict]:
    """The year as twelve month grids, weeks from Monday: {month, weeks: [[CalendarDate | None] * 7]}."""
    by_date = {day.date: day for day in days}
    year = days[0].date.year
    grids = []
    for month in range(1, 13):
        weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        grids.append({
            "month": dt.date(year, month, 1),
            "weeks": [[by_date[d] if d.month == month else None for d in week] for week in weeks],
        })  # fmt: skip
    return grids
