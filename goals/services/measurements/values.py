"""Measurement values as typed: numbers and notes parsed, and what a bulk write answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from collab.models import Period
from collab.numbers import number_text
from goals.models import KPI, Measurement

QUANTUM = Decimal("0.0001")
LIMIT = Decimal(10) ** 16  # max_digits 20 with 4 decimals
NOTE_MAX = 300
AUDITED_FIELDS = ["kpi", "period", "target", "actual", "note"]


class _Keep:
    """Marker: the caller did not give this value (keep what is stored)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def parse_number(value: Any, *, field_name: str, required: bool) -> Decimal | None:
    """A measurement value as a Decimal (4 decimals), None when empty; ValidationError({field: …}) else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field_name: _("This value is required.")})
        return None
    if isinstance(value, bool):
        raise ValidationError({field_name: _("Enter a number.")})
    if isinstance(value, str):
        if "\x00" in value or len(value.strip()) > 60:
            raise ValidationError({field_name: _("Enter a number.")})
        try:
            value = number_text(value)  # "1,000.5" → 1000.5, "１２３" → 123; "1,5" is refused, not 15
        except ValueError as ambiguous:
            raise ValidationError({field_name: str(ambiguous)}) from None
    elif isinstance(value, float):
        value = repr(value)
    elif not isinstance(value, int | Decimal):
        raise ValidationError({field_name: _("Enter a number.")})
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field_name: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field_name: _("Enter a number.")})
    if abs(number) >= LIMIT:
        raise ValidationError(
            {field_name: _("Enter a number with at most 16 digits before the decimal point.")}
        )
    return number.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def parse_note(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({"note": _("Enter text.")})
    if "\x00" in value:
        raise ValidationError({"note": _("Null characters are not allowed.")})
    value = value.strip()
    if len(value) > NOTE_MAX:
        raise ValidationError(
            {"note": _("At most %(max)s characters (this has %(n)s).") % {"max": NOTE_MAX, "n": len(value)}}
        )
    return value


@dataclass
class _Planned:
    kpi: KPI
    period: Period
    target: Decimal
    actual: Decimal | None
    note: str
    existing: Measurement | None


@dataclass
class BulkResult:
    measurements: list[Measurement] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class BulkErrors(ValidationError):
    """Per-row errors of a bulk write: `rows` is aligned with the input ({} for a good row)."""

    def __init__(self, rows: list[dict[str, list[str]]]):
        self.rows = rows
        bad = [index for index, errors in enumerate(rows) if errors]
        message = _("%(n)s row(s) have errors; nothing was written.") % {"n": len(bad)}
        super().__init__({NON_FIELD_ERRORS: [message]})
