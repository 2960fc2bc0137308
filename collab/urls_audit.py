"""Audit log pages under /t/<slug>/: read-only for HR admins and auditors."""

from django.urls import path

from collab.views import audit as views

urlpatterns = [
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export/", views.audit_export, name="audit-export"),
    path("audit/<id:pk>/", views.audit_event_detail, name="audit-event-detail"),
]
