"""The goal tree read a branch at a time: the levels a page opens on, one node's children (paged), the
chain above a goal and a search — each a query or two over the goals it shows, with scores from the
period's cached roll-up (`goals.selectors.rollup_cache`). Nothing here loads or rolls up the whole period.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from collab.models import Period
from goals.models import Goal
from goals.selectors.rollup_cache import PeriodRollup
from goals.selectors.tree.nodes import _FIELDS, RENDER_BUDGET, Node

CHILDREN_PAGE = 50  # children of one node shown at once; "show more" loads the next
SEARCH_PAGE = 20


@dataclass
class Level:
    """One page of a sibling list: `nodes` from `offset`, `total` in all; `next_offset` None at the end."""

    nodes: list[Node]
    total: int
    offset: int
    next_offset: int | None


def _decorate(node: Node, rollup: PeriodRollup) -> Node:
    score = rollup.scores.goals.get(node.id)
    if score is not None:
        node.progress, node.band = score.progress, score.band
        node.measured, node.measured_band = score.measured, score.measured_band
        node.target, node.actual = score.target, score.actual
    node.child_count = rollup.child_counts.get(node.id, 0)
    node.children_sum = rollup.child_sums.get(node.id, Decimal("0"))
    return node


def nodes_of(goals: QuerySet[Goal], rollup: PeriodRollup) -> list[Node]:
    """The goals as Nodes with their scores and sibling-group figures: one query."""
    return [_decorate(Node(*row), rollup) for row in goals.values_list(*_FIELDS)]


def _ordered(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    return goals.order_by("order", "id")


def part_goals(period: Period, unit_path: str) -> QuerySet[Goal]:
    """The top goals of a unit's part of the tree: goals of the unit or one below it whose parent is not."""
    return Goal.objects.filter(period_id=period.pk, org_unit__path__startswith=unit_path).exclude(
        parent__org_unit__path__startswith=unit_path
    )


def in_part(goals: QuerySet[Goal], part_paths: list[str]) -> QuerySet[Goal]:
    """Only goals at or below one of the part's top goals (`part_paths`: their paths)."""
    if not part_paths:
        return goals.none()
    match = Q()
    for path in part_paths:
        match |= Q(path__startswith=path)
    return goals.filter(match)


def level(goals: QuerySet[Goal], total: int, rollup: PeriodRollup, offset: int = 0,
          limit: int = CHILDREN_PAGE) -> Level:
    """A page of a sibling list (`goals`: the whole list, unordered; `total`: its size): one query."""
    offset = max(0, min(offset, total))
    nodes = nodes_of(_ordered(goals)[offset:offset + limit], rollup)
    end = offset + len(nodes)
    return Level(nodes=nodes, total=total, offset=offset, next_offset=end if end < total else None)


def children_level(period: Period, parent_id: int | None, rollup: PeriodRollup, offset: int = 0,
                   limit: int = CHILDREN_PAGE) -> Level:
    """A page of the children of a goal (None: the period's top goals): one query."""
    goals = Goal.objects.filter(period_id=period.pk, parent_id=parent_id)
    return level(goals, rollup.child_counts.get(parent_id, 0), rollup, offset, limit)


def open_one_level(nodes: list[Node], rollup: PeriodRollup, budget: int = RENDER_BUDGET) -> None:
    """Load the children of these nodes (collapsed, with their counts) when they all fit the budget and
    no node has more than a page of them: one query, or none."""
    wanted = [n for n in nodes if 0 < n.child_count <= CHILDREN_PAGE]
    if not wanted or len(nodes) + sum(n.child_count for n in wanted) > budget:
        return
    by_id = {n.id: n for n in wanted}
    goals = Goal.objects.filter(parent_id__in=list(by_id)).order_by("parent_id", "order", "id")
    for child in nodes_of(goals, rollup):
        parent = by_id[child.parent_id]
        child.parent = parent
        parent.children.append(child)


def chain_above(node: Node, rollup: PeriodRollup) -> list[Node]:
    """The goals above `node`, top first: one query (none for a top goal)."""
    ids = [int(part) for part in node.path.strip("/").split("/")[:-1] if part]
    if not ids:
        return []
    found = {n.id: n for n in nodes_of(Goal.objects.filter(pk__in=ids), rollup)}
    return [found[i] for i in ids if i in found]


def chains_above(nodes: list[Node], rollup: PeriodRollup) -> list[list[Node]]:
    """The chain above each node, each chain once (siblings share theirs): one query for all."""
    wanted: dict[int, list[int]] = {}
    for node in nodes:
        ids = [int(part) for part in node.path.strip("/").split("/")[:-1] if part]
        if ids and ids[-1] not in wanted:
            wanted[ids[-1]] = ids
    if not wanted:
        return []
    every = {i for ids in wanted.values() for i in ids}
    found = {n.id: n for n in nodes_of(Goal.objects.filter(pk__in=every), rollup)}
    return [[found[i] for i in ids if i in found] for ids in wanted.values()]


def goal_node(goal: Goal, rollup: PeriodRollup) -> Node:
    """One goal as a Node: one query."""
    return nodes_of(Goal.objects.filter(pk=goal.pk), rollup)[0]


def search_goals(period: Period, query: str, goals: QuerySet[Goal] | None = None) -> QuerySet[Goal]:
    """The period's goals (or these `goals`) whose unit (name, code), position or KPI (code, name) holds
    `query`, in path order."""
    needle = query.strip()
    goals = Goal.objects.filter(period_id=period.pk) if goals is None else goals
    if needle:
        goals = goals.filter(
            Q(org_unit__name__icontains=needle) | Q(org_unit__code__icontains=needle)
            | Q(position__title__icontains=needle) | Q(kpi__code__icontains=needle)
            | Q(kpi__name__icontains=needle)
        )
    return goals.order_by("path")


@dataclass
class Found:
    node: Node
    path: list[Node]  # the goals above it, top first


def found_with_paths(goal_ids: list[int], rollup: PeriodRollup) -> list[Found]:
    """Search results (a page of goal ids) as nodes with the chain above each: two queries."""
    nodes = nodes_of(Goal.objects.filter(pk__in=goal_ids), rollup)
    by_id = {n.id: n for n in nodes}
    above: set[int] = set()
    for node in nodes:
        above.update(int(part) for part in node.path.strip("/").split("/")[:-1] if part)
    steps = {n.id: n for n in nodes_of(Goal.objects.filter(pk__in=above), rollup)} if above else {}
    out = []
    for goal_id in goal_ids:
        node = by_id.get(goal_id)
        if node is None:
            continue
        ids = [int(part) for part in node.path.strip("/").split("/")[:-1] if part]
        out.append(Found(node, [steps[i] for i in ids if i in steps]))
    return out


__all__ = [
    "CHILDREN_PAGE",
    "SEARCH_PAGE",
    "Found",
    "Level",
    "chain_above",
    "chains_above",
    "children_level",
    "found_with_paths",
    "goal_node",
    "in_part",
    "level",
    "nodes_of",
    "open_one_level",
    "part_goals",
    "search_goals",
]
