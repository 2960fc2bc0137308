"""The OpenAPI contract: the schema class, `lock_version` on destroys, documented error responses.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from collab.routing.viewsets import TenantViewSet

LOCK_VERSION_PARAMETER = OpenApiParameter(
    "lock_version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=True,
    description="The lock_version you read: a delete states it like every change (a stale one answers 409).",
)


def versioned_destroy(view) -> bool:
    """A viewset's delete that must carry `?lock_version=` (its resource shows a `lock_version`)."""
    if getattr(view, "action", None) != "destroy":
        return False
    serializer_class = getattr(view, "serializer_class", None)
    if serializer_class is None:
        return False
    declared = getattr(serializer_class, "_declared_fields", {})
    meta_fields = getattr(getattr(serializer_class, "Meta", None), "fields", ()) or ()
    return "lock_version" in declared or "lock_version" in meta_fields


# ----------------------------------------------------------------------------------- errors in the schema
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the reader's language.")


class FieldErrorsSerializer(serializers.Serializer):
    """Field errors: each key a field (rows of a list: "<list>-<index>-<field>") with its messages."""

    detail = serializers.CharField(required=False, help_text="A request-wide error.")
    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Errors of the request as a whole."
    )


class ConflictSerializer(serializers.Serializer):
    """A stale write (who saved last and when, and the current lock_version) or a clash with stored data."""

    detail = serializers.CharField()
    changed_by = serializers.CharField(required=False)
    changed_at = serializers.DateTimeField(required=False, allow_null=True)
    lock_version = serializers.IntegerField(required=False)


ERROR_RESPONSES = {
    "400": (FieldErrorsSerializer, "Invalid input: field errors (never a 500)."),
    "401": (ErrorSerializer, "No valid credentials (token or session)."),
    "403": (ErrorSerializer, "Your role may not do this here."),
    "404": (ErrorSerializer, "No such object, or it belongs to another tenant (the same answer)."),
    "409": (ConflictSerializer, "A stale lock_version, or a clash with existing data; nothing was written."),
}


def number_or_numeric_text(text_schema: dict, field) -> dict:
    """The request schema of a decimal: a JSON number, or the decimal text that responses carry."""
    number: dict[str, Any] = {"type": "number"}
    for attribute, keyword in (("min_value", "minimum"), ("max_value", "maximum")):
        value = getattr(field, attribute, None)
        if value is not None:
            number[keyword] = float(value)
    return {"oneOf": [number, text_schema]}


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    """DRF answers decimals as strings ("12.50") but takes numbers too: requests say both."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request" and schema.get("type") == "string":
            return number_or_numeric_text(schema, self.target)
        return schema


class CollabAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers every operation can give (one default, not per view).

    Every operation may answer 400 (bad query or body); authenticated ones 401 and 403; tenant resources
    404 (a missing or foreign id, another tenant, a page past the end); writes of tenant resources 409.
    A status a view declares itself keeps its own description.
    """

    def error_codes(self) -> list[str]:
        codes = ["400"]
        if self.get_auth():
            codes += ["401", "403"]
        if isinstance(self.view, TenantViewSet):
            codes.append("404")
            if self.method not in SAFE_METHODS:
                codes.append("409")
        return codes

    # ----- optimistic concurrency: what a change must carry
    def _changes_versioned(self, serializer) -> bool:
        """This operation changes an existing object that carries `lock_version` (PUT/PATCH of one)."""
        fields = getattr(serializer, "fields", None)
        return (
            self.method in ("PUT", "PATCH")
            and isinstance(self.view, TenantViewSet)
            and fields is not None
            and "lock_version" in fields
        )

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        # A change's body is not a creation's: its own component, where lock_version is required.
        if direction == "request" and self._changes_versioned(serializer) and "Update" not in name:
            name = name.removesuffix("Serializer") + "Update"
        return name

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and self._changes_versioned(serializer):
            # Even in a PATCH (whose other fields are all optional): a change states its version.
            required = [name for name in schema.get("required", []) if name != "lock_version"]
            schema["required"] = [*required, "lock_version"]
        return schema

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "DELETE" and versioned_destroy(self.view):
            parameters.append(LOCK_VERSION_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_codes():
            if code not in responses:
                serializer, description = ERROR_RESPONSES[code]
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(serializer, description), code, direction=direction
                )
        return responses
