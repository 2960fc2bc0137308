"""The goals that reach one person (an employee or a manager), for their home page.

What reaches a person: the goals of their position and of their unit; when neither holds any, the goals
of the nearest unit above theirs that holds some (a team without goals works towards its department's).
Each comes with its chain in the goal tree up to the top-level goal, so the person sees how their part
feeds the group's result, with progress and bands as on the tree page.

A fixed number of queries whatever the size of the tree: the periods (one), the goals of the person's
position, unit and the units above it (one), the goals of the chains (one), and the scores of the
branches the chains start from (two, `period_scores`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from collab.models import Employee, Period
from collab.selectors.periods import default_period
from goals.models import Goal
from goals.selectors.scores import period_scores
from goals.selectors.tree.load import add_scores, linked_nodes
from goals.selectors.tree.nodes import Node
from goals.selectors.tree.periods import periods_with_goals, tree_periods


@dataclass
class Reach:
    period: Period | None
    goals: list[Node] = field(default_factory=list)  # in tree order, each linked up to its top goal
    from_unit: str | None = None  # the unit above whose goals reach the person, when they have none

    @property
    def inherited(self) -> bool:
        return self.from_unit is not None

    @property
    def groups(self) -> list[tuple[list[Node], list[Node]]]:
        """(chain, goals): goals under the same parent share one chain, shown once."""
        groups: dict[int | None, tuple[list[Node], list[Node]]] = {}
        for node in self.goals:
            groups.setdefault(node.parent_id, (node.ancestors(), []))[1].append(node)
        return list(groups.values())


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part.isdigit()]


def _tree_order(node: Node) -> list[tuple[int, int]]:
    return [(step.order, step.id) for step in (*node.ancestors(), node)]


def goals_reaching(employee: Employee) -> Reach:
    """The goals that reach `employee` in the latest period with a tree (`default_period`)."""
    periods = tree_periods()
    with_goals = periods_with_goals(periods)
    period = default_period(periods, with_goals) if with_goals else None
    if period is None:
        return Reach(period=None)
    unit = employee.org_unit
    units_up = _ids(unit.path) or [unit.pk]  # the person's unit and every unit above it
    mine = Q(org_unit_id__in=units_up)
    if employee.position_id:  # a position may hang on another unit than the person's own
        mine |= Q(position_id=employee.position_id)
    candidates, _roots = linked_nodes(Goal.objects.filter(mine, period_id=period.pk))
    own_position = [
        n for n in candidates.values() if employee.position_id and n.position_id == employee.position_id
    ]
    own_unit = [n for n in candidates.values() if n.unit_id == unit.pk and n.position_id is None]
    reached, from_unit = own_position + own_unit, None
    if not reached:
        unit_goals = [n for n in candidates.values() if n.position_id is None]
        nearest = max(unit_goals, key=lambda n: n.unit_depth, default=None)
        if nearest is not None:
            reached = [n for n in unit_goals if n.unit_id == nearest.unit_id]
            from_unit = nearest.unit_name
    if not reached:
        return Reach(period=period)

    chain_ids = {pk for node in reached for pk in _ids(node.path)}
    nodes, _roots = linked_nodes(Goal.objects.filter(period_id=period.pk, pk__in=chain_ids))
    tops = {nodes[pk].path for pk in chain_ids if pk in nodes and nodes[pk].parent_id is None}
    branches = Q()
    for path in tops:
        branches |= Q(path__startswith=path)
    add_scores(nodes.values(), period_scores(period, Goal.objects.filter(branches, period_id=period.pk)))
    goals = sorted((nodes[n.id] for n in reached if n.id in nodes), key=_tree_order)
    return Reach(period=period, goals=goals, from_unit=from_unit)


__all__ = ["Reach", "goals_reaching"]
