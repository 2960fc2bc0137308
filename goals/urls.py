from django.urls import path

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
]

# Goal decomposition tree, matrix and trace (goals/views/tree/).
from goals.views.tree import builder, matrix, page, trace, whole_tree  # noqa: E402

urlpatterns += [
    path("goals/tree/", page.goal_tree, name="goal-tree"),
    path("goals/tree/node/<id:pk>/children/", page.goal_tree_children, name="goal-tree-children"),
    path("goals/tree/<id:period_pk>/level/", page.goal_tree_level, name="goal-tree-level"),
    path("goals/tree/node/<id:pk>/edit/", builder.goal_edit, name="goal-edit"),
    path("goals/tree/node/<id:pk>/move/", builder.goal_move, name="goal-move"),
    path("goals/tree/node/<id:pk>/delete/", builder.goal_delete, name="goal-delete"),
    path("goals/tree/node/<id:pk>/reweight/", whole_tree.goal_reweight, name="goal-reweight"),
    path("goals/tree/position-options/", builder.goal_position_options, name="goal-position-options"),
    path("goals/tree/<id:period_pk>/add/", builder.goal_create, name="goal-create"),
    path("goals/tree/<id:period_pk>/reweight/", whole_tree.goal_reweight_top, name="goal-reweight-top"),
    path("goals/tree/<id:period_pk>/publish/", whole_tree.goal_tree_publish, name="goal-tree-publish"),
    path("goals/tree/<id:period_pk>/copy/", whole_tree.goal_tree_copy, name="goal-tree-copy"),
    path("goals/matrix/", matrix.goal_matrix, name="goal-matrix"),
    path(
        "goals/matrix/<id:period_pk>/<id:unit_pk>/<slug:perspective>/",
        matrix.goal_matrix_cell,
        name="goal-matrix-cell",
    ),
    path("goals/trace/", trace.goal_trace, name="goal-trace"),
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

# API resources (included under /api/v1/t/<slug>/ by collab/urls.py).
from collab.api import tenant_router  # noqa: E402
from goals.api.library import KPIViewSet, ObjectiveLinkViewSet, ObjectiveViewSet  # noqa: E402
from goals.api.measurements import MeasurementViewSet  # noqa: E402
from goals.api.tree.branches import GoalBranchViewSet  # noqa: E402
from goals.api.tree.viewset import GoalViewSet  # noqa: E402

api_router = tenant_router()
# Basename "api-kpi", not "kpi": the router would name the list "kpi-list", which is the KPI library page.
api_router.register(r"kpis", KPIViewSet, basename="api-kpi")
api_router.register(r"objectives", ObjectiveViewSet, basename="objective")
api_router.register(r"objective-links", ObjectiveLinkViewSet, basename="objective-link")
api_router.register("measurements", MeasurementViewSet, basename="measurement")
api_router.register(r"goals", GoalViewSet, basename="goal")
api_router.register(r"goal-tree", GoalBranchViewSet, basename="goal-branch")
