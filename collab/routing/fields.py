"""Serializer fields and body helpers: tenant foreign keys, nested rows, `lock_version`, strict writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from collab.concurrency import UNSET
from collab.routing.ids import _DIGITS, MAX_ID, parse_id


class ForeignIdNotFound(exceptions.NotFound):
    """A foreign key in a body names no row of the tenant (missing, or another tenant's: the same answer,
    DESIGN.md §4): 404, and the body names the field."""

    def __init__(self, field_name: str):
        self.field_name = field_name or "id"
        message = gettext("No such object here: check the id.")
        super().__init__({"detail": gettext("Not found."), self.field_name: [message]})


@extend_schema_field(OpenApiTypes.INT)  # every id is a bigint; subclasses without a model need saying so
class TenantRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key in a body: a JSON integer (a string, even of digits, is a 400 type error); only the
    scoped tenant's rows exist, and an id that names none — missing or another tenant's — answers 404
    naming the field (`ForeignIdNotFound`), for single keys and rows of bulk writes alike.

    In a query string (the serializer validates a QueryDict) ids are text, and a missing one stays a 400
    field error of the parameter."""

    def _in_query(self) -> bool:
        return isinstance(getattr(self.root, "initial_data", None), QueryDict)

    def to_internal_value(self, data):
        in_query = self._in_query()
        text = isinstance(data, str)
        if isinstance(data, bool) or not isinstance(data, int | str) or (text and not in_query):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if text and not _DIGITS.fullmatch(data):  # not isdigit(): '²' would pass it
            self.fail("incorrect_type", data_type="str")
        pk = parse_id(data)
        found = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if found is None:
            if in_query:
                self.fail("does_not_exist", pk_value=str(data)[:20])
            raise ForeignIdNotFound(self.field_name)
        return found


# ------------------------------------------------------------------------------- nested rows and versions
MAX_ROWS_IN = 250


def flat_list_errors(prefix: str, errors: Any) -> dict[str, list[str]]:
    """A nested list serializer's errors as "<prefix>-<index>-<field>" keys (the services' convention)."""
    if isinstance(errors, dict) and not all(str(key).isdigit() for key in errors):
        return {prefix: [str(m) for m in _messages(errors)]}
    items = errors.items() if isinstance(errors, dict) else enumerate(errors)
    out: dict[str, list[str]] = {}
    for index, row in items:
        if not row:
            continue
        if isinstance(row, dict):
            for field, messages in row.items():
                out[f"{prefix}-{index}-{field}"] = [str(m) for m in _messages(messages)]
        else:
            out.setdefault(prefix, []).extend(str(m) for m in _messages(row))
    return out


def _messages(value: Any) -> list:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [value]


def validate_nested(serializer_class, prefix: str, data: Any, context: dict) -> list[dict]:
    """Validate a list of nested rows; their errors keyed "<prefix>-<index>-<field>" (400)."""
    if data is None:
        raise exceptions.ValidationError({prefix: [gettext("This field is required.")]})
    if isinstance(data, str | bytes | dict) or not isinstance(data, list):
        raise exceptions.ValidationError({prefix: [gettext("Give the rows as a list.")]})
    if len(data) > MAX_ROWS_IN:
        raise exceptions.ValidationError({prefix: [gettext("At most %(n)d rows.") % {"n": MAX_ROWS_IN}]})
    nested = serializer_class(data=data, many=True, context=context)
    try:
        valid = nested.is_valid()
    except ForeignIdNotFound:  # name the row: "<prefix>-<index>-<field>", like every row error
        for index, row in enumerate(data):
            try:
                serializer_class(data=row, context=context).is_valid()
            except ForeignIdNotFound as missing:
                raise ForeignIdNotFound(f"{prefix}-{index}-{missing.field_name}") from None
        raise
    if not valid:
        raise exceptions.ValidationError(flat_list_errors(prefix, nested.errors))
    return [dict(row) for row in nested.validated_data]


