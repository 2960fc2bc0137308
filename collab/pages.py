"""Page helpers: the role check every tenant page goes through, safe id lookups, and the one pager."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.urls import register_converter

from collab.keyset import InvalidCursor, KeysetPage, keyset_page
from collab.models import ALL_ROLES, Role
from collab.routing.ids import MAX_ID, parse_id

HR_ONLY = frozenset({Role.HR_ADMIN})
HR_AND_AUDITOR = frozenset({Role.HR_ADMIN, Role.AUDITOR})
PAGE_SIZE = 25


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


def query_text(data, name: str = "q", *, limit: int = 100) -> str:
    """A free-text search term from a query string: trimmed, at most `limit` characters, without NUL
    characters (which no database column can hold, and PostgreSQL refuses in a literal)."""
    return str(data.get(name, "") or "").replace("\x00", "")[:limit].strip()


def id_param(data, name: str) -> int | None:
    """An id from a query string or form (`request.GET`, `request.POST`): None when absent or blank;
    a malformed or huge one is a 404, exactly like a missing id."""
    raw = str(data.get(name, "") or "").strip()
    if raw == "":
        return None
    pk = parse_id(raw)
    if pk is None:
        raise Http404
    return pk


def _link(request, param: str, value: str | None) -> str:
    query = request.GET.copy()
    if value is None:
        query.pop(param, None)
    else:
        query[param] = value
    return "?" + query.urlencode()


def paginate(request, items, *, param: str = "page", per_page: int = PAGE_SIZE) -> Page | KeysetPage:
    """One page of `items` for the one pager template, `collab/_pager.html`, with `page.links` (first,
    previous, next and, for a list in memory, last) that keep every other query parameter.

    A queryset — a list that grows with the tenant — pages by keyset (`collab.keyset`): `param` carries
    an opaque cursor, each page is one indexed query of `per_page + 1` rows and nothing is counted; a
    tampered or stale cursor opens the first page. Its order is the queryset's `order_by` (the primary key
    last), which an index must serve. A list already in memory (a computed ranking, a trace) pages by
    number: `param` is the page number (out of range or malformed: the nearest page)."""
    if isinstance(items, models.QuerySet):
        try:
            page = keyset_page(items, request.GET.get(param) or None, per_page)
        except InvalidCursor:
            page = keyset_page(items, None, per_page)
        page.links = {
            "first": "" if page.first else _link(request, param, None),
            "previous": _link(request, param, page.previous_cursor) if page.previous_cursor else "",
            "next": _link(request, param, page.next_cursor) if page.next_cursor else "",
            "last": "",
        }
        return page
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    last = page.paginator.num_pages
    page.links = {
        "first": _link(request, param, "1") if page.number > 1 else "",
        "previous": _link(request, param, str(page.number - 1)) if page.has_previous() else "",
        "next": _link(request, param, str(page.number + 1)) if page.has_next() else "",
        "last": _link(request, param, str(last)) if page.number < last else "",
    }
    return page
