"""Dashboard pages (included under /t/<slug>/ by collab/urls.py)."""

from django.urls import path

from interlock import views_dashboards as views

urlpatterns = [
    path("dashboards/unit/", views.unit_dashboard_page, name="dashboard-unit"),
    path("dashboards/unit/<id:pk>/", views.unit_dashboard_page, name="dashboard-unit-detail"),
    path("dashboards/collaboration/", views.collaboration_page, name="dashboard-collaboration"),
    path("dashboards/ranking/", views.ranking_page, name="dashboard-ranking"),
    path("dashboards/ranking/export/", views.ranking_export, name="dashboard-ranking-export"),
    path("dashboards/what-if/", views.whatif_page, name="whatif"),
]
