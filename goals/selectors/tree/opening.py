"""Where the goal tree page opens for a reader: the top levels, their own unit's part, or one goal.

HR admins, committee members and auditors open on the top levels; a manager on their unit's part (the top
levels when it holds no goal); an employee may read only their unit's part (`goals.access`) and opens on
it. A focused goal opens on itself with the chain above it. Each shows one page of the top list, one
level opened below it (collapsed children with their counts) — never the whole period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collab.models import Period
from goals.models import Goal
from goals.selectors.rollup_cache import PeriodRollup, period_rollup
from goals.selectors.tree import branches
from goals.selectors.tree.load import add_scores, employee_unit_path, linked_nodes
from goals.selectors.tree.nodes import CHART_BUDGET, Node
from goals.selectors.tree.trace import unit_labels

SCOPE_TOP = "top"
SCOPE_MINE = "mine"
SCOPES = (SCOPE_TOP, SCOPE_MINE)


@dataclass
class Opening:
    rollup: PeriodRollup
    scope: str
    level: branches.Level
    above: list[list[Node]] = field(default_factory=list)
    focus: Node | None = None
    goal_count: int = 0
    has_part: bool = False  # the reader's unit holds goals of its own in this period


def _part(period: Period, user) -> tuple[str | None, list[str]]:
    """The reader's unit path and the paths of their part's top goals (one query each)."""
    unit_path = employee_unit_path(user)
    if unit_path is None:
        return None, []
    paths = list(branches.part_goals(period, unit_path).order_by("path").values_list("path", flat=True))
    return unit_path, paths


def top_level(period: Period, rollup: PeriodRollup, scope: str, part_paths: list[str],
              offset: int = 0, limit: int = branches.CHILDREN_PAGE) -> branches.Level:
    """A page of the top list of a scope: the period's top goals, or the top goals of a part."""
    if scope == SCOPE_MINE:
        goals = Goal.objects.filter(period_id=period.pk, path__in=part_paths)
        return branches.level(goals, len(part_paths), rollup, offset, limit)
    return branches.children_level(period, None, rollup, offset, limit)


def part_paths_of(period: Period, user) -> list[str]:
    return _part(period, user)[1]


def opening(period: Period, user, *, whole_tree: bool, scope: str | None, focus: Goal | None,
            prefer_mine: bool = False, offset: int = 0) -> Opening | None:
    """What the page opens on; None when the reader may read nothing (an employee without a unit).
    `whole_tree`: the reader may read it all; `prefer_mine`: such a reader opens on their part (a manager)."""
    rollup = period_rollup(period)
    # A reader of the whole tree opening on one goal needs no part (nor its two queries).
    unit_path, part_paths = (None, []) if whole_tree and focus is not None else _part(period, user)
    if not whole_tree and unit_path is None:
        return None
    if not whole_tree:
        scope = SCOPE_MINE
    elif scope not in SCOPES:
        scope = SCOPE_MINE if prefer_mine and part_paths else SCOPE_TOP
    if scope == SCOPE_MINE and whole_tree and not part_paths:
        scope = SCOPE_TOP
    if whole_tree:
        count = rollup.goals
    else:
        count = branches.in_part(Goal.objects.filter(period_id=period.pk), part_paths).count()
    result = Opening(rollup=rollup, scope=scope, level=branches.Level([], 0, 0, None), goal_count=count,
                     has_part=bool(part_paths))
    if focus is not None:
        node = branches.goal_node(focus, rollup)
        result.focus = node
        result.level = branches.Level([node], 1, 0, None)
        result.above = [branches.chain_above(node, rollup)] if node.parent_id else []
    else:
        result.level = top_level(period, rollup, scope, part_paths, offset)
        if scope == SCOPE_MINE:
            result.above = branches.chains_above(result.level.nodes, rollup)
    branches.open_one_level(result.level.nodes, rollup)
    return result




def search(period: Period, user, *, whole_tree: bool, query: str):
    """The goals matching `query` that the reader may read, in tree order: a queryset of ids and paths to
    page by keyset (its order is the path)."""
    goals = branches.search_goals(period, query)
    if not whole_tree:
        goals = branches.in_part(goals, part_paths_of(period, user))
    return goals.only("id", "path")


def off_group_rows(rollup: PeriodRollup, shown: int = 10) -> list[dict]:
    """Each sibling group off 100: its parent goal (id and label; None for the top level) and sum, the first
    `shown` labelled (one query). The labels tell apart same-named units: the list has no tree around it."""
    groups = rollup.off_groups()
    parents = [parent for parent, _total in groups[:shown] if parent is not None]
    found = branches.nodes_of(Goal.objects.filter(pk__in=parents), rollup) if parents else []
    nodes = {n.id: n for n in found}
    labels = unit_labels(nodes.values())
    return [
        {"parent": parent, "label": nodes[parent].label_with(labels) if parent in nodes else None,
         "total": total}
        for parent, total in groups
    ]


def visible_goals(period: Period, user, *, whole_tree: bool, focus: Goal | None):
    """The goals the chart and the table may show (a queryset; None: nothing, an employee without a unit):
    the focused branch, the whole period, or the employee's part."""
    goals = Goal.objects.filter(period_id=period.pk)
    if focus is not None:
        return goals.filter(path__startswith=focus.path)
    if whole_tree:
        return goals
    unit_path, paths = _part(period, user)
    return None if unit_path is None else branches.in_part(goals, paths)


@dataclass
class ChartTree:
    roots: list[Node]
    truncated: bool  # goals below the drawn ones were left out


def chart_tree(goals, rollup: PeriodRollup, budget: int = CHART_BUDGET) -> ChartTree:
    """The upper `budget` goals of `goals`, level by level, linked, with their scores: one query."""
    nodes, roots = linked_nodes(goals, limit=budget + 1)
    truncated = len(nodes) > budget
    if truncated:  # the last one only says there is more
        last = list(nodes.values())[-1]
        nodes.pop(last.id)
        if last.parent is not None:
            last.parent.children.remove(last)
        else:
            roots.remove(last)
    add_scores(nodes.values(), rollup.scores)
    for node in nodes.values():
        truncated = truncated or len(node.children) < rollup.child_counts.get(node.id, 0)
    return ChartTree(roots=roots, truncated=truncated)


def table_goals(period: Period, goals, query: str, perspective: str):
    """The goals of the table view: `goals` matching the search and the perspective, in path order (ids and
    paths, to page by keyset)."""
    goals = branches.search_goals(period, query, goals)
    if perspective:
        goals = goals.filter(kpi__perspective=perspective)
    return goals.only("id", "path")


__all__ = [
    "SCOPES",
    "SCOPE_MINE",
    "SCOPE_TOP",
    "ChartTree",
    "Opening",
    "chart_tree",
    "off_group_rows",
    "opening",
    "part_paths_of",
    "search",
    "table_goals",
    "top_level",
    "visible_goals",
]
