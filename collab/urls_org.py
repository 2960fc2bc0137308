from django.urls import path

from collab.views import directory as directory_views
from collab.views.org import employees, imports, periods, positions, units

urlpatterns = [
    path("people/", directory_views.directory, name="directory"),
    path("org/", units.org_tree, name="org-tree"),
    path("org/units/new/", units.org_unit_create, name="org-unit-create"),
    path("org/units/<id:pk>/children/", units.org_tree_children, name="org-tree-children"),
    path("org/units/<id:pk>/edit/", units.org_unit_edit, name="org-unit-edit"),
    path("org/units/<id:pk>/move/", units.org_unit_move, name="org-unit-move"),
    path("org/units/<id:pk>/delete/", units.org_unit_delete, name="org-unit-delete"),
    path("org/positions/", positions.position_list, name="position-list"),
    path("org/positions/new/", positions.position_create, name="position-create"),
    path("org/positions/<id:pk>/edit/", positions.position_edit, name="position-edit"),
    path("org/positions/<id:pk>/delete/", positions.position_delete, name="position-delete"),
    path("org/employees/", employees.employee_list, name="employee-list"),
    path("org/employees/new/", employees.employee_create, name="employee-create"),
    path(
        "org/employees/position-options/",
        employees.employee_position_options,
        name="employee-position-options",
    ),
    path("org/employees/<id:pk>/edit/", employees.employee_edit, name="employee-edit"),
    path("org/employees/<id:pk>/delete/", employees.employee_delete, name="employee-delete"),
    path("org/periods/", periods.period_list, name="period-list"),
    path("org/periods/new/", periods.period_create, name="period-create"),
    path("org/periods/<id:pk>/edit/", periods.period_edit, name="period-edit"),
    path("org/periods/<id:pk>/advance/", periods.period_advance, name="period-advance"),
    path("org/periods/<id:pk>/delete/", periods.period_delete, name="period-delete"),
    path("org/import/", imports.org_import, name="org-import"),
]
