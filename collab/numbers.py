"""Reading a number typed by a person or sent in a body: one set of rules for every form and service."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# A comma is a thousands separator only between groups of three digits ("1,000.5", "12,345"); anything
# else ("1,5", "1,00") is ambiguous (a decimal comma?) and refused rather than read as another number.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")


def number_text(text: str) -> str:
    """The text of a typed number in plain ASCII form: full-width digits and signs ("１２３", "－５．５",
    "１，０００") become ASCII (Unicode NFKC), spaces go, thousands commas go. ValueError with the message
    when a comma is not a thousands separator."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    if "," in text:
        if not _GROUPED.fullmatch(text.rstrip("%")):
            raise ValueError(
                _("Write a point for decimals; a comma only between groups of three digits (1,000.5).")
            )
        text = text.replace(",", "")
    return text


def parse_number(value: Any) -> Decimal:
    """A finite Decimal from an int, float, Decimal or text like " 12.5 %", "1,000.5" or "１２３";
    ValueError with the message.

    Booleans, NUL bytes, text longer than 20 characters, NaN and infinities are refused: none of them is
    a number a person meant, and some would reach the database as an error instead of a field message.
    """
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        if "\x00" in value or len(value.strip()) > 20:
            raise ValueError(_("Enter a number."))
        value = number_text(value).rstrip("%")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    return number
