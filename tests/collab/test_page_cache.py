"""The page cache: a body is computed once per (tenant, page, language, roles, vary, stamp, display
generation) and again whenever any of them moves; nothing is cached without a stamp or with
PAGE_CACHE_SECONDS = 0."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from collab.page_cache import cached_data, cached_value, display_changed
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db


def reader(*roles):
    return SimpleNamespace(membership=SimpleNamespace(roles=list(roles)))


def counting():
    calls = []

    def compute():
        calls.append(1)
        return f"body {len(calls)}"

    return calls, compute


def test_a_body_is_computed_again_when_anything_it_came_from_moves(tenant_a, tenant_b):
    calls, compute = counting()

    def read(tenant, request=None, *, stamp=("v", 1), vary=("period", 7)):
        with tenant_scope(tenant):
            request = request or reader("manager")
            return cached_value(request, page="p", stamp=stamp, vary=vary, compute=compute)

    assert read(tenant_a) == read(tenant_a) == "body 1"
    read(tenant_a, stamp=("v", 2))  # a recompute
    read(tenant_a, vary=("period", 8))  # another period
    read(tenant_a, reader("hr_admin"))  # another kind of reader
    read(tenant_b)  # another tenant, same ids
    with translation.override("zh-hans"):
        read(tenant_a)  # another language
    assert len(calls) == 6
    display_changed(tenant_a.pk)  # a unit renamed
    read(tenant_a)
    assert len(calls) == 7
    read(tenant_b)  # the other tenant's names did not change
    assert len(calls) == 7
    tenant_a.timezone = "Asia/Shanghai"
    tenant_a.save()  # times on its pages are said in its time zone
    read(tenant_a)
    assert len(calls) == 8


def test_nothing_is_cached_without_a_stamp_or_with_a_zero_lifetime(tenant_a, settings):
    calls, compute = counting()
    with tenant_scope(tenant_a):
        for _ in range(2):
            cached_value(reader("hr_admin"), page="p", stamp=None, vary=(), compute=compute)
        assert len(calls) == 2
        settings.PAGE_CACHE_SECONDS = 0
        for _ in range(2):
            cached_data(name="d", stamp=("v", 1), vary=(), compute=compute)
        assert len(calls) == 4
