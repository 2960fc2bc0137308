from django.urls import path

from collab.views import directory as directory_views
from collab.views import org as views

urlpatterns = [
    path("people/", directory_views.directory, name="directory"),
    path("org/", views.org_tree, name="org-tree"),
    path("org/units/new/", views.org_unit_create, name="org-unit-create"),
    path("org/units/<id:pk>/children/", views.org_tree_children, name="org-tree-children"),
    path("org/units/<id:pk>/edit/", views.org_unit_edit, name="org-unit-edit"),
    path("org/units/<id:pk>/move/", views.org_unit_move, name="org-unit-move"),
    path("org/units/<id:pk>/delete/", views.org_unit_delete, name="org-unit-delete"),
    path("org/positions/", views.position_list, name="position-list"),
    path("org/positions/new/", views.position_create, name="position-create"),
    path("org/positions/<id:pk>/edit/", views.position_edit, name="position-edit"),
    path("org/positions/<id:pk>/delete/", views.position_delete, name="position-delete"),
    path("org/employees/", views.employee_list, name="employee-list"),
    path("org/employees/new/", views.employee_create, name="employee-create"),
    path(
        "org/employees/position-options/", views.employee_position_options, name="employee-position-options"
    ),
    path("org/employees/<id:pk>/edit/", views.employee_edit, name="employee-edit"),
    path("org/employees/<id:pk>/delete/", views.employee_delete, name="employee-delete"),
    path("org/periods/", views.period_list, name="period-list"),
    path("org/periods/new/", views.period_create, name="period-create"),
    path("org/periods/<id:pk>/edit/", views.period_edit, name="period-edit"),
    path("org/periods/<id:pk>/advance/", views.period_advance, name="period-advance"),
    path("org/periods/<id:pk>/delete/", views.period_delete, name="period-delete"),
    path("org/import/", views.org_import, name="org-import"),
]
