"""API base: tenant resolution and permissions that subclasses cannot override.

Every tenant resource is a `TenantViewSet` under /api/v1/t/<tenant_slug>/. The base resolves the
tenant after authentication, answers 404 to non-members exactly as to a missing tenant, opens the
tenant scope for the whole request and closes it in `finally`, and enforces the role rules.
Subclasses declare `read_roles`/`write_roles`; they may not redefine the methods that do this.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.http import Http404, JsonResponse, QueryDict
from django.utils.translation import gettext
from django.views.defaults import page_not_found
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.fields import empty
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from collab.concurrency import Conflict, DatabaseBusy, is_transient_db_error
from collab.models import ALL_ROLES, WRITE_ROLES, Membership, Role, Tenant
from collab.tenancy import _current_tenant, all_tenants, tenant_scope

logger = logging.getLogger(__name__)

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


_SEALED = (
    "dispatch",
    "initial",
    "get_authenticators",
    "get_permissions",
    "check_permissions",
    "check_object_permissions",
    "permission_classes",
    "authentication_classes",
    "resolve_tenant",
)


def tenant_by_slug(slug) -> Tenant:
    """An active tenant by slug, or Http404 (the same answer as for a tenant the user is not in)."""
    tenant = Tenant.objects.filter(slug=slug, is_active=True).first() if isinstance(slug, str) else None
    if tenant is None:
        raise Http404("No such tenant.")
    return tenant


def active_membership(user) -> Membership:
    """The user's active membership of the tenant in scope, or Http404 — a non-member sees no tenant.

    Called inside the tenant's scope, so on PostgreSQL the row-level-security wall already applies.
    """
    membership = None
    if user is not None and user.is_authenticated:
        membership = Membership.objects.filter(user=user, is_active=True).first()
    if membership is None:
        raise Http404("No such tenant.")
    return membership


class TenantViewSet(viewsets.GenericViewSet):
    read_roles: frozenset[str] = ALL_ROLES
    write_roles: frozenset[str] = frozenset({Role.HR_ADMIN})
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _SEALED if name in cls.__dict__]
        if overridden:
            raise TypeError(f"{cls.__name__} may not override tenant security: {', '.join(overridden)}")

    def dispatch(self, request, *args, **kwargs):
        token = _current_tenant.set(None)
        self._scope = None
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._scope is not None:
                self._scope.__exit__(None, None, None)
            _current_tenant.reset(token)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.resolve_tenant(request)

    def resolve_tenant(self, request) -> None:
        tenant = tenant_by_slug(self.kwargs.get("tenant_slug"))
        self._scope = tenant_scope(tenant)
        self._scope.__enter__()
        membership = active_membership(request.user)
        # On the Django request too: DRF's clones (OPTIONS describing a PUT) read attributes through it.
        request.tenant = request._request.tenant = tenant
        request.membership = request._request.membership = membership
        allowed = self.read_roles if request.method in SAFE_METHODS else (self.write_roles & WRITE_ROLES)
        if not membership.has_role(*allowed):
            raise exceptions.PermissionDenied(gettext("Your role may not do this here."))

    @property
    def tenant(self) -> Tenant:
        return self.request.tenant


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


def not_found(request, exception=None):
    """The root URL configuration's 404: JSON under /api/ (an id that cannot be one, an unknown route),
    the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


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


# --------------------------------------------------------------------------- service errors → API errors
def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as JSON field errors (Django's "__all__" becomes "non_field_errors")."""
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): [str(m) for m in messages]
        for key, messages in errors.items()
    }


def exception_handler(exc, context):
    """The one translator of service errors to API errors, used by every view.

    A service's ValidationError is a 400 with field errors, a `Conflict` (a stale edit) a 409 with who
    changed what and when, and database complaints about input are 400 or 409, never 500. A deadlock or
    serialisation failure that a service did not absorb (`collab.concurrency.atomic_with_retry` reruns
    whole services) is a 409 "try again". Views call services and let their errors through; they do not
    catch them.
    """
    if isinstance(exc, OperationalError) and is_transient_db_error(exc):
        logger.warning("Transient database failure answered 409: %s", exc)
        exc = DatabaseBusy()
    if isinstance(exc, Conflict):
        set_rollback()
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, DataError | OverflowError):
        logger.info("Rejected input the database could not take: %s", exc)
        set_rollback()
        return Response(
            {"detail": gettext("A value is out of range or malformed.")}, status=status.HTTP_400_BAD_REQUEST
        )
    elif isinstance(exc, IntegrityError):
        logger.info("Rejected write that broke a constraint: %s", exc)
        set_rollback()
        conflict = {"detail": gettext("This conflicts with existing data.")}
        return Response(conflict, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


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


__all__ = [
    "CollabAutoSchema", "LockVersionField", "RowsField", "StrictWriteMixin", "TenantRelatedField",
    "TenantViewSet", "active_membership", "all_tenants", "field_errors", "id_param", "lock_version_of",
    "not_found", "number_or_numeric_text", "parse_id", "tenant_by_slug", "validate_nested",
]
