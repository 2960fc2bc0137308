"""Pages of the responsibility matrices (included under /t/<slug>/ by collab/urls.py) and their API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from responsibility import views
from responsibility.api import MatrixViewSet

urlpatterns = [
    path("responsibility/matrices/", views.matrix_list, name="matrix-list"),
    path("responsibility/matrices/new/", views.matrix_create, name="matrix-create"),
    path("responsibility/matrices/validate/", views.matrix_validate, name="matrix-validate"),
    path("responsibility/matrices/<id:pk>/", views.matrix_detail, name="matrix-detail"),
    path("responsibility/matrices/<id:pk>/edit/", views.matrix_edit, name="matrix-edit"),
    path("responsibility/matrices/<id:pk>/new-version/", views.matrix_new_version, name="matrix-new-version"),
    path("responsibility/matrices/<id:pk>/compare/", views.matrix_compare, name="matrix-compare"),
]

api_router = tenant_router()
# Basename "api-matrix": "matrix-list" is the page.
api_router.register(r"matrices", MatrixViewSet, basename="api-matrix")
