from django.urls import path

from collab.views.platform import not_built

urlpatterns = [
    path("audit/", not_built, name="audit-log"),
]
