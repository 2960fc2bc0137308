"""Page helpers: the role check every tenant page goes through, and safe id lookups."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.urls import register_converter

from collab.models import ALL_ROLES, Role
from collab.routing import MAX_ID, parse_id

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


READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST",)  # pages write through HTML forms and htmx posts only


def _guard(view, *, read_roles: frozenset, write_roles: frozenset):
    """Wrap a page: unknown member → 404, a method the page has no use for → 405, a missing role → 403.

    The method check comes before any id lookup, so another tenant's id and a missing one get the same
    answer for every method.
    """
    allowed = READ_METHODS + (WRITE_METHODS if write_roles else ())

    @functools.wraps(view)
    def wrapped(request, tenant_slug: str, *args, **kwargs):
        membership = request.membership
        if membership is None:
            raise Http404
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        roles = read_roles if request.method in READ_METHODS else write_roles
        if not membership.has_role(*roles):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.tenant_roles = (read_roles, write_roles)
    wrapped.page_methods = allowed
    return wrapped


def tenant_page(read: Iterable[str] = ALL_ROLES, write: Iterable[str] = ()):
    """Guard a page under /t/<slug>/: the member needs a read role for GET, a write role for POST.

    A page without write roles is read-only: POST, PUT, DELETE… answer 405 with an Allow header.
    Auditors never write. The view receives the request with `tenant` and `membership` set by
    TenantMiddleware; the slug argument is consumed here.
    """
    read_roles, write_roles = frozenset(read), frozenset(write) - {Role.AUDITOR}
    return functools.partial(_guard, read_roles=read_roles, write_roles=write_roles)


def own_page(*, writes: bool = False):
    """Guard a page about the signed-in member's own things in this tenant (their inbox, their settings):
    every member, auditors included, reads it, and changes it when the page `writes`."""
    roles = frozenset(ALL_ROLES)
    return functools.partial(_guard, read_roles=roles, write_roles=roles if writes else frozenset())


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


def id_param(request, name: str) -> int | None:
    """An optional id in the query string (`?kpi=12`): None when absent, 404 when it cannot be an id."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    pk = parse_id(raw)
    if pk is None:
        raise Http404
    return pk
