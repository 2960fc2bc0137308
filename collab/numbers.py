"""Reading a number typed by a person or sent in a body: one set of rules for every form and service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


def parse_number(value: Any) -> Decimal:
    """A finite Decimal from an int, float, Decimal or text like " 12.5 %"; ValueError with the message.

    Booleans, NUL bytes, text longer than 20 characters, NaN and infinities are refused: none of them is
    a number a person meant, and some would reach the database as an error instead of a field message.
    """
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
        if "\x00" in value or len(value) > 20:
            raise ValueError(_("Enter a number."))
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    return number
