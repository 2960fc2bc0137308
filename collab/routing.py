"""API base: tenant resolution and permissions that subclasses cannot override.

Every tenant resource is a `TenantViewSet` under /api/v1/t/<tenant_slug>/. The base resolves the
tenant after authentication, answers 404 to non-members exactly as to a missing tenant, opens the
tenant scope for the whole request and closes it in `finally`, and enforces the role rules.
Subclasses declare `read_roles`/`write_roles`; they may not redefine the methods that do this.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from collab.concurrency import StaleEditError
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
        request.tenant = tenant
        request.membership = membership
        allowed = self.read_roles if request.method in SAFE_METHODS else (self.write_roles & WRITE_ROLES)
        if not membership.has_role(*allowed):
            raise exceptions.PermissionDenied(gettext("Your role may not do this here."))

    @property
    def tenant(self) -> Tenant:
        return self.request.tenant


@extend_schema_field(OpenApiTypes.INT)  # every id is a bigint; subclasses without a model need saying so
class TenantRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key in a body: only the scoped tenant's rows exist; another tenant's id reads as missing."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not _DIGITS.fullmatch(data):  # not isdigit(): '²' would pass it
            self.fail("incorrect_type", data_type="str")
        pk = parse_id(data)
        if pk is None:
            self.fail("does_not_exist", pk_value=str(data)[:20])
        return super().to_internal_value(pk)


class LockVersionField(serializers.IntegerField):
    """`lock_version`: every response carries it; a change sends back the one it was based on (required
    there, see `lock_version_of`), creation needs none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=0, max_value=MAX_ID, **kwargs)


def lock_version_of(request) -> int:
    """The `lock_version` of a change from the body: 400 "lock_version: This field is required." when missing
    (a stale one is the service's StaleEditError, a 409)."""
    value = request.data.get("lock_version") if hasattr(request.data, "get") else None
    if value is None:
        raise exceptions.ValidationError({"lock_version": [gettext("This field is required.")]})
    try:
        return LockVersionField().run_validation(value)
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({"lock_version": error.detail}) from None


def exception_handler(exc, context):
    """DRF's handler plus a last wall: database complaints about input are 400, never 500; a stale edit is a
    409 that says who saved last and when (`StaleEditError.as_dict()`)."""
    if isinstance(exc, StaleEditError):
        set_rollback()  # like every error DRF answers: nothing of the request is kept
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DataError | OverflowError):
        logger.info("Rejected input the database could not take: %s", exc)
        return Response(
            {"detail": gettext("A value is out of range or malformed.")}, status=status.HTTP_400_BAD_REQUEST
        )
    elif isinstance(exc, IntegrityError):
        logger.info("Rejected write that broke a constraint: %s", exc)
        conflict = {"detail": gettext("This conflicts with existing data.")}
        return Response(conflict, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


__all__ = [
    "LockVersionField", "TenantViewSet", "TenantRelatedField", "active_membership", "all_tenants",
    "lock_version_of", "parse_id", "tenant_by_slug",
]
