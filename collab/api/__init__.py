"""The platform's API router: each module registers its viewsets on `router` when imported.

Domain apps do not register here: each has its own router (`api_router` in its urls.py), listed beside
this one by the root URLconf, so that the platform never imports an app.
"""

from rest_framework.routers import DefaultRouter, Route

# A resource that is one object of the tenant, without an id (the business calendar's settings): its viewset
# names its handlers `read` (GET) and `partial_change` (PATCH); other viewsets have no such handlers, so the
# route adds nothing to them.
SINGLETON_ROUTE = Route(
    url=r"^{prefix}{trailing_slash}$",
    mapping={"get": "read", "patch": "partial_change"},
    name="{basename}-singleton",
    detail=False,
    initkwargs={},
)


def tenant_router() -> DefaultRouter:
    """A router for resources under /api/v1/t/<slug>/ (no API root view: there is no index resource)."""
    router = DefaultRouter(trailing_slash=True)
    router.include_root_view = False
    router.routes = [*router.routes, SINGLETON_ROUTE]
    return router


router = tenant_router()

# Importing a module registers its viewsets.
from collab.api import accounts, calendar, platform  # noqa: E402, F401
from collab.api.org import directory, employees, periods, positions, units  # noqa: E402, F401
