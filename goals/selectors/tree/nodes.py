"""The goal tree in memory: `Node` and `Tree`, and how much of it one page renders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from collab.models import Period
from goals.engine.common import BAND_NONE
from goals.selectors.scores import BAND_CSS, BAND_LABELS
from goals.services.tree.rules import HUNDRED

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
    band: str = BAND_NONE
    measured: float | None = None
    measured_band: str = BAND_NONE
    target: float | None = None
    actual: float | None = None
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    children_sum: Decimal = Decimal("0")
    child_count: int = 0  # all its children, also when `children` holds only those loaded (or none)

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
        return BAND_LABELS.get(self.band, BAND_LABELS[BAND_NONE])

    @property
    def measured_css(self) -> str:
        return BAND_CSS.get(self.measured_band, "secondary")

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def children_ok(self) -> bool:
        return not self.child_count or self.children_sum == HUNDRED

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


__all__ = [
    "Node",
    "Tree",
]
