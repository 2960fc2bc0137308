"""Ids from untrusted input: the one parser (`parse_id`), model-bound (`coerce_id`) and API query strings.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from rest_framework import exceptions

# Ids are bigints: longer digit strings can never exist and would overflow the database.
ID_PATTERN = r"[0-9]{1,18}"
MAX_ID = 2**63 - 1
_ID_TEXT = re.compile(ID_PATTERN)
_DIGITS = re.compile(r"[0-9]+")


def parse_id(value) -> int | None:
    """An id from untrusted input (query string, form field, JSON), or None when it cannot be one.

    Only 1–18 ASCII digits (surrounding whitespace ignored) within the bigint range. Never test with
    `str.isdigit()`: it accepts '²' and other Unicode digits that `int()` refuses with a ValueError (a 500),
    and it lets through 5,000-digit strings that `int()` refuses too.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _ID_TEXT.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def coerce_id(value, model) -> int | None:
    """An id from an instance, an int or a digit string; None when it cannot be one (reads as missing)."""
    if isinstance(value, model):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**18 else None
    if isinstance(value, str):
        return parse_id(value)  # not isdigit(): '²' passes it and int() refuses it
    return None


# ------------------------------------------------------------------------------------ ids in query strings


def id_param(request, name: str, errors: dict | None = None) -> int | None:
    """The id in query parameter `name`, None when it is absent or empty.

    A malformed id is a field error on `name`: added to `errors` when given (so a view reports every bad
    parameter at once), else raised at once as a 400. Never a 500 (see `parse_id`).
    """
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    pk = parse_id(raw)
    if pk is None:
        message = {name: [gettext("Enter a valid id.")]}
        if errors is None:
            raise exceptions.ValidationError(message)
        errors.update(message)
    return pk
