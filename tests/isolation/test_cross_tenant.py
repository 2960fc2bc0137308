"""Tenant isolation across every page and API route, discovered from the URL configuration.

Tenant A's user holds every role; tenant B's world comes from all `samples_*.py` modules. For each
route: A's user with B's slug gets 404 (GET and POST on pages, every method on the API), and A's user
with A's slug but B's object ids gets 404 (pages with id kwargs: GET/POST, except a read-only page's
POST: 405, as with a missing id; API details: GET, PUT, PATCH, DELETE and POST detail actions).
A fingerprint of all B's rows is identical afterwards. The meta-tests fail, naming the routes, when a
route with ids has no sample.
"""

from __future__ import annotations

import warnings

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from collab.models import ALL_ROLES
from collab.rls.roles import app_role
from tests.factories import make_member
from tests.isolation.framework import (
    api_lookup,
    api_routes,
    fingerprint_changes,
    load_samples,
    page_routes,
    resolves_to,
    stray_api_routes,
    tenant_fingerprint,
)

SAMPLES = load_samples()


# ------------------------------------------------------------------------------------------ meta-tests
def test_the_sample_modules_follow_the_contract():
    assert SAMPLES.modules, "no tests/isolation/samples_*.py module found"
    assert not SAMPLES.problems, "\n".join(SAMPLES.problems)


def test_every_page_route_with_ids_has_a_sample():
    routes = page_routes()
    assert routes, "no page routes found under t/<slug:tenant_slug>/"
    unnamed = [route.route for route in routes if route.name is None]
    missing = sorted({r.name for r in routes if r.name and r.params and r.name not in SAMPLES.route_kwargs})
    assert not unnamed, f"page routes without a name cannot be sampled: {unnamed}"
    assert not missing, (
        f"{len(missing)} page route(s) take ids but no tests/isolation/samples_*.py gives them B's objects "
        "(add them to ROUTE_KWARGS of your area's samples module):\n  " + "\n  ".join(missing)
    )


def test_every_api_resource_with_details_has_a_sample():
    needing = sorted({route.basename for route in api_routes() if route.detail})
    missing = [basename for basename in needing if basename not in SAMPLES.api_detail]
    assert not missing, (
        f"{len(missing)} API resource(s) have detail routes but no tests/isolation/samples_*.py names the "
        "object for them (add them to API_DETAIL of your area's samples module):\n  " + "\n  ".join(missing)
    )


def test_samples_name_existing_routes():
    # A sample for a route that does not exist (yet, or any more) covers nothing but harms nothing: a
    # renamed route is caught above as missing. Say so without failing, so areas can land samples first.
    page_names = {route.name for route in page_routes()}
    basenames = {route.basename for route in api_routes()}
    stale = [f"page route {name!r}" for name in SAMPLES.route_kwargs if name not in page_names]
    stale += [f"API resource {name!r}" for name in SAMPLES.api_detail if name not in basenames]
    if stale:
        warnings.warn("isolation samples name routes that do not exist: " + ", ".join(stale), stacklevel=1)


def test_every_tenant_api_route_is_a_router_resource():
    stray = stray_api_routes()
    assert not stray, (
        "routes under /api/v1/t/<slug>/ that are not registered on a router of collab.urls.api_routers are "
        "invisible to this test; register them as TenantViewSet resources:\n  " + "\n  ".join(stray)
    )


def test_page_and_api_url_names_do_not_collide():
    # reverse() of a name used twice answers whichever pattern Django finds first: a page link could
    # point at the API. Router basenames must not produce a page's name.
    page_names = {route.name for route in page_routes() if route.name}
    api_names = {route.url_name for route in api_routes()}
    collisions = sorted(page_names & api_names)
    assert not collisions, f"URL names used by both a page and an API route: {collisions}"


