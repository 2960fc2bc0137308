"""The official days a tenant's calendar starts from (its "base"): public holidays and make-up working days.

- ``CN``: mainland China — the State Council's days off and make-up working days (调休), from the `holidays`
  package (its ``China`` calendar lists the announced days off, named, and the make-up working days as
  ``weekend_workdays``);
- ``none``: no official days, the weekly pattern alone.

The State Council announces a year's schedule in November or December of the year before, and the package
carries it from its next release: `announced_through` says up to which year it does. A later year has only
the statutory holidays the package derives by rule (a holiday on a weekend moved to the next working day) and
no make-up working days — the tenant's overrides complete it by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from collab.calendar.engine import BusinessCalendar

BASE_CN = "CN"
BASE_NONE = "none"
BASES = (BASE_CN, BASE_NONE)
LANGUAGES = ("zh_CN", "en_US")  # the `holidays` package's codes for the names


@lru_cache(maxsize=64)
def _china(years: tuple[int, ...], language: str) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    import holidays as holiday_data  # only this data source needs it

    china = holiday_data.China(years=years, language=language)
    days_off = dict(china.items())
    make_up = frozenset(day for day in china.weekend_workdays if day.year in years)
    return days_off, make_up


def _years(years: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(years)))


def official_holidays(base: str, years: Iterable[int], *, language: str = "zh_CN") -> dict[dt.date, str]:
    """The base's days off in ``years`` with their names (in ``language``, one of `LANGUAGES`). Days off
    that fall on a weekend are included (harmless: the weekend is off anyway)."""
    if base != BASE_CN:
        return {}
    return dict(_china(_years(years), language if language in LANGUAGES else "zh_CN")[0])


def official_workdays(base: str, years: Iterable[int]) -> set[dt.date]:
    """The base's make-up working days (调休) in ``years``."""
    if base != BASE_CN:
        return set()
    return set(_china(_years(years), "zh_CN")[1])


def announced_through(base: str) -> int | None:
    """The last year whose official schedule (days off and 调休) the data carries; None for no base."""
    if base != BASE_CN:
        return None
    from holidays.countries.china import ChinaStaticHolidays

    years = getattr(ChinaStaticHolidays, "special_public_holidays", {}) or {}
    return max(years) if years else None


def china_days_off(years: Iterable[int]) -> tuple[set[dt.date], set[dt.date]]:
    """The State Council's days off and make-up working days (调休) for ``years``, as plain sets."""
    return set(official_holidays(BASE_CN, years)), official_workdays(BASE_CN, years)


def china_calendar(years: Iterable[int], **options) -> BusinessCalendar:
    """A Monday–Friday calendar with China's public holidays and 调休 days for ``years``."""
    days_off, make_up = china_days_off(years)
    return BusinessCalendar(holidays=days_off, workdays=make_up, **options)
