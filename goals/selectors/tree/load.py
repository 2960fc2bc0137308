"""Loading a period's goal tree in one query, with scores, and cutting it to a unit."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet

from collab.models import Employee, Period
from goals.models import Goal
from goals.selectors.rollup_cache import period_rollup
from goals.selectors.scores import PeriodScores
from goals.selectors.tree.nodes import _FIELDS, Node, Tree


def load_tree(period: Period, *, with_scores: bool = True, under: str | None = None) -> Tree:
    """The period's whole tree (or the branch whose path starts with `under`): one query for the goals,
    and the period's cached roll-up for the scores (`goals.selectors.rollup_cache`)."""
    goals = Goal.objects.filter(period_id=period.pk)
    if under:
        goals = goals.filter(path__startswith=under)
    nodes, roots = linked_nodes(goals)
    if with_scores and nodes:
        add_scores(nodes.values(), period_rollup(period).scores)
    roots_sum = sum((r.weight for r in roots), Decimal("0"))
    return Tree(period=period, nodes=nodes, roots=roots, roots_sum=roots_sum)


def linked_nodes(goals: QuerySet[Goal], limit: int | None = None) -> tuple[dict[int, Node], list[Node]]:
    """The goals as Nodes (one query), each linked to its parent and children when those are among them;
    the roots are the nodes whose parent is not. `limit`: only the first goals, level by level."""
    rows = goals.order_by("depth", "order", "id").values_list(*_FIELDS)
    if limit is not None:
        rows = rows[:limit]
    nodes: dict[int, Node] = {}
    for row in rows:
        node = Node(*row)
        nodes[node.id] = node
    roots: list[Node] = []
    for node in nodes.values():  # parents come first: rows are ordered by depth
        parent = nodes.get(node.parent_id) if node.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.parent = parent
            parent.children.append(node)
            parent.children_sum += node.weight
            parent.child_count += 1
    return nodes, roots


def add_scores(nodes: Iterable[Node], scores: PeriodScores) -> None:
    for node in nodes:
        score = scores.goals.get(node.id)
        if score is not None:
            node.progress, node.band = score.progress, score.band
            node.measured, node.measured_band = score.measured, score.measured_band
            node.target, node.actual = score.target, score.actual


def restrict_to_unit(tree: Tree, unit_path: str) -> list[Node]:
    """The roots of the part of the tree an employee may read: goals of their unit and the units below it."""
    return [
        node
        for node in tree.walk()
        if node.unit_path.startswith(unit_path)
        and not (node.parent and node.parent.unit_path.startswith(unit_path))
    ]


def sibling_goals(period: Period, parent: Goal | None) -> list[Goal]:
    """The goals directly under `parent` (None: the period's top level), in tree order."""
    return list(
        Goal.objects.filter(period=period, parent=parent)
        .select_related("org_unit", "position", "kpi")
        .order_by("order", "id")
    )


def descendant_count(goal: Goal) -> int:
    """How many goals sit below `goal` (its whole subtree, itself not counted)."""
    return Goal.objects.filter(period_id=goal.period_id, path__startswith=goal.path).count() - 1


def employee_unit_path(user) -> str | None:
    """The org-unit path of the signed-in user's employee record in this tenant (None without one)."""
    return Employee.objects.filter(user=user, is_active=True).values_list("org_unit__path", flat=True).first()


__all__ = [
    "add_scores",
    "descendant_count",
    "employee_unit_path",
    "linked_nodes",
    "load_tree",
    "restrict_to_unit",
    "sibling_goals",
]
