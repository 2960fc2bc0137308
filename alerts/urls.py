"""Pages of the alerts app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from alerts.api.alerts import AlertViewSet
from alerts.api.event_logs import EventLogViewSet
from alerts.api.kpis import ProcessKpiViewSet
from alerts.api.processes import ProcessViewSet
from alerts.api.rules import AlertRuleViewSet
from alerts.api.silences import SilenceViewSet
from alerts.views import alerts as alert_views
from alerts.views import event_logs as event_log_views
from alerts.views import kpis as kpi_views
from alerts.views import processes as process_views
from alerts.views import rules as rule_views
from alerts.views import silences as silence_views
from collab.api import tenant_router

urlpatterns: list = [
    path("event-logs/", event_log_views.event_log_list, name="event-log-list"),
    path("event-logs/<id:pk>/", event_log_views.event_log_detail, name="event-log-detail"),
    path("event-logs/<id:pk>/delete/", event_log_views.event_log_delete_page, name="event-log-delete"),
    path("processes/", process_views.process_list, name="process-list"),
    path("processes/new/", process_views.process_create, name="process-create"),
    path("processes/<id:pk>/", process_views.process_detail, name="process-detail"),
    path("processes/<id:pk>/edit/", process_views.process_edit, name="process-edit"),
    path("processes/<id:pk>/delete/", process_views.process_delete, name="process-delete"),
    path("alerts/", alert_views.alert_list, name="alert-list"),
    path("alerts/<id:pk>/", alert_views.alert_detail, name="alert-detail"),
    path("alert-rules/", rule_views.rule_list, name="alert-rule-list"),
    path("alert-rules/new/", rule_views.rule_create, name="alert-rule-create"),
    path("alert-rules/<id:pk>/", rule_views.rule_detail, name="alert-rule-detail"),
    path("alert-rules/<id:pk>/edit/", rule_views.rule_edit, name="alert-rule-edit"),
    path("alert-rules/<id:pk>/delete/", rule_views.rule_delete, name="alert-rule-delete"),
    path("silences/", silence_views.silence_list, name="silence-list"),
    path("silences/new/", silence_views.silence_create, name="silence-create"),
    path("silences/<id:pk>/end/", silence_views.silence_end, name="silence-end"),
    path("processes/<id:pk>/kpis/new/", kpi_views.kpi_create, name="process-kpi-create"),
    path("process-kpis/import/", kpi_views.kpi_import, name="process-kpi-import"),
    path("process-kpis/<id:pk>/", kpi_views.kpi_detail, name="process-kpi-detail"),
    path("process-kpis/<id:pk>/edit/", kpi_views.kpi_edit, name="process-kpi-edit"),
    path("process-kpis/<id:pk>/delete/", kpi_views.kpi_delete, name="process-kpi-delete"),
    path("process-kpis/<id:pk>/points/", kpi_views.kpi_point_write, name="process-kpi-point"),
]

api_router = tenant_router()
api_router.register("processes", ProcessViewSet, basename="api-process")
api_router.register("event-logs", EventLogViewSet, basename="api-event-log")
api_router.register("alerts", AlertViewSet, basename="api-alert")
api_router.register("alert-rules", AlertRuleViewSet, basename="api-alert-rule")
api_router.register("silences", SilenceViewSet, basename="api-silence")
api_router.register("process-kpis", ProcessKpiViewSet, basename="api-process-kpi")
