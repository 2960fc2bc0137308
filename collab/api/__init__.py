"""The API router: each module registers its viewsets on `router` when imported."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

from collab.api import platform  # noqa: E402, F401  (registers its viewsets)
