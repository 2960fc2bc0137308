"""Never a 500 on bad input: hostile form bodies posted to every page, and nothing written when the page
answered with errors (the probing: `tests.robustness.probing`)."""

from __future__ import annotations

import pytest

from tests.robustness import probing
from tests.robustness.probing import (
    Prober,
    _check_post,
    _collect_forms,
    _describe,
    _foreign_ids,
    _named_routes,
    _page_url,
    _post_bodies,
    _server_error,
    _shown,
)


@pytest.fixture
def world(tenant_a, tenant_b):
    return probing.build_world(tenant_a, tenant_b)


def test_no_page_answers_a_server_error_or_writes_on_hostile_posts(world):
    slug, objects, client = world["a"].slug, world["objects"], world["pages"]
    prober = Prober(world["a"])
    urls = {route.name: _page_url(route, slug, objects) for route in _named_routes()}
    posting, _filters = _collect_forms(prober, client, urls)
    for route in _named_routes():
        url = urls[route.name]
        _check_post(prober, client, url, route.name, {}, "empty POST")
        for method in ("PUT", "PATCH", "DELETE", "OPTIONS"):
            answer = prober.send(client, method, url, data="\x00=\x00", content_type="text/plain")
            if _server_error(answer):
                prober.fail(f"{method} {url} [{route.name}] → {_describe(answer)}")
        for form in posting.get(url, []):
            for label, data, value in _post_bodies(form, _foreign_ids(form, objects, world["foreign"])):
                answer = _check_post(prober, client, url, route.name, data, label)
                if answer is not None and value is not None and _server_error(answer):
                    for name in form.names(files=False):
                        retry = prober.send(client, "POST", url, data={**form.defaults(), name: value})
                        if _server_error(retry):
                            prober.fail(f"POST {url} [{route.name}] field {name} = {_shown(value)} → "
                                        f"{_describe(retry)}")  # fmt: skip
    prober.report("page POSTs with hostile form bodies")
