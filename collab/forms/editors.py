"""Form helpers of the editors with a dynamic list of rows (a matrix's rows, a scorecard's lines).

The rows are inputs named "<prefix>-<i>-<field>" (the same keys the services use for their errors), read by
`rows_from_post`, so a row added or removed in the browser needs no management form; blank rows are
ignored. A reference is typed as "CODE · name" (offered by a <datalist>) or given as an id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from collab.routing.ids import parse_id

MAX_POSTED_ROWS = 250  # the services refuse more than their own maximum with a clear message
_KEY = re.compile(r"^(?P<prefix>[a-z]+)-(?P<index>\d{1,4})-(?P<field>[a-z][a-z0-9_]*)$")


def rows_from_post(
    data: Mapping[str, Any],
    *,
    fields: Sequence[str],
    prefix: str = "rows",
    ignore_blank: Sequence[str] = ("role",),
) -> list[dict[str, str]]:
    """The submitted rows in index order (values as strings, NUL-free checks left to the service).

    A row whose fields other than `ignore_blank` are all empty is dropped (a spare row left blank)."""
    indices: set[int] = set()
    for key in data:
        match = _KEY.match(key)
        if match and match["prefix"] == prefix and match["field"] in fields:
            indices.add(int(match["index"]))
    rows = []
    for index in sorted(indices)[:MAX_POSTED_ROWS]:
        row = {field: str(data.get(f"{prefix}-{index}-{field}", "")) for field in fields}
        if all(not row[field].strip() for field in fields if field not in ignore_blank):
            continue
        rows.append(row)
    return rows


LABEL_SEPARATOR = " · "


def reference_label(code: str, name: str) -> str:
    """How a unit or KPI is written in the editors' inputs (and offered by their <datalist>)."""
    return f"{code}{LABEL_SEPARATOR}{name}"


def resolve_references(rows: list[dict[str, str]], fields: Mapping[str, Any]) -> list[dict[str, str]]:
    """Inputs hold "CODE · name" (picked from a datalist) or an id; turn labels into ids (one query per
    field, scoped: another tenant's code is unknown). An unknown label stays as typed, which the service
    reports as a missing choice on its field."""
    out = [dict(row) for row in rows]
    for field, model in fields.items():
        codes = {
            str(row.get(field, "")).split(LABEL_SEPARATOR)[0].strip()
            for row in out
            if str(row.get(field, "")).strip() and parse_id(str(row.get(field, ""))) is None
        }
        codes = {code for code in codes if code and "\x00" not in code and len(code) <= 50}
        if not codes:
            continue
        found = dict(model.objects.filter(code__in=codes).values_list("code", "pk"))
        for row in out:
            value = str(row.get(field, "")).strip()
            if value and parse_id(value) is None:
                pk = found.get(value.split(LABEL_SEPARATOR)[0].strip())
                if pk is not None:
                    row[field] = str(pk)
    return out


def reference_labels(rows: list[dict[str, Any]], fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each row with "<field>_label": the "CODE · name" of the id it holds, or the text as typed (one query
    per field, for the ids on screen only)."""
    out = [dict(row) for row in rows]
    for field, model in fields.items():
        ids = {pk for row in out if (pk := parse_id(str(row.get(field) or ""))) is not None}
        names = (
            {
                pk: reference_label(code, name)
                for pk, code, name in model.objects.filter(pk__in=ids).values_list("pk", "code", "name")
            }
            if ids
            else {}
        )
        for row in out:
            value = str(row.get(field) or "").strip()
            row[f"{field}_label"] = names.get(parse_id(value), value)
    return out


def split_errors(
    error: ValidationError, *, prefix: str = "rows"
) -> tuple[dict[int, dict[str, list[str]]], dict[str, list[str]]]:
    """A service error as ({row index: {field: messages}}, {other key: messages})."""
    by_row: dict[int, dict[str, list[str]]] = {}
    other: dict[str, list[str]] = {}
    items = (
        error.message_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.messages)]
    )
    for key, messages in items:
        match = _KEY.match(key)
        if match and match["prefix"] == prefix:
            by_row.setdefault(int(match["index"]), {}).setdefault(match["field"], []).extend(messages)
        else:
            other.setdefault(key, []).extend(messages)
    return by_row, other


def editor_rows(rows: list[dict[str, Any]], errors: dict[int, dict[str, list[str]]] | None = None) -> list:
    """Rows for the template: values plus their errors, indexed from 0."""
    errors = errors or {}
    return [{**row, "index": index, "errors": errors.get(index, {})} for index, row in enumerate(rows)]


class ReferenceField(forms.CharField):
    """A foreign key typed as "CODE · name" (offered by a <datalist>) or given as an id; resolved in the
    scoped manager, so another tenant's code or id is "not a valid choice" exactly like an unknown one."""

    def __init__(self, *, model, **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)
        self.model = model
        self.widget.attrs.setdefault("autocomplete", "off")

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        found = None
        if text.isascii() and text.isdigit():  # not isdigit() alone: '²' passes it and int() refuses it
            pk = parse_id(text)
            found = self.model.objects.filter(pk=pk).first() if pk is not None else None
        else:
            code = text.split(LABEL_SEPARATOR)[0].strip()
            found = self.model.objects.filter(code=code).first() if code else None
        if found is None:
            raise ValidationError(
                _("Select a valid choice. That choice is not one of the available choices."),
                code="invalid_choice",
            )
        return found


