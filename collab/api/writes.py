"""Helpers of the API's writes that go through services: service errors as 400 field errors (a stale save as
409 with who saved last and when), nested rows validated with errors keyed "<prefix>-<index>-<field>" (the
services' convention), and the `lock_version` a write must send."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from collab.routing import MAX_ID
from responsibility.concurrency import StaleEditError  # collab.concurrency after the concurrency merge

MAX_ROWS_IN = 250


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): [str(m) for m in messages]
        for key, messages in errors.items()
    }


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
        raise exceptions.ValidationError({prefix: [_("This field is required.")]})
    if isinstance(data, str | bytes | dict) or not isinstance(data, list):
        raise exceptions.ValidationError({prefix: [_("Give the rows as a list.")]})
    if len(data) > MAX_ROWS_IN:
        raise exceptions.ValidationError({prefix: [_("At most %(n)d rows.") % {"n": MAX_ROWS_IN}]})
    nested = serializer_class(data=data, many=True, context=context)
    if not nested.is_valid():
        raise exceptions.ValidationError(flat_list_errors(prefix, nested.errors))
    return [dict(row) for row in nested.validated_data]


class StaleAnswersMixin:
    """Service calls: ValidationError → 400 with field errors, StaleEditError → 409 with who and when."""

    def call(self, function, **kwargs):
        try:
            return function(actor=self.request.user, **kwargs)
        except StaleEditError as stale:
            raise Conflict(stale) from None
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None

    def handle_exception(self, exc):
        if isinstance(exc, Conflict):
            return Response(exc.stale.as_dict(), status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


class Conflict(Exception):
    def __init__(self, stale: StaleEditError):
        self.stale = stale
        super().__init__(stale.message)


def lock_version_of(request) -> int:
    value = request.data.get("lock_version") if hasattr(request.data, "get") else None
    field = serializers.IntegerField(min_value=0, max_value=MAX_ID)
    if value is None:
        raise exceptions.ValidationError({"lock_version": [_("This field is required.")]})
    try:
        return field.run_validation(value)
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({"lock_version": error.detail}) from None
