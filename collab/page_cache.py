"""Rendered page bodies, cached under everything they are computed from (issue 9: a dashboard of a large
tenant costs its queries and its template every time, though it only changes when scores are recomputed).

A page that caches its body (`cached_body`; an API list its response data, `cached_value`) names,
besides the tenant, the page and the reader's language and roles:
- `stamp`: the version of the data the body shows (the period's recompute, a goals stamp); None when the
  data has no version yet, and then nothing is cached;
- `vary`: every other input of the body — the period shown, filters, the page of a list, what the reader's
  own subjects are, the reader themself where the body is theirs —, so two readers share a body only when
  everything it was computed from is the same.

Names shown beside the numbers (units, positions, people, KPIs) are not versioned by a recompute: their
writes move the tenant's display generation (`display_changed`, on commit; `collab.apps` and the apps above
connect their models' saves and deletes), which is part of every key. A write that bypasses those signals
(a bulk `update`) calls `display_changed` itself; `settings.PAGE_CACHE_SECONDS` (300) bounds what one that
forgets could cost.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from collab.tenancy import current_tenant


def _generation_key(tenant_id: int) -> str:
    return f"page:display:{tenant_id}"


def display_changed(tenant_id: int | None) -> None:
    """The tenant's names changed: bodies cached before are not read again. The generation moves now and
    again when the write commits, so a body rendered from the old names in between is not read either."""
    if tenant_id is None:
        return

    def move() -> None:
        cache.set(_generation_key(tenant_id), time.time_ns(), None)

    move()
    transaction.on_commit(move)


def _display_changed_receiver(sender, instance, **kwargs) -> None:
    # The tenant's own row (its name, slug, time zone) shows on every page of it.
    tenant_id = instance.pk if sender._meta.label == "collab.Tenant" else getattr(instance, "tenant_id", None)
    display_changed(tenant_id)


def display_models_connect(*models) -> None:
    """Move the display generation whenever a row of these models (whose names pages show) is saved or
    deleted; an app calls it from its `AppConfig.ready` for its own models."""
    for model in models:
        for signal in (post_save, post_delete):
            uid = f"page_cache.display:{model._meta.label}:{signal is post_save}"
            signal.connect(_display_changed_receiver, sender=model, dispatch_uid=uid)


def cached_value(
    request, *, page: str, stamp: Hashable | None, vary: Hashable, compute: Callable[[], Any]
) -> Any:
    """What `compute()` gives for this page, reader and data version: from the cache, or computed and cached
    (a picklable value: a rendered body, an API response's data)."""
    if stamp is None:
        return compute()
    roles = tuple(sorted(request.membership.roles))
    return _cached((page, get_language(), roles, vary, stamp), compute)


def cached_data(*, name: str, stamp: Hashable, vary: Hashable, compute: Callable[[], Any]) -> Any:
    """Data a page reads that is the same in every language and for every role (which periods a reader's
    own subjects are scored in), cached the same way: under its stamp, `vary` and the display generation."""
    return _cached((name, vary, stamp), compute)


def _cached(parts: tuple, compute: Callable[[], Any]) -> Any:
    if not settings.PAGE_CACHE_SECONDS:
        return compute()
    tenant_id = current_tenant().pk
    whole = (tenant_id, *parts, cache.get(_generation_key(tenant_id), 0))
    key = "page:body:" + hashlib.sha256(repr(whole).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found


def cached_body(
    request, *, page: str, stamp: Hashable | None, vary: Hashable, render: Callable[[], str]
) -> SafeString:
    """The page's body from the cache, or `render()`ed and cached."""
    body = cached_value(request, page=page, stamp=stamp, vary=vary, compute=lambda: str(render()))
    return mark_safe(body)  # noqa: S308 - our template's output


def query_key(request) -> tuple:
    """The query string as part of a body's `vary`: every parameter and all its values, in a fixed order."""
    return tuple((key, tuple(request.GET.getlist(key))) for key in sorted(request.GET))
