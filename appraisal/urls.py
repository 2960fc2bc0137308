"""Pages of the appraisal app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from appraisal.api.cycles import AppraisalCycleViewSet
from appraisal.views import setup as setup_views
from collab.api import tenant_router

urlpatterns: list = [
    # setup: the policy, cycles and the progress board
    path("appraisal/settings/", setup_views.appraisal_settings, name="appraisal-settings"),
    path("appraisal/cycles/", setup_views.cycle_list, name="appraisal-cycle-list"),
    path("appraisal/cycles/new/", setup_views.cycle_create, name="appraisal-cycle-create"),
    path("appraisal/cycles/<int:pk>/", setup_views.cycle_detail, name="appraisal-cycle-detail"),
    path("appraisal/cycles/<int:pk>/edit/", setup_views.cycle_edit, name="appraisal-cycle-edit"),
    path("appraisal/cycles/<int:pk>/delete/", setup_views.cycle_delete, name="appraisal-cycle-delete"),
    path("appraisal/cycles/<int:pk>/board/", setup_views.cycle_board, name="appraisal-board"),
]

api_router = tenant_router()
# setup
api_router.register(r"appraisal-cycles", AppraisalCycleViewSet, basename="api-appraisal-cycle")
