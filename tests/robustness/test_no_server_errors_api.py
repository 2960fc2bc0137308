"""Never a 500 on bad input: every API route with hostile JSON and query strings, and pages answering 405
to the methods they have no use for (the probing: `tests.robustness.probing`)."""

from __future__ import annotations

import pytest

from tests.isolation.framework import api_routes
from tests.robustness import probing
from tests.robustness.probing import (
    GENERIC_PARAMS,
    HUGE,
    Prober,
    _api_url,
    _collect_forms,
    _describe,
    _json_bodies,
    _json_error,
    _module_params,
    _named_routes,
    _page_url,
    _server_error,
    _template,
    probe_query_strings,
)


@pytest.fixture
def world(tenant_a, tenant_b):
    return probing.build_world(tenant_a, tenant_b)


def test_pages_answer_405_to_the_methods_they_have_no_use_for(world):
    """Every page declares its methods through `tenant_page`/`own_page`. A read-only page answers 405 with
    an Allow header to POST, PUT, PATCH and DELETE (a page that writes, to PUT, PATCH and DELETE), and no form
    posts to a page that refuses POST."""
    slug, objects, client = world["a"].slug, world["objects"], world["pages"]
    prober = Prober(world["a"])
    urls = {route.name: _page_url(route, slug, objects) for route in _named_routes()}
    posting, _filters = _collect_forms(prober, client, urls)
    for route in _named_routes():
        url, methods = urls[route.name], getattr(route.view, "page_methods", None)
        if methods is None:
            prober.fail(f"{url} [{route.name}] goes through neither tenant_page nor own_page")
            continue
        if posting.get(url) and "POST" not in methods:
            prober.fail(f"a form posts to {url} [{route.name}], which refuses POST")
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            if method in methods:
                continue
            answer = prober.send(client, method, url, data="", content_type="text/plain")
            if answer.status != 405 or set(answer.allow.split(", ")) != set(methods):
                expected = ", ".join(methods)
                prober.fail(f"{method} {url} [{route.name}] answered {answer.status} "
                            f"(Allow: {answer.allow!r}), expected 405 (Allow: {expected})")  # fmt: skip
    prober.report("page methods")


def test_no_api_route_answers_a_server_error_to_hostile_input(world):
    slug, objects, client = world["a"].slug, world["objects"], world["api"]
    prober = Prober(world["a"])
    routes = api_routes()
    plain = {(r.basename, r.detail): r for r in routes if r.action is None}
    for route in routes:
        url = _api_url(route, slug, objects)
        list_route, detail_route = plain.get((route.basename, False)), plain.get((route.basename, True))
        if "GET" in route.methods:
            own = _module_params(route.viewset) | set(getattr(route.viewset, "filterset_fields", None) or ())
            probe_query_strings(prober, client, url, route.label, set(GENERIC_PARAMS) | own, own, api=True)
        writes = [method for method in route.methods if method in {"POST", "PUT", "PATCH"}]
        if not writes:
            continue
        template = _template(
            prober, client, route,
            _api_url(list_route, slug, objects) if list_route else url,
            _api_url(detail_route, slug, objects) if route.detail and detail_route else None,
        )  # fmt: skip
        for method in writes:
            bodies = [(label, raw, "application/json") for label, raw in _json_bodies(template)]
            bodies += [("a form-encoded body", "id=%00&name=" + HUGE, "application/x-www-form-urlencoded"),
                       ("a text body", "\x00", "text/plain")]  # fmt: skip
            for label, raw, content_type in bodies:
                answer = prober.send(client, method, url, data=raw, content_type=content_type)
                if _server_error(answer):
                    prober.fail(f"{method} {url} [{route.label}] {label} → {_describe(answer)}")
                elif not _json_error(answer):
                    prober.fail(f"{method} {url} [{route.label}] {label} answered {answer.status} "
                                f"as {answer.content_type!r}, not JSON")  # fmt: skip
    prober.report("API routes with hostile input")
