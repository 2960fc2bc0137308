"""Tracing a KPI or goal down the tree: who contributes, who is responsible, how much crosses units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from collab.selectors.org import distinct_unit_labels
from goals.selectors.tree.nodes import Node, Tree


@dataclass
class Contribution:
    node: Node
    root: Node
    chain: list[Node]  # from the trace root down to the node's parent
    share: float  # the node's weight among its siblings, in %
    effective: float  # product of the shares from the trace root down to this node, in %
    reasons: list[str]
    # The unit's name, with its parent's where another unit of the trace has it too and the path above
    # does not already show that parent; the chain's holders are told apart the same way.
    unit_label: str = ""
    chain_labels: list[str] = field(default_factory=list)

    @property
    def cross_department(self) -> bool:
        return bool(self.reasons)


@dataclass
class Responsible:
    unit_id: int
    unit_name: str
    unit_code: str
    unit_label: str
    position_title: str | None
    effective: float  # Σ effective weight of the leaves this unit/position holds, in %
    goals: int
    cross_department: bool


def unit_labels(nodes: Iterable[Node]) -> dict[int, str]:
    """{unit id: label} of these nodes' units, told apart where names repeat (`distinct_unit_labels`)."""
    units = {node.unit_id: (node.unit_name, node.unit_parent_name, node.unit_code) for node in nodes}
    return distinct_unit_labels((pk, *unit) for pk, unit in units.items())


def _unit_in_path(node: Node, above: Node | None, labels: dict[int, str]) -> str:
    """The unit's label, or its bare name where the step just above in the path is its parent unit
    (the path already says which "Finance" it is)."""
    if above is not None and above.unit_name == node.unit_parent_name:
        return node.unit_name
    return labels.get(node.unit_id, node.unit_name)


def _holder_in_path(node: Node, above: Node | None, labels: dict[int, str]) -> str:
    unit = _unit_in_path(node, above, labels)
    return f"{unit} / {node.position_title}" if node.position_title else unit


@dataclass
class Trace:
    roots: list[Node]
    contributions: list[Contribution]
    responsible: list[Responsible]
    units: int
    positions: int
    cross_share: float  # % of the result carried by cross-department leaves

    @property
    def leaves(self) -> list[Contribution]:
        return [c for c in self.contributions if c.node.is_leaf]


REASON_COLLABORATIVE = "collaborative"
REASON_OTHER_DEPARTMENT = "other_department"


def trace_kpis(tree: Tree) -> list[dict]:
    """KPIs of the period's tree, the highest-placed first (group-level KPIs lead the picker)."""
    seen: dict[int, dict] = {}
    for node in tree.nodes.values():
        entry = seen.get(node.kpi_id)
        if entry is None:
            seen[node.kpi_id] = {
                "id": node.kpi_id, "code": node.kpi_code, "name": node.kpi_name, "depth": node.depth,
                "goals": 1, "collaborative": node.collaborative,
            }
        else:
            entry["goals"] += 1
            entry["depth"] = min(entry["depth"], node.depth)
    return sorted(seen.values(), key=lambda k: (k["depth"], k["code"]))


def trace_roots(tree: Tree, *, kpi_id: int | None = None, goal_id: int | None = None) -> list[Node]:
    """Where a trace starts: the goal itself, or the top-most goals holding the KPI."""
    if goal_id is not None:
        node = tree.nodes.get(goal_id)
        return [node] if node is not None else []
    holders = {n.id for n in tree.nodes.values() if n.kpi_id == kpi_id}
    roots = []
    for node in tree.walk():
        if node.id in holders and not any(a.id in holders for a in node.ancestors()):
            roots.append(node)
    return roots


def _reasons(node: Node) -> list[str]:
    reasons = []
    if node.collaborative:
        reasons.append(REASON_COLLABORATIVE)
    if node.outside_owner:
        reasons.append(REASON_OTHER_DEPARTMENT)
    return reasons


def trace(tree: Tree, roots: list[Node]) -> Trace:
    """Every goal below the trace roots with its path and effective weight (Σ over the leaves = 100 %
    per root when every sibling group is weighted), and who carries which part of the result."""
    contributions: list[Contribution] = []
    for root in roots:
        stack: list[tuple[Node, list[Node], float, float]] = [(root, [], 100.0, 100.0)]
        while stack:
            node, chain, share, effective = stack.pop()
            contributions.append(Contribution(node, root, chain, share, effective, _reasons(node)))
            total = float(node.children_sum)
            below = [*chain, node]
            for child in reversed(node.children):
                child_share = float(child.weight) * 100.0 / total if total > 0 else 0.0
                stack.append((child, below, child_share, effective * child_share / 100.0))
    labels = unit_labels(c.node for c in contributions)
    for c in contributions:
        c.unit_label = _unit_in_path(c.node, c.chain[-1] if c.chain else None, labels)
        c.chain_labels = [
            _holder_in_path(step, c.chain[i - 1] if i else None, labels) for i, step in enumerate(c.chain)
        ]
    holders: dict[tuple[int, int | None], Responsible] = {}
    cross = 0.0
    for c in contributions:
        if not c.node.is_leaf:
            continue
        key = (c.node.unit_id, c.node.position_id)
        entry = holders.get(key)
        if entry is None:
            entry = holders[key] = Responsible(
                c.node.unit_id, c.node.unit_name, c.node.unit_code, labels[c.node.unit_id],
                c.node.position_title, 0.0, 0, False,
            )
        entry.effective += c.effective
        entry.goals += 1
        entry.cross_department = entry.cross_department or c.cross_department
        if c.cross_department:
            cross += c.effective
    responsible = sorted(holders.values(), key=lambda r: (-r.effective, r.unit_label, r.position_title or ""))
    return Trace(
        roots=roots,
        contributions=contributions,
        responsible=responsible,
        units=len({c.node.unit_id for c in contributions}),
        positions=len({c.node.position_id for c in contributions if c.node.position_id}),
        cross_share=cross / max(len(roots), 1),
    )


__all__ = [
    "Trace",
    "trace",
    "trace_kpis",
    "trace_roots",
    "unit_labels",
]
