"""The machinery of the cross-tenant isolation test (see the contract in the shared brief).

- Routes are discovered, never listed: every page under `t/<slug:tenant_slug>/` from the URL resolver,
  and every API resource from the registries of `collab.urls.api_routers` (list, detail, extra actions).
- Tenant B's world is built by every `tests/isolation/samples_*.py` module, in ORDER, inside
  `tenant_scope(B)`; their ROUTE_KWARGS / API_DETAIL say which object fills which URL.
- `tenant_fingerprint()` hashes every row of a tenant (all TenantOwned models) and the accounts of its
  members, so "nothing of B changed" is checked, not assumed.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from collab.models import Membership
from collab.rls.tables import tenant_owned_models
from collab.tenancy import all_tenants, tenant_scope

PAGE_PREFIX = "t/<slug:tenant_slug>/"
API_PREFIX = "api/v1/t/<slug:tenant_slug>/"
SAMPLES_DIR = Path(__file__).resolve().parent
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
# Kwargs DRF's format-suffix routes add; they are the same views.
_IGNORED_KWARGS = {"format"}


# --------------------------------------------------------------------------------------------- samples
@dataclass
class Samples:
    modules: list[ModuleType]
    route_kwargs: dict[str, Callable[[dict], dict]] = field(default_factory=dict)
    api_detail: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def build(self, tenant) -> dict:
        """B's world: each module's build(), in ORDER, inside the tenant's scope."""
        objects: dict = {}
        with tenant_scope(tenant):
            for module in self.modules:
                built = module.build(tenant, objects)
                if not isinstance(built, dict):
                    raise TypeError(f"{module.__name__}.build() returned {type(built).__name__}, not a dict")
                clashes = set(built) & set(objects)
                if clashes:
                    raise ValueError(f"{module.__name__}.build() reuses object names {sorted(clashes)}")
                objects.update(built)
        return objects


def load_samples() -> Samples:
    names = sorted(
        info.name for info in pkgutil.iter_modules([str(SAMPLES_DIR)]) if info.name.startswith("samples_")
    )
    modules, problems = [], []
    for name in names:
        try:
            modules.append(importlib.import_module(f"{__package__}.{name}"))
        except Exception as error:  # noqa: BLE001 - reported by the meta-test, the other areas still run
            problems.append(f"{name} does not import: {type(error).__name__}: {error}")
    modules.sort(key=lambda m: (getattr(m, "ORDER", 1000), m.__name__))
    samples = Samples(modules=modules, problems=problems)
    for module in samples.modules:
        for attribute in ("ORDER", "build"):
            if not hasattr(module, attribute):
                samples.problems.append(f"{module.__name__} has no {attribute}")
        for name, function in getattr(module, "ROUTE_KWARGS", {}).items():
            if name in samples.route_kwargs:
                samples.problems.append(f"page route {name!r} has samples in two modules")
            samples.route_kwargs[name] = function
        for basename, key in getattr(module, "API_DETAIL", {}).items():
            if basename in samples.api_detail:
                samples.problems.append(f"API resource {basename!r} has samples in two modules")
            samples.api_detail[basename] = key
    return samples


# ------------------------------------------------------------------------------------------------ pages
@dataclass(frozen=True)
class PageRoute:
    name: str | None
    route: str  # e.g. "t/<slug:tenant_slug>/org/units/<id:pk>/edit/"
    converters: dict
    regex: bool  # built with re_path: URLs come from reverse(), not from the route string
    view: object = field(default=None, compare=False, repr=False)

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(p for p in self.converters if p != "tenant_slug" and p not in _IGNORED_KWARGS)

    @property
    def label(self) -> str:
        return self.name or f"<unnamed {self.route}>"

    @property
    def read_roles(self) -> frozenset[str] | None:
        """The roles `@tenant_page` lets GET this page (None when the view does not declare them)."""
        roles = getattr(self.view, "tenant_roles", None)
        return frozenset(roles[0]) if roles else None

    def url(self, slug: str, kwargs: dict) -> str:
        values = {"tenant_slug": slug, **kwargs}
        if self.regex:
            from django.urls import reverse

            return reverse(self.name, kwargs=values)

        def substitute(match: re.Match) -> str:
            parameter = match["parameter"]
            converter = self.converters.get(parameter)
            value = values[parameter]
            return converter.to_url(value) if converter is not None else str(value)

        return "/" + _PARAMETER.sub(substitute, self.route)

    def placeholder_kwargs(self) -> dict:
        """Values that satisfy the converters, for requests whose answer must not depend on them."""
        return {param: _placeholder(self.converters.get(param)) for param in self.params}


def _placeholder(converter) -> str:
    regex = getattr(converter, "regex", "[^/]+")
    for candidate in ("999999999", "sample", str(uuid.UUID(int=1)), "x"):
        if re.fullmatch(regex, candidate):
            return converter.to_python(candidate) if converter is not None else candidate
    raise ValueError(f"no placeholder fits {regex!r}")


def _pattern_converters(pattern) -> tuple[dict, bool]:
    if isinstance(pattern, RoutePattern):
        return dict(pattern.converters), False
    if isinstance(pattern, RegexPattern):
        return {name: None for name in pattern.regex.groupindex}, True
    return {}, True


