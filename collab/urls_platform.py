"""Pages of the platform under /t/<slug>/."""

from django.urls import path

from collab.views import platform as views

urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
]
