"""Isolation samples of the goal tree, matrix and trace pages and the goals API (the isolation contract
in the shared brief). Builds on the goals samples (ORDER 40): their goal, its child, KPI and period."""

from __future__ import annotations

ORDER = 46


def build(tenant, objects: dict) -> dict:
    return {}


ROUTE_KWARGS = {
    "goal-tree-children": lambda o: {"pk": o["goal"].pk},
    "goal-tree-level": lambda o: {"period_pk": o["goal"].period_id},
    "goal-edit": lambda o: {"pk": o["goal_child"].pk},
    "goal-move": lambda o: {"pk": o["goal_child"].pk},
    "goal-delete": lambda o: {"pk": o["goal_child"].pk},
    "goal-reweight": lambda o: {"pk": o["goal"].pk},
    "goal-create": lambda o: {"period_pk": o["goal"].period_id},
    "goal-reweight-top": lambda o: {"period_pk": o["goal"].period_id},
    "goal-tree-publish": lambda o: {"period_pk": o["goal"].period_id},
    "goal-tree-copy": lambda o: {"period_pk": o["goal"].period_id},
    "goal-matrix-cell": lambda o: {
        "period_pk": o["goal"].period_id,
        "unit_pk": o["goal"].org_unit_id,
        "perspective": o["kpi"].perspective,
    },
}

API_DETAIL = {
    "goal": "goal_child",
}
