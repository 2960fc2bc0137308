"""Pages of the responsibility matrices (included under /t/<slug>/ by collab/urls.py) and their API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from responsibility.api import MatrixViewSet
from responsibility.views import compare, detail, editors, listing, live

urlpatterns = [
    path("responsibility/matrices/", listing.matrix_list, name="matrix-list"),
    path("responsibility/matrices/new/", editors.matrix_create, name="matrix-create"),
    path("responsibility/matrices/validate/", live.matrix_validate, name="matrix-validate"),
    path("responsibility/matrices/<id:pk>/", detail.matrix_detail, name="matrix-detail"),
    path("responsibility/matrices/<id:pk>/edit/", editors.matrix_edit, name="matrix-edit"),
    path(
        "responsibility/matrices/<id:pk>/new-version/", editors.matrix_new_version, name="matrix-new-version"
    ),
    path("responsibility/matrices/<id:pk>/compare/", compare.matrix_compare, name="matrix-compare"),
]

api_router = tenant_router()
# Basename "api-matrix": "matrix-list" is the page.
api_router.register(r"matrices", MatrixViewSet, basename="api-matrix")
