"""API base: tenant resolution and permissions that subclasses cannot override.

Every tenant resource is a `TenantViewSet` under /api/v1/t/<tenant_slug>/. The base resolves the
tenant after authentication, answers 404 to non-members exactly as to a missing tenant, opens the
tenant scope for the whole request and closes it in `finally`, and enforces the role rules.
Subclasses declare `read_roles`/`write_roles`; they may not redefine the methods that do this.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, viewsets
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from collab.models import ALL_ROLES, WRITE_ROLES, Membership, Role, Tenant
from collab.routing.ids import ID_PATTERN
from collab.tenancy import _current_tenant, tenant_scope

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
