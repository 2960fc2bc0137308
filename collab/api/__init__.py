"""The platform's API router: each module registers its viewsets on `router` when imported.

Domain apps do not register here: each has its own router (`api_router` in its urls.py), listed beside
this one by the root URLconf, so that the platform never imports an app.
"""

from rest_framework.routers import DefaultRouter


def tenant_router() -> DefaultRouter:
    """A router for resources under /api/v1/t/<slug>/ (no API root view: there is no index resource)."""
    router = DefaultRouter(trailing_slash=True)
    router.include_root_view = False
    return router


router = tenant_router()

# Importing a module registers its viewsets.
from collab.api import accounts, platform  # noqa: E402, F401
from collab.api.org import directory, employees, periods, positions, units  # noqa: E402, F401
