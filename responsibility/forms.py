"""Forms of the responsibility matrix pages.

The header (KPI, effective period, note, lock version) is a Django form; the rows are a dynamic list of
inputs named "rows-<i>-<field>" (the same keys the service uses for its errors), read by `rows_from_post`,
so a row added or removed in the browser needs no management form. Blank rows are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import ScopedModelChoiceField, lock_version_field
from collab.models import Period
from collab.routing import parse_id
from goals.models import KPI

ROW_FIELDS = (
    "org_unit",
    "role",
    "share",
    "contribution_dimension",
    "evaluation_kpi",
    "evaluation_method",
)
MAX_POSTED_ROWS = 250  # the service refuses more than its MAX_ROWS with a clear message
_KEY = re.compile(r"^(?P<prefix>[a-z]+)-(?P<index>\d{1,4})-(?P<field>[a-z_]+)$")


def rows_from_post(
    data: Mapping[str, Any],
    *,
    prefix: str = "rows",
    fields: Sequence[str] = ROW_FIELDS,
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


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class KPIChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class MatrixForm(BootstrapForm):
    """The header of a matrix version. `mode`: "create" (KPI + period), "version" (period), "edit" (note)."""

    kpi = KPIChoiceField(label=_("KPI"), queryset=None)
    effective_from = ScopedModelChoiceField(
        label=_("Effective from"),
        queryset=None,
        help_text=_("The first period scored with this version; earlier periods keep the version they had."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lock_version = lock_version_field()

    def __init__(self, *args, mode: str = "create", **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == "create":
            self.fields["kpi"].queryset = KPI.objects.filter(is_active=True).order_by(
                "-is_collaborative", "code"
            )
        else:
            del self.fields["kpi"]
        if mode in ("create", "version"):
            self.fields["effective_from"].queryset = Period.objects.exclude(status=Period.Status.CLOSED)
        else:
            del self.fields["effective_from"]


class MatrixFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    period = ScopedModelChoiceField(queryset=None, required=False)
    scope = forms.ChoiceField(
        required=False,
        choices=[("", _("All collaborative KPIs")), ("with", _("With a matrix")), ("without", _("Without"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()

    def clean_q(self):
        value = self.cleaned_data.get("q", "")
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        return value.strip()
