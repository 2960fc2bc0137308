"""Pages of the alerts app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from alerts.api.kpis import ProcessKpiViewSet
from alerts.api.processes import ProcessViewSet
from alerts.views import processes as process_views
from collab.api import tenant_router

urlpatterns: list = [
    path("processes/", process_views.process_list, name="process-list"),
    path("processes/new/", process_views.process_create, name="process-create"),
    path("processes/<id:pk>/", process_views.process_detail, name="process-detail"),
    path("processes/<id:pk>/edit/", process_views.process_edit, name="process-edit"),
    path("processes/<id:pk>/delete/", process_views.process_delete, name="process-delete"),
]

api_router = tenant_router()
api_router.register("processes", ProcessViewSet, basename="api-process")
api_router.register("process-kpis", ProcessKpiViewSet, basename="api-process-kpi")
