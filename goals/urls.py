from django.urls import path

from collab.views.platform import not_built

urlpatterns = [
    path("goals/strategy-map/", not_built, name="strategy-map"),
    path("goals/kpis/", not_built, name="kpi-list"),
    path("goals/tree/", not_built, name="goal-tree"),
]