def _walk(patterns, prefix: str = "", converters: dict | None = None, namespace: str | None = None,
          regex: bool = False) -> Iterator[tuple[str, str | None, dict, bool, object]]:  # fmt: skip
    for pattern in patterns:
        found, is_regex = _pattern_converters(pattern.pattern)
        route = prefix + str(pattern.pattern)
        merged = {**(converters or {}), **found}
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            space = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, route, merged, space, regex or is_regex)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name, merged, regex or is_regex, pattern.callback


def page_routes() -> list[PageRoute]:
    """Every page under /t/<slug>/, straight from the resolver."""
    return [
        PageRoute(name=name, route=route, converters=converters, regex=regex, view=callback)
        for route, name, converters, regex, callback in _walk(get_resolver().url_patterns)
        if route.startswith(PAGE_PREFIX)
    ]


def stray_api_routes() -> list[str]:
    """Patterns under /api/v1/t/<slug>/ that are not router resources (the isolation test cannot see them)."""
    registered = {viewset for _prefix, viewset, _basename in _registry()}
    stray = []
    for route, name, _converters, _regex, callback in _walk(get_resolver().url_patterns):
        if route.startswith(API_PREFIX) and getattr(callback, "cls", None) not in registered:
            stray.append(f"{name or '<unnamed>'} ({route})")
    return stray


# -------------------------------------------------------------------------------------------------- API
@dataclass(frozen=True)
class ApiRoute:
    basename: str
    prefix: str
    viewset: type
    detail: bool
    action: str | None  # extra action's url_path, None for the plain list/detail route
    methods: tuple[str, ...]
    url_name: str  # the name the router gives the route: "<basename>-list", "<basename>-<action>", …

    @property
    def label(self) -> str:
        kind = "detail" if self.detail else "list"
        return f"{self.basename}-{kind}" + (f" /{self.action}/" if self.action else "")

    def url(self, slug: str, lookup=None) -> str:
        path = f"/api/v1/t/{slug}/{self.prefix}/"
        if self.detail:
            path += f"{lookup}/"
        if self.action:
            path += f"{self.action}/"
        return path


def _registry():
    from collab.urls import api_routers

    return [entry for router in api_routers for entry in router.registry]


def api_routes() -> list[ApiRoute]:
    """Every route of every registered viewset, with the methods it answers."""
    routes = []
    for prefix, viewset, basename in _registry():
        list_methods = [m for m, name in (("GET", "list"), ("POST", "create")) if hasattr(viewset, name)]
        detail_methods = [
            m
            for m, handler in (("GET", "retrieve"), ("PUT", "update"), ("PATCH", "partial_update"),
                               ("DELETE", "destroy"))  # fmt: skip
            if hasattr(viewset, handler)
        ]
        if list_methods:
            name = f"{basename}-list"
            routes.append(ApiRoute(basename, prefix, viewset, False, None, tuple(list_methods), name))
        if detail_methods:
            routes.append(
                ApiRoute(basename, prefix, viewset, True, None, tuple(detail_methods), f"{basename}-detail")
            )
        for action in viewset.get_extra_actions():
            methods = tuple(sorted(method.upper() for method in action.mapping))
            name = f"{basename}-{action.url_name}"
            routes.append(ApiRoute(basename, prefix, viewset, action.detail, action.url_path, methods, name))
    return routes


def api_lookup(route: ApiRoute, obj) -> object:
    return getattr(obj, getattr(route.viewset, "lookup_field", "pk") or "pk")


def resolves_to(url: str, route) -> bool:
    """The built URL really reaches the route's view (not another pattern that shadows it)."""
    try:
        match = resolve(url)
    except Exception:  # noqa: BLE001 - a Resolver404 or a converter error both mean "does not resolve"
        return False
    if isinstance(route, ApiRoute):
        return getattr(match.func, "cls", None) is route.viewset
    return match.view_name == route.name if route.name else True


# ------------------------------------------------------------------------------------------ fingerprint
def tenant_fingerprint(tenant) -> dict[str, str]:
    """model label → sha256 of all the tenant's rows in primary-key order (plus its members' accounts)."""
    digests = {}
    with all_tenants("isolation test: fingerprint every row of one tenant before and after the attack"):
        for model in tenant_owned_models():
            rows = list(model._base_manager.filter(tenant_id=tenant.pk).order_by("pk").values_list())
            digests[model._meta.label] = _digest(rows)
        member_ids = Membership._base_manager.filter(tenant_id=tenant.pk).values("user_id")
        users = get_user_model()._base_manager.filter(pk__in=member_ids).order_by("pk")
        digests["auth.User (members)"] = _digest(list(users.values_list()))
    return digests


def _digest(rows: list) -> str:
    # Binary columns come back from PostgreSQL as memoryview objects, whose repr names their address: compare
    # their bytes instead.
    rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
    return f"{len(rows)} rows " + hashlib.sha256(repr(rows).encode()).hexdigest()


def fingerprint_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [f"{label}: {before.get(label)} → {after.get(label)}" for label in sorted(set(before) | set(after))
            if before.get(label) != after.get(label)]  # fmt: skip