# ----------------------------------------------------------------------------------------------- world
@pytest.fixture(params=["orm", "app-role"])
def world(request, tenant_a, tenant_b):
    """A's user with every role; B's world from every sample module; B's own user (all roles).

    Twice: "orm" connects as the test database's superuser, which PostgreSQL's row-level security does
    not bind, so only the application's own wall (scoped managers, lookups) stands; "app-role" switches
    the connection to the role the application runs as in production, so RLS stands too — and the
    control test proves RLS refuses nothing a tenant's own member may see.
    """
    intruder = make_member(tenant_a, *sorted(ALL_ROLES), username="intruder_a")
    owner = make_member(tenant_b, *sorted(ALL_ROLES), username="owner_b")
    objects = SAMPLES.build(tenant_b)
    if request.param == "app-role":
        if connection.vendor != "postgresql":
            pytest.skip("row-level security exists only on PostgreSQL: set DATABASE_URL to run this variant")
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {app_role()}")  # until the test's transaction rolls back
    return {"a": tenant_a, "b": tenant_b, "intruder": intruder, "owner": owner, "objects": objects}


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api_client(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _send(client, method: str, url: str, api: bool):
    """One request inside a savepoint, so a view that breaks the transaction cannot hide later results."""
    call = getattr(client, method.lower())
    kwargs = {"format": "json"} if api and method in {"POST", "PUT", "PATCH"} else {}
    if api and method in {"POST", "PUT", "PATCH"}:
        kwargs["data"] = {}
    try:
        with transaction.atomic():
            return call(url, **kwargs).status_code
    except Exception as error:  # noqa: BLE001 - any exception is reported as the route's failure
        return f"raised {type(error).__name__}: {error}"


class Attack:
    """Sends requests, records every answer that is not 404, and watches B's fingerprint per route."""

    def __init__(self, tenant_b):
        self.tenant_b = tenant_b
        self.failures: list[str] = []
        self.sent = 0
        self.baseline = tenant_fingerprint(tenant_b)

    def expect_404(self, client, method: str, url: str, label: str, api: bool) -> None:
        self.expect(404, client, method, url, label, api)

    def expect(self, expected: int, client, method: str, url: str, label: str, api: bool = False) -> None:
        self.sent += 1
        status = _send(client, method, url, api)
        if status != expected:
            self.failures.append(f"{method} {url} [{label}] answered {status}, expected {expected}")

    def check_unchanged(self, label: str) -> None:
        now = tenant_fingerprint(self.tenant_b)
        changes = fingerprint_changes(self.baseline, now)
        if changes:
            self.failures.append(f"[{label}] changed tenant B's rows: " + "; ".join(changes))
            self.baseline = now

    def report(self, what: str) -> None:
        assert self.sent, f"no requests were sent for {what}"
        summary = f"{len(self.failures)} failure(s) for {what}:"
        assert not self.failures, summary + "\n  " + "\n  ".join(self.failures)


def _page_kwargs(route, objects: dict) -> dict | None:
    if not route.params:
        return {}
    function = SAMPLES.route_kwargs.get(route.name)
    return function(objects) if function else None


# ------------------------------------------------------------------------------------------ isolation
def test_samples_belong_to_tenant_b(world):
    objects, b = world["objects"], world["b"]
    foreign = [name for name, obj in objects.items() if getattr(obj, "tenant_id", b.pk) != b.pk]
    assert not foreign, f"sample objects that are not tenant B's: {foreign}"
    assert tenant_fingerprint(b) != tenant_fingerprint(world["a"])


def test_another_tenants_slug_answers_404_everywhere(world):
    """A's user, B's slug: every page (GET, POST) and every API route (every method) → 404."""
    b_slug, objects = world["b"].slug, world["objects"]
    pages, api = _page_client(world["intruder"]), _api_client(world["intruder"])
    attack = Attack(world["b"])
    for route in page_routes():
        if route.name is None:
            continue
        kwargs = _page_kwargs(route, objects)
        url = route.url(b_slug, kwargs if kwargs is not None else route.placeholder_kwargs())
        for method in ("GET", "POST"):
            attack.expect_404(pages, method, url, route.label, api=False)
        attack.check_unchanged(route.label)
    for route in api_routes():
        key = SAMPLES.api_detail.get(route.basename)
        lookup = api_lookup(route, objects[key]) if key in objects else 999999999
        url = route.url(b_slug, lookup)
        for method in route.methods:
            attack.expect_404(api, method, url, route.label, api=True)
        attack.check_unchanged(route.label)
    attack.report("tenant B's slug used by tenant A's user")


def test_another_tenants_ids_answer_404_everywhere(world):
    """A's user, A's slug, B's ids: pages with ids (GET, POST), API details and detail actions → 404
    (POST to a read-only page: 405, exactly as with a missing id)."""
    a_slug, objects = world["a"].slug, world["objects"]
    pages, api = _page_client(world["intruder"]), _api_client(world["intruder"])
    attack = Attack(world["b"])
    for route in page_routes():
        kwargs = _page_kwargs(route, objects) if route.name and route.params else None
        if not kwargs:
            continue  # no ids, or no sample (the meta-test names it)
        url = route.url(a_slug, kwargs)
        attack.expect_404(pages, "GET", url, route.label, api=False)
        if "POST" in getattr(route.view, "page_methods", ("POST",)):
            attack.expect_404(pages, "POST", url, route.label, api=False)
        else:  # a read-only page refuses POST before looking at any id: B's id, like a missing one, is a 405
            attack.expect(405, pages, "POST", url, route.label)
            attack.expect(405, pages, "POST", route.url(a_slug, route.placeholder_kwargs()), route.label)
        attack.check_unchanged(route.label)
    for route in api_routes():
        key = SAMPLES.api_detail.get(route.basename)
        if not route.detail or key not in objects:
            continue
        url = route.url(a_slug, api_lookup(route, objects[key]))
        for method in route.methods:
            attack.expect_404(api, method, url, route.label, api=True)
        attack.check_unchanged(route.label)
    if attack.sent:
        attack.report("tenant B's object ids used under tenant A's slug")


def test_the_samples_are_reachable_by_their_own_tenant(world):
    """The control: B's own member GETs the same URLs without a 404, so the 404s above mean isolation
    (and every page without ids answers B's member without a 404 or a 500)."""
    b_slug, objects = world["b"].slug, world["objects"]
    pages, api = _page_client(world["owner"]), _api_client(world["owner"])
    unreachable = []
    for route in page_routes():
        if route.name and not route.params:
            url = route.url(b_slug, {})
            status = _send(pages, "GET", url, api=False)
            if not isinstance(status, int) or status == 404 or status >= 500:
                unreachable.append(f"GET {url} [{route.label}] answered {status} to tenant B's own member")
            continue
        kwargs = _page_kwargs(route, objects) if route.name and route.params else None
        if not kwargs:
            continue
        url = route.url(b_slug, kwargs)
        if not resolves_to(url, route):
            unreachable.append(f"{url} [{route.label}] does not resolve to its own route")
        elif (status := _send(pages, "GET", url, api=False)) == 404 or isinstance(status, str):
            unreachable.append(f"GET {url} [{route.label}] answered {status} to tenant B's own member")
    for route in api_routes():
        key = SAMPLES.api_detail.get(route.basename)
        if not route.detail or route.action or key not in objects or "GET" not in route.methods:
            continue
        url = route.url(b_slug, api_lookup(route, objects[key]))
        if not resolves_to(url, route):
            unreachable.append(f"{url} [{route.label}] does not resolve to its viewset")
        elif (status := _send(api, "GET", url, api=True)) == 404 or isinstance(status, str):
            unreachable.append(f"GET {url} [{route.label}] answered {status} to tenant B's own member")
    assert not unreachable, "samples that do not reach a real object:\n  " + "\n  ".join(unreachable)
