"""Pages of the interlock area (included under /t/<slug>/ by collab/urls.py)."""

from django.urls import path

from interlock import views

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
