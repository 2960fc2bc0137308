"""Pages of the interlock area (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from interlock import views
from interlock.api import ScorecardViewSet
from interlock.api_scores import JobViewSet, ScoreViewSet

urlpatterns = [
    path("interlock/scorecards/", views.scorecard_list, name="scorecard-list"),
    path("interlock/scorecards/new/", views.scorecard_create, name="scorecard-create"),
    path("interlock/scorecards/copy/", views.scorecards_copy, name="scorecard-copy"),
    path("interlock/scorecards/validate/", views.scorecard_validate, name="scorecard-validate"),
    path("interlock/scorecards/<id:pk>/", views.scorecard_edit, name="scorecard-edit"),
    path("interlock/scorecards/<id:pk>/publish/", views.scorecard_publish, name="scorecard-publish"),
    path("interlock/scorecards/<id:pk>/unpublish/", views.scorecard_unpublish, name="scorecard-unpublish"),
    path("interlock/scorecards/<id:pk>/contract/", views.scorecard_contract, name="scorecard-contract"),
    path("interlock/settings/", views.scoring_settings, name="scoring-settings"),
]

api_router = tenant_router()
# Basename "api-scorecard": "scorecard-list" is the page.
api_router.register(r"scorecards", ScorecardViewSet, basename="api-scorecard")
api_router.register("scores", ScoreViewSet, basename="api-score")
api_router.register("jobs", JobViewSet, basename="api-job")
