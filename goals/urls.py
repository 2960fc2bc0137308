from django.urls import path

from collab.views.platform import not_built
from goals.views import kpis, strategy

urlpatterns = [
    path("goals/strategy-map/", strategy.strategy_map_page, name="strategy-map"),
    path("goals/objectives/new/", strategy.objective_create, name="objective-create"),
    path("goals/objectives/<id:pk>/edit/", strategy.objective_edit, name="objective-edit"),
    path("goals/objectives/<id:pk>/delete/", strategy.objective_delete, name="objective-delete"),
    path("goals/objective-links/new/", strategy.objective_link_create, name="objective-link-create"),
    path(
        "goals/objective-links/<id:pk>/delete/", strategy.objective_link_delete, name="objective-link-delete"
    ),
    path("goals/kpis/", kpis.kpi_list, name="kpi-list"),
    path("goals/kpis/new/", kpis.kpi_create, name="kpi-create"),
    path("goals/kpis/export/", kpis.kpi_export, name="kpi-export"),
    path("goals/kpis/import/", kpis.kpi_import, name="kpi-import"),
    path("goals/kpis/<id:pk>/edit/", kpis.kpi_edit, name="kpi-edit"),
    path("goals/kpis/<id:pk>/delete/", kpis.kpi_delete, name="kpi-delete"),
    path("goals/tree/", not_built, name="goal-tree"),
]

# Measurements (grid, import, export) of one period.
from goals.views import measurements as measurement_views  # noqa: E402

urlpatterns += [
    path("goals/measurements/", measurement_views.measurement_index, name="measurement-index"),
    path("goals/measurements/<id:period_pk>/", measurement_views.measurement_grid, name="measurement-grid"),
    path(
        "goals/measurements/<id:period_pk>/import/",
        measurement_views.measurement_import,
        name="measurement-import",
    ),
    path(
        "goals/measurements/<id:period_pk>/export/",
        measurement_views.measurement_export,
        name="measurement-export",
    ),
    path(
        "goals/measurements/<id:period_pk>/kpi/<id:kpi_pk>/",
        measurement_views.measurement_row,
        name="measurement-row",
    ),
]
