"""Never a 500 on bad input: hostile query strings on every page, and every page URL resolving to its
route (the probing: `tests.robustness.probing`)."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve

from tests.robustness import probing
from tests.robustness.probing import (
    GENERIC_PARAMS,
    Prober,
    _collect_forms,
    _module_params,
    _named_routes,
    _page_url,
    probe_query_strings,
    urlsplit,
)


@pytest.fixture
def world(tenant_a, tenant_b):
    return probing.build_world(tenant_a, tenant_b)


def test_no_page_answers_a_server_error_to_hostile_query_strings(world):
    slug, objects, client = world["a"].slug, world["objects"], world["pages"]
    prober = Prober(world["a"])
    urls = {route.name: _page_url(route, slug, objects) for route in _named_routes()}
    _posting, filters = _collect_forms(prober, client, urls)
    for route in _named_routes():
        own = filters.get(route.name, set()) | _module_params(route.view)
        probe_query_strings(prober, client, urls[route.name], route.name, set(GENERIC_PARAMS) | own, own,
                            api=False)  # fmt: skip
    prober.report("page GETs with hostile query strings")


def test_every_page_url_resolves_to_its_route(world):
    """The control: the URLs built from A's samples reach the routes they are meant for."""
    slug, objects = world["a"].slug, world["objects"]
    wrong = []
    for route in _named_routes():
        url = _page_url(route, slug, objects)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            wrong.append(url)
            continue
        if match.view_name != route.name:
            wrong.append(f"{url} → {match.view_name}")
    assert not wrong, wrong
