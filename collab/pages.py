"""Page helpers: the role check every tenant page goes through, and safe id lookups."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.urls import register_converter

from collab.models import ALL_ROLES, Role
from collab.routing import MAX_ID

HR_ONLY = frozenset({Role.HR_ADMIN})
HR_AND_AUDITOR = frozenset({Role.HR_ADMIN, Role.AUDITOR})


class IdConverter:
    """Database ids: 1–18 digits, so a huge number is a 404 and never a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


def tenant_page(read: Iterable[str] = ALL_ROLES, write: Iterable[str] = HR_ONLY):
    """Guard a page under /t/<slug>/: the member needs a read role for GET, a write role otherwise.

    Auditors never write. The view receives the request with `tenant` and `membership` set by
    TenantMiddleware; the slug argument is consumed here.
    """
    read_roles, write_roles = frozenset(read), frozenset(write) - {Role.AUDITOR}

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, tenant_slug: str, *args, **kwargs):
            membership = request.membership
            if membership is None:
                raise Http404
            allowed = read_roles if request.method in ("GET", "HEAD") else write_roles
            if not membership.has_role(*allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.tenant_roles = (read_roles, write_roles)
        return wrapped

    return decorator


def get_scoped_or_404(model_or_queryset, pk: int) -> models.Model:
    """The scoped tenant's row with this id; another tenant's id is missing, exactly like a bad one."""
    if not isinstance(pk, int) or pk > MAX_ID:
        raise Http404
    queryset = (
        model_or_queryset if isinstance(model_or_queryset, models.QuerySet) else model_or_queryset.objects
    )
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as missing:
        raise Http404 from missing
