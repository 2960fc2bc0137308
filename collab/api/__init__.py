"""The API router: each module registers its viewsets on `router` when imported."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

# Importing a module registers its viewsets.
from collab.api import accounts, org, platform  # noqa: E402, F401
from goals import api as goals_api  # noqa: E402, F401
from goals import api_measurements  # noqa: E402, F401
from goals import api_tree as goals_api_tree  # noqa: E402, F401
from interlock import api as interlock_api  # noqa: E402, F401
from interlock import api_scores as interlock_api_scores  # noqa: E402, F401
from responsibility import api as responsibility_api  # noqa: E402, F401
