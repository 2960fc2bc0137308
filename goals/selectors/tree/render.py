"""The goal tree for display: the flattened nested list, the chart data and the table rows."""

from __future__ import annotations

from dataclasses import dataclass

from goals.engine.common import BAND_AMBER, BAND_GREEN, BAND_NONE, BAND_RED
from goals.selectors.tree.nodes import CHART_BUDGET, RENDER_BUDGET, Node, Tree


@dataclass(frozen=True)
class Item:
    """One entry of a flattened tree: "open" (a list of children starts), "node" or "close"."""

    kind: str
    node: Node | None = None
    expanded: bool = False


def tree_items(roots: list[Node], budget: int = RENDER_BUDGET) -> list[Item]:
    """Flatten the visible part of the tree for a non-recursive template.

    Nodes are taken breadth-first until `budget` is spent: a node is expanded only when all its children
    fit, so every rendered list of siblings is complete; collapsed branches load on demand.
    """
    expanded: set[int] = set()
    used = len(roots)
    queue = list(roots)
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        if node.children and used + len(node.children) <= budget:
            expanded.add(node.id)
            used += len(node.children)
            queue.extend(node.children)
    items: list[Item] = []
    stack: list[object] = list(reversed(roots))
    while stack:
        entry = stack.pop()
        if entry == "close":
            items.append(Item("close"))
            continue
        node = entry  # type: ignore[assignment]
        is_open = node.id in expanded
        items.append(Item("node", node, is_open))
        if is_open:
            items.append(Item("open", node))
            stack.append("close")
            stack.extend(reversed(node.children))
    return items


def chart_data(tree: Tree, roots: list[Node], title: str, budget: int = CHART_BUDGET) -> dict:
    """Nested data for the ECharts tree series (one virtual root holding the period's top goals)."""
    included: set[int] = set()
    used = 0
    queue = list(roots)
    head = 0
    while head < len(queue) and used < budget:
        node = queue[head]
        head += 1
        included.add(node.id)
        used += 1
        queue.extend(node.children)

    def build(node: Node) -> dict:
        label = node.holder
        value = "—" if node.progress is None else f"{node.progress:.1f}"
        data = {
            "name": f"{label}\n{node.kpi_code} · {value}",
            "value": node.progress,
            "id": node.id,
            "itemStyle": {"color": BAND_COLOURS.get(node.band, BAND_COLOURS[BAND_NONE])},
        }
        kids = [build(child) for child in node.children if child.id in included]
        if kids:
            data["children"] = kids
            data["collapsed"] = node.depth >= 2
        return data

    children = [build(r) for r in roots if r.id in included]
    # Truncated when goals below the roots were left out (not when the roots are only part of the tree).
    return {"name": title, "children": children, "truncated": head < len(queue)}


BAND_COLOURS = {
    BAND_GREEN: "#198754",
    BAND_AMBER: "#ffc107",
    BAND_RED: "#dc3545",
    BAND_NONE: "#adb5bd",
}


def table_rows(tree: Tree, roots: list[Node], query: str = "", perspective: str = "") -> list[Node]:
    """The tree in reading order, filtered by a search on unit, position or KPI and by perspective."""
    needle = query.strip().lower()
    rows = []
    for node in tree.walk(roots):
        if perspective and node.perspective != perspective:
            continue
        if needle and needle not in " ".join(
            (node.unit_name, node.unit_code, node.position_title or "", node.kpi_code, node.kpi_name)
        ).lower():
            continue
        rows.append(node)
    return rows


__all__ = [
    "chart_data",
    "table_rows",
    "tree_items",
]