def validated_body(view, serializer_class, *, partial: bool = False) -> dict:
    """A write's JSON object validated by `serializer_class` with the view's context: a body that is no
    object is a 400 "Send a JSON object.", field errors a 400 naming the fields."""
    if not hasattr(view.request.data, "get"):
        message = gettext("Send a JSON object.")
        raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
    context = view.get_serializer_context()
    serializer = serializer_class(data=view.request.data, partial=partial, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def nested_rows(view, serializer_class, key: str, *, required: bool) -> Any:
    """The body's nested rows under `key` (a matrix's `rows`, a scorecard's `lines`) validated with
    `validate_nested`; `UNSET` when they may be left out (`required=False`) and are."""
    data = view.request.data
    if not required and (not hasattr(data, "get") or key not in data):
        return UNSET
    return validate_nested(serializer_class, key, data.get(key), view.get_serializer_context())


class RowsField(serializers.ListField):
    """A list of nested rows in a write body, e.g. a matrix's `rows` or a scorecard's `lines`.

    The schema shows it as a list of the row serializer; the view validates the rows with
    `validate_nested` so that their errors keep the flat "<name>-<index>-<field>" keys of the pages.
    """

    def __init__(self, row_serializer, **kwargs):
        super().__init__(child=row_serializer(), max_length=MAX_ROWS_IN, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return data  # each row is checked by validate_nested


class LockVersionField(serializers.IntegerField):
    """`lock_version`: every response carries it; a change sends back the one it was based on (required
    there, see `lock_version_of`: a stale one answers 409), creation needs none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "The lock_version you read; a stale one answers 409.")
        super().__init__(min_value=0, max_value=MAX_ID, **kwargs)

    def validate_empty_values(self, data):
        # A change of an existing object (the serializer holds it) states its version, PATCH too, so that
        # the 400 names it beside any other missing field.
        parent = self.parent
        changing = parent is not None and (
            getattr(parent, "instance", None) is not None or parent.context.get("updating")
        )
        if data is empty and changing:
            self.fail("required")
        return super().validate_empty_values(data)


def lock_version_of(request) -> int:
    """The `lock_version` of a change from the body — of a delete from the query string
    (`?lock_version=N`) —: 400 "lock_version: This field is required." when missing (a stale one is the
    service's StaleEditError, a 409)."""
    if request.method == "DELETE":
        text = request.query_params.get("lock_version", "")
        if text == "":
            raise exceptions.ValidationError({"lock_version": [gettext("This field is required.")]})
        value = parse_id(text)
        if value is None:
            raise exceptions.ValidationError({"lock_version": [gettext("A valid integer is required.")]})
        return value
    value = request.data.get("lock_version") if hasattr(request.data, "get") else None
    if value is None:
        raise exceptions.ValidationError({"lock_version": [gettext("This field is required.")]})
    try:
        return LockVersionField().run_validation(value)
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({"lock_version": error.detail}) from None


# ---------------------------------------------------------------------------- fields a write may not send
def _wrong_type(field, value) -> str | None:
    """Why a JSON value cannot be this field's, or None. DRF would coerce 5 to "5" and "5" to 5 silently;
    the schema promises types, so a body keeps to them (TenantRelatedField checks its own)."""
    if value is None or isinstance(field, TenantRelatedField):
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else gettext("Must be a valid boolean.")
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else gettext("A valid integer is required.")
    if isinstance(field, serializers.ChoiceField | serializers.CharField):
        return None if isinstance(value, str) else gettext("Not a valid string.")
    return None


class StrictWriteMixin:
    # A write body is held to its schema: a field it cannot set (the serializer's read-only fields;
    # `immutable_fields` when it updates an existing object — `self.instance`, or `updating=True` in the
    # context; for a write serializer of its own, every field of the resource's representation, `shown_by`,
    # that it does not take) and a value of the wrong JSON type answer a 400 field error instead of being
    # ignored or coerced.
    # (No docstring: drf-spectacular would print it as the description of every serializer using this.)

    # `refuse_unknown`: a field the serializer does not have is a 400 too (the bodies of actions —
    # approve, publish, move… — which have no representation to be confused with).

    immutable_fields: tuple[str, ...] = ()
    shown_by: type[serializers.Serializer] | None = None
    refuse_unknown: bool = False

    def refused_fields(self) -> set[str]:
        writable = {name for name, field in self.fields.items() if not field.read_only}
        refused = {name for name, field in self.fields.items() if field.read_only}
        if self.shown_by is not None:
            refused |= set(self.shown_by().fields) - writable
        if self.instance is not None or self.context.get("updating"):
            refused |= set(self.immutable_fields)
        return refused

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            refused = self.refused_fields()
            errors = {
                name: [gettext("This field cannot be set here.")]
                for name in data
                if name in refused or (self.refuse_unknown and name not in self.fields)
            }
            for name, value in data.items():
                field = self.fields.get(name)
                if name not in errors and field is not None and not field.read_only:
                    problem = _wrong_type(field, value)
                    if problem:
                        errors[name] = [problem]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)
