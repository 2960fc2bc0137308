"""Reads of the goal decomposition tree: the nested tree, the units × perspectives matrix and the trace.

A period's whole tree is loaded once (`load_tree`: one query for the goals with their unit, position and
KPI, plus the two of `goals.selectors.scores.period_scores` for progress) and every view is built from
it in Python: the number of queries never grows with the tree. Templates never recurse: `tree_items`
flattens the visible part of the tree into a list of open/node/close items that a template renders
with a plain loop, and only a bounded number of nodes is rendered at once (deeper branches load on
demand).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from collab.models import AuditEvent, Employee, Period
from collab.selectors.org import distinct_unit_labels
from collab.selectors.periods import period_order
from goals import engine
from goals.models import Goal, Perspective
from goals.selectors.scores import BAND_CSS, BAND_LABELS, PeriodScores, period_scores
from goals.services.tree import ACTION_PUBLISH, HUNDRED, TREE_CHANGE_ACTIONS, sibling_groups_off

RENDER_BUDGET = 200  # nodes rendered in one page or fragment of the nested tree
CHART_BUDGET = 400  # nodes drawn in the tree chart

_FIELDS = (
    "id",
    "parent_id",
    "path",
    "depth",
    "weight",
    "order",
    "lock_version",
    "org_unit_id",
    "org_unit__name",
    "org_unit__code",
    "org_unit__kind",
    "org_unit__path",
    "org_unit__depth",
    "position_id",
    "position__title",
    "kpi_id",
    "kpi__code",
    "kpi__name",
    "kpi__unit",
    "kpi__perspective",
    "kpi__is_collaborative",
    "kpi__direction",
    "kpi__owner_unit_id",
    "kpi__owner_unit__name",
    "kpi__owner_unit__path",
    "org_unit__parent__name",
)


@dataclass(eq=False)
class Node:
    """One goal of the tree with what every view shows of it."""

    id: int
    parent_id: int | None
    path: str
    depth: int
    weight: Decimal
    order: int
    lock_version: int
    unit_id: int
    unit_name: str
    unit_code: str
    unit_kind: str
    unit_path: str
    unit_depth: int
    position_id: int | None
    position_title: str | None
    kpi_id: int
    kpi_code: str
    kpi_name: str
    kpi_unit: str
    perspective: str
    collaborative: bool
    direction: str
    owner_id: int
    owner_name: str
    owner_path: str
    unit_parent_name: str | None  # tells apart units of the same name (each subsidiary's "Finance")
    progress: float | None = None
    band: str = engine.BAND_NONE
    measured: float | None = None
    measured_band: str = engine.BAND_NONE
    target: float | None = None
    actual: float | None = None
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    children_sum: Decimal = Decimal("0")

    @property
    def holder(self) -> str:
        return f"{self.unit_name} / {self.position_title}" if self.position_title else self.unit_name

    @property
    def label(self) -> str:
        return f"{self.holder} · {self.kpi_code} {self.kpi_name}"

    def label_with(self, unit_labels: dict[int, str]) -> str:
        """The label with the unit named as in `unit_labels` (see `unit_labels`)."""
        unit = unit_labels.get(self.unit_id, self.unit_name)
        holder = f"{unit} / {self.position_title}" if self.position_title else unit
        return f"{holder} · {self.kpi_code} {self.kpi_name}"

    @property
    def band_css(self) -> str:
        return BAND_CSS.get(self.band, "secondary")

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band, BAND_LABELS[engine.BAND_NONE])

    @property
    def measured_css(self) -> str:
        return BAND_CSS.get(self.measured_band, "secondary")

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def children_ok(self) -> bool:
        return not self.children or self.children_sum == HUNDRED

    @property
    def outside_owner(self) -> bool:
        """The goal's unit answers for a KPI owned by another department: neither the owner's unit (or one
        below it) nor a unit above the owner (a group holding its subsidiary's KPI is not "another")."""
        owner = self.owner_path or "\x00"
        return not (self.unit_path.startswith(owner) or owner.startswith(self.unit_path))

    @property
    def cross_department(self) -> bool:
        return self.collaborative or self.outside_owner

    def ancestors(self) -> list[Node]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        return chain


@dataclass
class Tree:
    period: Period
    nodes: dict[int, Node]
    roots: list[Node]
    roots_sum: Decimal

    def __len__(self) -> int:
        return len(self.nodes)

    def walk(self, roots: Iterable[Node] | None = None) -> Iterable[Node]:
        """Depth-first, siblings by order: the tree's reading order."""
        stack = list(reversed(list(self.roots if roots is None else roots)))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def off_groups(self) -> list[tuple[Node | None, Decimal]]:
        """Sibling groups whose weights do not add up to 100: (parent or None for the top, sum)."""
        groups: list[tuple[Node | None, Decimal]] = []
        if self.roots and self.roots_sum != HUNDRED:
            groups.append((None, self.roots_sum))
        groups.extend((n, n.children_sum) for n in self.walk() if n.children and n.children_sum != HUNDRED)
        return groups


# --------------------------------------------------------------------------------------------- loading


def load_tree(period: Period, *, with_scores: bool = True, under: str | None = None) -> Tree:
    """The period's whole tree (or the branch whose path starts with `under`): one query for the goals,
    two for the scores."""
    goals = Goal.objects.filter(period_id=period.pk)
    if under:
        goals = goals.filter(path__startswith=under)
    nodes, roots = linked_nodes(goals)
    if with_scores and nodes:
        add_scores(nodes.values(), period_scores(period, goals if under else None))
    roots_sum = sum((r.weight for r in roots), Decimal("0"))
    return Tree(period=period, nodes=nodes, roots=roots, roots_sum=roots_sum)


def linked_nodes(goals: QuerySet[Goal]) -> tuple[dict[int, Node], list[Node]]:
    """The goals as Nodes (one query), each linked to its parent and children when those are among them;
    the roots are the nodes whose parent is not."""
    rows = goals.order_by("depth", "order", "id").values_list(*_FIELDS)
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


def employee_unit_path(user) -> str | None:
    """The org-unit path of the signed-in user's employee record in this tenant (None without one)."""
    return Employee.objects.filter(user=user, is_active=True).values_list("org_unit__path", flat=True).first()


# --------------------------------------------------------------------------------------------- rendering


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
            "itemStyle": {"color": BAND_COLOURS.get(node.band, BAND_COLOURS[engine.BAND_NONE])},
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
    engine.BAND_GREEN: "#198754",
    engine.BAND_AMBER: "#ffc107",
    engine.BAND_RED: "#dc3545",
    engine.BAND_NONE: "#adb5bd",
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


# --------------------------------------------------------------------------------------------- periods


def tree_periods() -> list[Period]:
    """Every period, newest first, each with `has_goals` (one query)."""
    return list(Period.objects.annotate(has_goals=Exists(Goal.objects.filter(period_id=OuterRef("pk")))))


def periods_with_goals(periods: list[Period]) -> set[int]:
    """The ids of `periods` (from `tree_periods`) that have a goal tree: a goal page's `with_data`."""
    return {p.pk for p in periods if p.has_goals}


def previous_period_with_goals(period: Period, periods: list[Period]) -> Period | None:
    """The latest earlier period of the same kind that has a tree (what "copy last period" copies)."""
    earlier = [
        p for p in periods if p.kind == period.kind and p.has_goals and period_order(p) < period_order(period)
    ]
    return max(earlier, key=period_order) if earlier else None


@dataclass(frozen=True)
class Publication:
    published_at: object | None
    published_by: str
    goals: int
    changed_since: bool


def tree_publication(period: Period) -> Publication | None:
    """The period's last publication and whether the tree changed after it (two queries)."""
    event = (
        AuditEvent.objects.filter(
            action=ACTION_PUBLISH, object_type="collab.period", object_id=str(period.pk)
        )
        .order_by("-id")
        .values("id", "created_at", "actor_name", "after")
        .first()
    )
    if event is None:
        return None
    changed = AuditEvent.objects.filter(
        id__gt=event["id"], action__in=TREE_CHANGE_ACTIONS, after__period=period.pk
    ).exists()
    return Publication(
        published_at=event["created_at"],
        published_by=event["actor_name"],
        goals=(event["after"] or {}).get("goals", 0),
        changed_since=changed,
    )


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a period's tree does, for the confirmation page (numbers as of now)."""

    period: Period
    goals: int
    top_level: int
    units: int
    positions: int
    off_groups: int  # sibling groups whose weights do not add up to 100: publishing is refused
    previous: Publication | None

    @property
    def publishable(self) -> bool:
        return self.goals > 0 and self.off_groups == 0 and not self.period.is_closed


def tree_publish_preview(period: Period) -> PublishPreview:
    """How many goals, top-level goals, units and positions a publication covers, whether it can go
    ahead, and the publication it follows (four queries)."""
    counts = Goal.objects.filter(period=period).aggregate(
        goals=Count("id"),
        top_level=Count("id", filter=Q(parent__isnull=True)),
        units=Count("org_unit", distinct=True),
        positions=Count("position", distinct=True),
    )
    return PublishPreview(
        period=period,
        goals=counts["goals"] or 0,
        top_level=counts["top_level"] or 0,
        units=counts["units"] or 0,
        positions=counts["positions"] or 0,
        off_groups=len(sibling_groups_off(period)) if counts["goals"] else 0,
        previous=tree_publication(period),
    )


# --------------------------------------------------------------------------------------------- matrix


PERSPECTIVES = list(Perspective.choices)


@dataclass
class Cell:
    perspective: str
    progress: float | None
    band: str
    goals: int

    @property
    def band_css(self) -> str:
        return BAND_CSS.get(self.band, "secondary")


@dataclass
class MatrixRow:
    unit_id: int
    unit_name: str
    unit_code: str
    unit_kind: str
    unit_depth: int
    unit_path: str
    cells: list[Cell]
    overall: Cell


def matrix_rows(tree: Tree, query: str = "", kind: str = "") -> list[MatrixRow]:
    """Org units (that hold goals) × the four perspectives: each cell the weighted progress of that
    unit's goals (its positions' included) in that perspective, Σ w·p / Σ w over the goals with data
    (a plain mean when all their weights are 0). One vectorised pass over the whole period."""
    needle = query.strip().lower()
    units: dict[int, int] = {}  # unit id -> row index
    firsts: list[Node] = []
    unit_of, persp_of, weights, progress = [], [], [], []
    perspective_index = {value: i for i, (value, _label) in enumerate(PERSPECTIVES)}
    for node in tree.nodes.values():
        row = units.get(node.unit_id)
        if row is None:
            if (kind and node.unit_kind != kind) or (
                needle and needle not in f"{node.unit_name} {node.unit_code}".lower()
            ):
                units[node.unit_id] = -1
                continue
            row = units[node.unit_id] = len(firsts)
            firsts.append(node)
        if row < 0:
            continue
        unit_of.append(row)
        persp_of.append(perspective_index.get(node.perspective, 0))
        weights.append(float(node.weight))
        progress.append(np.nan if node.progress is None else node.progress)
    if not firsts:
        return []
    width = len(PERSPECTIVES) + 1  # the four perspectives, then all goals of the unit
    unit_arr = np.asarray(unit_of, dtype=np.int64)
    cell_keys = unit_arr * width + np.asarray(persp_of, dtype=np.int64)
    keys = np.concatenate([cell_keys, unit_arr * width + width - 1])
    w = np.tile(np.asarray(weights, dtype=float), 2)
    p = np.tile(np.asarray(progress, dtype=float), 2)
    has = ~np.isnan(p)
    size = len(firsts) * width
    count = np.bincount(keys, minlength=size)
    with_data = np.bincount(keys, weights=has.astype(float), minlength=size)
    weight_sum = np.bincount(keys, weights=np.where(has, w, 0.0), minlength=size)
    weighted = np.bincount(keys, weights=np.where(has, w * np.nan_to_num(p), 0.0), minlength=size)
    plain = np.bincount(keys, weights=np.nan_to_num(p), minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(with_data > 0, plain / with_data, np.nan)
        value = np.where(weight_sum > 0, weighted / weight_sum, mean)
    values = engine.to_plain(value, 2)
    bands = engine.bands(value)
    labels = [value for value, _label in PERSPECTIVES] + [""]
    rows = []
    for index, first in enumerate(firsts):
        at = index * width
        cells = [
            Cell(labels[j], progress=values[at + j], band=str(bands[at + j]), goals=int(count[at + j]))
            for j in range(width)
        ]
        rows.append(
            MatrixRow(
                unit_id=first.unit_id, unit_name=first.unit_name, unit_code=first.unit_code,
                unit_kind=first.unit_kind, unit_depth=first.unit_depth, unit_path=first.unit_path,
                cells=cells[:-1], overall=cells[-1],
            )
        )
    rows.sort(key=lambda r: [int(x) for x in r.unit_path.strip("/").split("/") if x.isdigit()])
    return rows


def matrix_cell_goals(tree: Tree, unit_id: int, perspective: str) -> list[Node]:
    return [n for n in tree.walk() if n.unit_id == unit_id and n.perspective == perspective]


# --------------------------------------------------------------------------------------------- trace


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
    "Node",
    "Trace",
    "Tree",
    "add_scores",
    "chart_data",
    "employee_unit_path",
    "linked_nodes",
    "load_tree",
    "matrix_cell_goals",
    "matrix_rows",
    "periods_with_goals",
    "previous_period_with_goals",
    "restrict_to_unit",
    "table_rows",
    "trace",
    "trace_kpis",
    "trace_roots",
    "tree_items",
    "tree_periods",
    "tree_publication",
    "unit_labels",
]
