"""The checks of a process KPI and of its points, shared by the services, the import and the API.

A KPI: its stage, a code unique in the tenant (case-insensitive), a name, a granularity, a direction and
optional amber and red lines that agree with the direction (lower is better: red at or above amber; higher
is better: red at or below amber; either way bad: no lines — `alerts.engine.health` has no bad side for
them). Points: each (kpi, at, value); `at` is the first day of the KPI's bucket (a week's Monday, a month's
1st) — another day is refused naming the day expected, never moved silently —, not after today in the
tenant's zone; the value a finite number that fits the column (14 digits before the point, rounded to 6
after). Errors are keyed like the forms: a KPI's fields by name, a point's "points-<i>-<field>"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Granularity, KpiDirection, ProcessKpi, ProcessStage
from alerts.models.kpis import VALUE_DIGITS
from collab.numbers import parse_number
from collab.routing.ids import coerce_id
from collab.tenancy import current_tenant
from collab.text import clean_text

KPI_FIELDS = (
    "stage", "code", "name", "unit_label", "granularity", "direction", "amber", "red", "description",
    "is_active",
)  # fmt: skip
TEXT_LIMITS = {"code": 40, "name": 200, "unit_label": 20, "description": 2000}
MAX_POINTS = 10_000
EARLIEST = dt.date(1900, 1, 1)
_PLACES = Decimal(1).scaleb(-VALUE_DIGITS["decimal_places"])
_LIMIT = Decimal(10) ** (VALUE_DIGITS["max_digits"] - VALUE_DIGITS["decimal_places"])


def _invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def clean_value(value: Any) -> Decimal:
    """A finite number that fits the value column (rounded to its decimals); ValueError with the message."""
    number = parse_number(value)
    number = number.quantize(_PLACES, rounding=ROUND_HALF_EVEN) if abs(number) < _LIMIT else number
    if abs(number) >= _LIMIT:
        raise ValueError(_("Enter a number below %(limit)s in size.") % {"limit": f"{_LIMIT:,.0f}"})
    return number


def _optional_value(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_value(value)


def kpi_clean(data: Mapping[str, Any], *, current: ProcessKpi | None = None) -> dict[str, Any]:
    """The KPI fields in `data` cleaned (all of them for a new KPI; for `current`, the ones given), with the
    lines checked against the direction the KPI ends up with."""
    partial = current is not None
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def given(name: str) -> bool:
        return name in data or not partial

    for name, limit in TEXT_LIMITS.items():
        if given(name):
            try:
                clean[name] = clean_text(data.get(name), limit)
            except ValueError as error:
                errors[name] = [str(error)]
    for name in ("code", "name"):
        if name in clean and not clean[name]:
            errors[name] = [_("This field is required.")]
    if given("stage"):
        pk = coerce_id(data.get("stage"), ProcessStage)
        clean["stage"] = ProcessStage.objects.filter(pk=pk).first() if pk is not None else None
        if clean["stage"] is None:
            errors["stage"] = [_("Choose the stage the KPI measures.")]
    if given("granularity"):
        clean["granularity"] = data.get("granularity") or Granularity.MONTHLY
        if clean["granularity"] not in Granularity.values:
            errors["granularity"] = [_invalid_choice()]
        elif current is not None and clean["granularity"] != current.granularity and current.points.exists():
            errors["granularity"] = [
                _("This KPI has points at its granularity: delete them before changing it.")
            ]
    if given("direction"):
        clean["direction"] = data.get("direction")
        if clean["direction"] not in KpiDirection.values:
            errors["direction"] = [_invalid_choice()]
    for name in ("amber", "red"):
        if given(name):
            try:
                clean[name] = _optional_value(data.get(name))
            except ValueError as error:
                errors[name] = [str(error)]
    if given("is_active"):
        clean["is_active"] = bool(data.get("is_active", True))
    if not errors:
        errors.update(_lines_errors(clean, current))
    if errors:
        raise ValidationError(errors)
    return clean


def _lines_errors(clean: Mapping[str, Any], current: ProcessKpi | None) -> dict[str, list[str]]:
    def final(name: str):
        return clean[name] if name in clean else getattr(current, name, None)

    direction, amber, red = final("direction"), final("amber"), final("red")
    if direction == KpiDirection.BOTH:
        lines = [name for name, value in (("amber", amber), ("red", red)) if value is not None]
        message = _("A KPI where either way is bad has no amber or red line (it has no bad side to guard).")
        return {name: [message] for name in lines}
    if amber is None or red is None:
        return {}
    if direction == KpiDirection.LOWER_BETTER and red < amber:
        return {"red": [_("Lower is better here: the red line is at or above the amber line.")]}
    if direction == KpiDirection.HIGHER_BETTER and red > amber:
        return {"red": [_("Higher is better here: the red line is at or below the amber line.")]}
    return {}


# --------------------------------------------------------------------------------------------- points
def bucket_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the bucket `day` falls in."""
    if granularity == Granularity.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if granularity == Granularity.MONTHLY:
        return day.replace(day=1)
    return day


def tenant_today() -> dt.date:
    """Today in the tenant's zone."""
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(current_tenant().timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def parse_day(value: Any) -> dt.date:
    """A date from a date or ISO text (2026-11-01); ValueError with the message."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and len(value.strip()) <= 10:
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("Enter a date like 2026-11-01.")) from None
    else:
        raise ValueError(_("Enter a date like 2026-11-01."))
    if day < EARLIEST:
        raise ValueError(_("Enter a date from %(day)s on.") % {"day": EARLIEST.isoformat()})
    return day


def point_errors(
    kpi: ProcessKpi, at: Any, value: Any, today: dt.date
) -> tuple[dict[str, str], dt.date | None, Decimal | None]:
    """One point's problems by field, its day and its value (None where refused)."""
    errors: dict[str, str] = {}
    day = number = None
    try:
        day = parse_day(at)
    except ValueError as error:
        errors["at"] = str(error)
    if day is not None:
        start = bucket_start(day, kpi.granularity)
        if start != day:
            message = (
                _("A weekly KPI's points start on a Monday: use %(day)s.")
                if kpi.granularity == Granularity.WEEKLY
                else _("A monthly KPI's points start on the 1st: use %(day)s.")
            )
            errors["at"] = message % {"day": start.isoformat()}
        elif day > today:
            errors["at"] = _("%(day)s is in the future (today is %(today)s).") % {
                "day": day.isoformat(), "today": today.isoformat()
            }  # fmt: skip
    try:
        number = clean_value(value)
    except ValueError as error:
        errors["value"] = str(error)
    return errors, day, number
