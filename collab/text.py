"""Reading free text sent to a service (a note, a name, a description): one set of rules for every app."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def clean_text(value: Any, limit: int) -> str:
    """`value` trimmed, at most `limit` characters; None is blank. ValueError with the reader's message for
    a value that is not text or holds a NUL character (no database column can store one)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    value = value.strip()
    if len(value) > limit:
        raise ValueError(_("Use at most %(limit)d characters.") % {"limit": limit})
    return value
