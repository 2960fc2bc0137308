"""Pages of the interlock area (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from interlock.api.collaboration import CollaborationViewSet
from interlock.api.scorecards import ScorecardViewSet
from interlock.api.scores import JobViewSet, ScoreViewSet, UnitMatrixScoresViewSet
from interlock.api.whatif import WhatIfViewSet
from interlock.views import dashboards, scores, whatif
from interlock.views.scorecards.contract import scorecard_contract
from interlock.views.scorecards.editor import scorecard_edit, scorecard_validate
from interlock.views.scorecards.listing import scorecard_create, scorecard_list
from interlock.views.scorecards.publishing import scorecard_publish, scorecard_unpublish, scorecards_copy
from interlock.views.scorecards.settings import scoring_settings

urlpatterns = [
    path("interlock/scorecards/", scorecard_list, name="scorecard-list"),
    path("interlock/scorecards/new/", scorecard_create, name="scorecard-create"),
    path("interlock/scorecards/copy/", scorecards_copy, name="scorecard-copy"),
    path("interlock/scorecards/validate/", scorecard_validate, name="scorecard-validate"),
    path("interlock/scorecards/<id:pk>/", scorecard_edit, name="scorecard-edit"),
    path("interlock/scorecards/<id:pk>/publish/", scorecard_publish, name="scorecard-publish"),
    path(
        "interlock/scorecards/<id:pk>/unpublish/", scorecard_unpublish, name="scorecard-unpublish"
    ),
    path("interlock/scorecards/<id:pk>/contract/", scorecard_contract, name="scorecard-contract"),
    path("interlock/settings/", scoring_settings, name="scoring-settings"),
    path("interlock/scores/", scores.score_list, name="score-list"),
    path("interlock/scores/recompute/", scores.score_recompute, name="score-recompute"),
    path("interlock/scores/<id:pk>/", scores.score_detail, name="score-detail"),
    path("interlock/jobs/<id:pk>/", scores.job_detail, name="job-detail"),
    path("dashboards/unit/", dashboards.unit_dashboard_page, name="dashboard-unit"),
    path("dashboards/unit/<id:pk>/", dashboards.unit_dashboard_page, name="dashboard-unit-detail"),
    path("dashboards/collaboration/", dashboards.collaboration_page, name="dashboard-collaboration"),
    path("dashboards/ranking/", dashboards.ranking_page, name="dashboard-ranking"),
    path("dashboards/ranking/export/", dashboards.ranking_export, name="dashboard-ranking-export"),
    path("dashboards/what-if/", whatif.whatif_page, name="whatif"),
]

api_router = tenant_router()
# Basename "api-scorecard": "scorecard-list" is the page.
api_router.register(r"scorecards", ScorecardViewSet, basename="api-scorecard")
api_router.register("scores", ScoreViewSet, basename="api-score")
api_router.register("unit-matrix-scores", UnitMatrixScoresViewSet, basename="api-unit-matrix-scores")
api_router.register("jobs", JobViewSet, basename="api-job")
api_router.register("collaboration", CollaborationViewSet, basename="api-collaboration")
api_router.register("what-if", WhatIfViewSet, basename="api-whatif")
