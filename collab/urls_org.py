from django.urls import path

from collab.views.platform import not_built

urlpatterns = [
    path("org/", not_built, name="org-tree"),
    path("org/positions/", not_built, name="position-list"),
    path("org/employees/", not_built, name="employee-list"),
    path("org/periods/", not_built, name="period-list"),
    path("org/import/", not_built, name="org-import"),
]
