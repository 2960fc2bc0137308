"""Pages of the responsibility matrices (included under /t/<slug>/ by collab/urls.py)."""

from django.urls import path

from responsibility import views

urlpatterns = [
    path("responsibility/matrices/", views.matrix_list, name="matrix-list"),
    path("responsibility/matrices/new/", views.matrix_create, name="matrix-create"),
    path("responsibility/matrices/validate/", views.matrix_validate, name="matrix-validate"),
    path("responsibility/matrices/<id:pk>/", views.matrix_detail, name="matrix-detail"),
    path("responsibility/matrices/<id:pk>/edit/", views.matrix_edit, name="matrix-edit"),
    path("responsibility/matrices/<id:pk>/new-version/", views.matrix_new_version, name="matrix-new-version"),
    path("responsibility/matrices/<id:pk>/compare/", views.matrix_compare, name="matrix-compare"),
]
