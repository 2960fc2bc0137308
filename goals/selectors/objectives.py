"""Reads of the strategy map: a period's objectives by BSC perspective, their links and KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from collab.models import Period
from collab.selectors.periods import default_period, period_ids_with
from goals.models import KPI, Objective, ObjectiveLink, Perspective


def map_periods() -> QuerySet[Period]:
    return Period.objects.order_by("-year", "kind", "quarter", "month")


def default_map_period() -> Period | None:
    """The period a strategy map opens on (`default_period`): the latest with objectives (two queries)."""
    # One probe of `objective_map_idx` a period, not a DISTINCT over every objective.
    with_objectives = period_ids_with(Objective.objects.all(), "perspective")
    return default_period(map_periods(), with_objectives)


def objective_queryset(*, with_links: bool = True) -> QuerySet[Objective]:
    """Objectives with their period, owner unit and active KPIs (and their links) prefetched."""
    active_kpis = KPI.objects.filter(is_active=True).order_by("code").only(
        "id", "code", "name", "is_collaborative", "objective_id"
    )
    queryset = Objective.objects.select_related("period", "owner_unit").prefetch_related(
        Prefetch("kpis", queryset=active_kpis)
    )
    if with_links:
        links = ObjectiveLink.objects.only("id", "cause_id", "effect_id").order_by("id")
        queryset = queryset.prefetch_related(
            Prefetch("effect_links", queryset=links), Prefetch("cause_links", queryset=links)
        )
    return queryset


@dataclass
class Band:
    perspective: str
    label: str
    objectives: list[Objective] = field(default_factory=list)


@dataclass
class StrategyMap:
    period: Period
    bands: list[Band]
    links: list[ObjectiveLink]
    chart: dict

    @property
    def objective_count(self) -> int:
        return sum(len(band.objectives) for band in self.bands)


BAND_HEIGHT = 140
NODE_SPACING = 220


def strategy_map(period: Period) -> StrategyMap:
    """Everything the map page draws, in a fixed number of queries whatever the size of the map."""
    objectives = list(
        objective_queryset(with_links=False).filter(period=period).order_by("perspective", "order", "id")
    )
    bands = [Band(perspective=value, label=str(label)) for value, label in Perspective.choices]
    by_value = {band.perspective: band for band in bands}
    for objective in objectives:
        by_value[objective.perspective].objectives.append(objective)
    names = {objective.pk: objective.name for objective in objectives}
    links = list(
        ObjectiveLink.objects.filter(cause__period=period).order_by("id").only("id", "cause_id", "effect_id")
    )
    by_id = {objective.pk: objective for objective in objectives}
    for objective in objectives:
        objective.causes_on_map, objective.effects_on_map = [], []
    for link in links:
        link.cause_name = names.get(link.cause_id, "")
        link.effect_name = names.get(link.effect_id, "")
        if link.cause_id in by_id and link.effect_id in by_id:
            by_id[link.cause_id].effects_on_map.append(by_id[link.effect_id])
            by_id[link.effect_id].causes_on_map.append(by_id[link.cause_id])
    return StrategyMap(period=period, bands=bands, links=links, chart=_chart(bands, links))


def _chart(bands: list[Band], links: list[ObjectiveLink]) -> dict:
    """Data of the ECharts graph series: one node per objective placed in its perspective's band
    (financial at the top, learning and growth at the bottom), one arrow per cause → effect link."""
    widest = max((len(band.objectives) for band in bands), default=0)
    nodes = []
    for row, band in enumerate(bands):
        count = len(band.objectives)
        offset = (widest - count) * NODE_SPACING / 2
        for column, objective in enumerate(band.objectives):
            kpis = [{"code": kpi.code, "collaborative": kpi.is_collaborative} for kpi in objective.kpis.all()]
            nodes.append(
                {
                    "id": str(objective.pk),
                    "name": objective.name,
                    "category": row,
                    "x": offset + column * NODE_SPACING,
                    "y": row * BAND_HEIGHT,
                    "kpis": kpis,
                }
            )
    return {
        "categories": [{"name": band.label} for band in bands],
        "bands": [{"label": band.label, "y": row * BAND_HEIGHT} for row, band in enumerate(bands)],
        "nodes": nodes,
        "links": [{"source": str(link.cause_id), "target": str(link.effect_id)} for link in links],
        "width": max(widest, 1) * NODE_SPACING,
    }
