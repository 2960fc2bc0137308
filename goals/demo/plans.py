"""What a demo tenant's strategy map, KPI library and goal tree look like, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from goals.models import KPI, Perspective

if TYPE_CHECKING:
    pass


P = Perspective
HIGHER, LOWER = KPI.Direction.HIGHER_BETTER, KPI.Direction.LOWER_BETTER
AVG, SUM, LAST = KPI.Aggregation.AVERAGE, KPI.Aggregation.SUM, KPI.Aggregation.LAST




@dataclass(frozen=True)
class ObjectivePlan:
    key: str
    perspective: str
    name: str
    owner: str  # unit code
    description: str = ""


@dataclass(frozen=True)
class KpiPlan:
    code: str
    name: str
    unit: str
    direction: str
    perspective: str
    owner: str  # unit code
    objective: str  # objective key
    target: str  # monthly target
    performance: float | None  # None: no measurements (shows "no data")
    aggregation: str = AVG
    collaborative: bool = False
    process: str = ""
    decimals: int = 2
    description: str = ""
    data_source: str = ""


@dataclass(frozen=True)
class GoalPlan:
    unit: str
    kpi: str
    weight: int
    position: str | None = None  # title of a position of `unit`
    children: tuple[GoalPlan, ...] = ()


@dataclass
class GoalsPlan:
    objectives: list[ObjectivePlan]
    links: list[tuple[str, str]]
    kpis: list[KpiPlan]
    tree: list[GoalPlan]
    extra: dict = field(default_factory=dict)
