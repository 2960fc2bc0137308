"""Pages of the alerts app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from alerts.api.kpis import ProcessKpiViewSet
from alerts.api.processes import ProcessViewSet
from alerts.views import kpis as kpi_views
from alerts.views import processes as process_views
from collab.api import tenant_router

urlpatterns: list = [
    path("processes/", process_views.process_list, name="process-list"),
    path("processes/new/", process_views.process_create, name="process-create"),
    path("processes/<id:pk>/", process_views.process_detail, name="process-detail"),
    path("processes/<id:pk>/edit/", process_views.process_edit, name="process-edit"),
    path("processes/<id:pk>/delete/", process_views.process_delete, name="process-delete"),
    path("processes/<id:pk>/kpis/new/", kpi_views.kpi_create, name="process-kpi-create"),
    path("process-kpis/import/", kpi_views.kpi_import, name="process-kpi-import"),
    path("process-kpis/<id:pk>/", kpi_views.kpi_detail, name="process-kpi-detail"),
    path("process-kpis/<id:pk>/edit/", kpi_views.kpi_edit, name="process-kpi-edit"),
    path("process-kpis/<id:pk>/delete/", kpi_views.kpi_delete, name="process-kpi-delete"),
    path("process-kpis/<id:pk>/points/", kpi_views.kpi_point_write, name="process-kpi-point"),
]

api_router = tenant_router()
api_router.register("processes", ProcessViewSet, basename="api-process")
api_router.register("process-kpis", ProcessKpiViewSet, basename="api-process-kpi")
