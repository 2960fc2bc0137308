"""The collaboration view: which KPIs are shared by which units (matrix rows and scorecard lines), as
heatmap, graph and tables, from what the recompute stored — never a breakdown parsed per request.

Two derived tables hold everything it shows: `MatrixRowResult` (each matrix row's role, share and
contribution) and `UnitKpiLines` (each unit's lines on a KPI: its own line's score, and how many of its
scorecards' lines score under `DRAG_BELOW`). From them `_summary` works out the shared KPIs in order, the
most connected units, the heatmap, the graph and the KPIs that drag scorecards down, as ids and numbers;
it is cached by (tenant, period, the period's `ScoredPeriod.version` and time, subtree, and a generation):
a recompute that changes a stored result changes the version, and rows filled in after `migrate` change
the generation, so a stale summary is never read (its key is no longer asked for). (A unit with derived
rows cannot be deleted: its scorecards, positions and matrix rows protect it.) Per request, the names of what
is shown (a few dozen units and KPIs) and the rows of the table's page (`collaboration_rows`) are read
fresh, in a fixed number of small queries; the HTML shows the top N and a page, whatever the tenant's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from django.core.cache import cache
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from collab.models import OrgUnit, Period
from collab.selectors.org import distinct_unit_labels
from collab.tenancy import current_tenant
from interlock.models import MatrixRowResult, ScoredPeriod, ScoreSnapshot, UnitKpiLines, subject_key
from interlock.selectors.dashboards.common import MATRIX_ROLES, band_of, kpi_labels
from interlock.services.collaboration import DRAG_BELOW, SUMMARY_GENERATION

HEATMAP_MAX_UNITS = 40
HEATMAP_MAX_KPIS = 30
GRAPH_MAX_UNITS = 60
EDGE_TABLE_MAX = 50
DRAG_MAX = 20  # rows of the "drags several scorecards down" table (the count says how many in all)
DRAG_UNITS_MAX = 10  # units named on one of its rows (the rest are counted)
ROW_UNITS_MAX = 12  # units shown on a row of the table, first in the tree (the rest are counted)
CACHE_SECONDS = 7 * 24 * 3600

__all__ = ["DRAG_BELOW", "collaboration", "collaboration_rows", "collaboration_stamp", "shared_kpi_order"]


# --------------------------------------------------------------------------------------------- summary


def _within(rows, subtree: OrgUnit | None):
    return rows if subtree is None else rows.filter(org_unit__path__startswith=subtree.path)


def collaboration_stamp(period: Period) -> tuple | None:
    """(version, time) of the period's stored results and the summaries' generation (`SUMMARY_GENERATION`:
    changed when rows are filled in without a recompute); None before the period's first recompute. One
    indexed read of one row, and one cache read. What the view shows of the period changes only with it."""
    found = ScoredPeriod.objects.filter(period=period).values_list("version", "computed_at").first()
    if found is None:
        return None
    version, computed_at = found
    return (version, computed_at.isoformat(), cache.get(SUMMARY_GENERATION, 0))


def _summary(period: Period, subtree: OrgUnit | None) -> dict[str, Any]:
    """Shared KPIs, units, heatmap, graph and drag of the period (within `subtree`), as ids and numbers
    (no names: they are read per request). Four queries, over the derived tables only."""
    matrix = _within(MatrixRowResult.objects.filter(period=period), subtree).values_list(
        "kpi_id", "org_unit_id", "role", "matrix_id", "contribution", "kpi_score", "org_unit__path"
    )
    lines = _within(UnitKpiLines.objects.filter(period=period), subtree).values_list(
        "kpi_id",
        "org_unit_id",
        "has_unit_line",
        "score",
        "line_role",
        "low_lines",
        "low_sum",
        "org_unit__path",
    )
    participants: dict[int, set[int]] = defaultdict(set)
    cell: dict[tuple[int, int], list] = {}  # (unit, KPI) → [score, matrix role, line role]
    effective: dict[int, int] = {}
    kpi_scores: dict[int, float | None] = {}
    low: dict[int, list[tuple[int, int, float]]] = defaultdict(list)  # KPI → (unit, lines under, sum)
    path: dict[int, str] = {}
    for kpi, unit, role, matrix_id, contribution, kpi_score, unit_path in matrix:
        participants[kpi].add(unit)
        cell[(unit, kpi)] = [contribution, role, None]
        effective[kpi] = matrix_id
        kpi_scores[kpi] = kpi_score
        path[unit] = unit_path
    for kpi, unit, own, score, line_role, low_lines, low_sum, unit_path in lines:
        participants[kpi].add(unit)
        path[unit] = unit_path
        found = cell.setdefault((unit, kpi), [None, None, None])
        if own:
            found[0], found[2] = score, line_role
        if low_lines:
            low[kpi].append((unit, low_lines, low_sum))
    shared = [k for k, units in participants.items() if len(units) >= 2]
    codes = {k: v["code"] for k, v in kpi_labels(shared).items()}
    shared.sort(key=lambda k: (-len(participants[k]), codes.get(k, "")))
    degree: dict[int, int] = defaultdict(int)
    for kpi in shared:
        for unit in participants[kpi]:
            degree[unit] += 1
    ranked = sorted(degree, key=lambda u: (-degree[u], path[u]))
    heat_units, heat_kpis = ranked[:HEATMAP_MAX_UNITS], shared[:HEATMAP_MAX_KPIS]
    graph_units = ranked[:GRAPH_MAX_UNITS]
    in_graph = set(graph_units)
    edges: dict[tuple[int, int], list[int]] = defaultdict(list)
    for kpi in shared:
        for a, b in combinations(sorted(u for u in participants[kpi] if u in in_graph), 2):
            edges[(a, b)].append(kpi)
    links = sorted(edges.items(), key=lambda item: (-len(item[1]), item[0]))
    totals = (
        dict(
            ScoreSnapshot.objects.filter(
                period=period, subject__in=[subject_key(org_unit_id=u) for u in graph_units]
            ).values_list("org_unit_id", "total")
        )
        if graph_units
        else {}
    )
    drag = []
    for kpi in shared:
        affected = sum(n for _u, n, _s in low[kpi])
        if affected >= 2:
            units = sorted((u for u, _n, _s in low[kpi]), key=lambda u: path[u])
            drag.append(
                {
                    "kpi": kpi,
                    "matrix": effective.get(kpi),
                    "affected": affected,
                    "kpi_score": kpi_scores.get(kpi),
                    "units": units[:DRAG_UNITS_MAX],
                    "more_units": max(0, len(units) - DRAG_UNITS_MAX),
                    "mean": sum(s for _u, _n, s in low[kpi]) / affected,
                }
            )
    drag.sort(key=lambda d: (-d["affected"], d["mean"]))
    return {
        "shared_count": len(shared),
        "unit_count": len(ranked),
        "kpi_order": shared,
        "unit_counts": {k: len(participants[k]) for k in shared},
        "drag_count": len(drag),
        "drag": drag[:DRAG_MAX],
        "heatmap": {
            "truncated": len(heat_units) < len(ranked) or len(heat_kpis) < len(shared),
            "units": heat_units,
            "kpis": [(k, effective.get(k)) for k in heat_kpis],
            "cells": [
                (
                    x,
                    y,
                    None if cell[(u, k)][0] is None else round(float(cell[(u, k)][0]), 2),
                    *cell[(u, k)][1:],
                )
                for x, k in enumerate(heat_kpis)
                for y, u in enumerate(heat_units)
                if (u, k) in cell
            ],
        },
        "graph": {
            "truncated": len(graph_units) < len(ranked),
            "nodes": [
                (u, degree[u], None if totals.get(u) is None else float(totals[u])) for u in graph_units
            ],
            "links": [(a, b, ks) for (a, b), ks in links],
        },
    }


def _cached_summary(period: Period, subtree: OrgUnit | None) -> dict[str, Any]:
    stamp = collaboration_stamp(period)
    if stamp is None:  # never recomputed: nothing stored to show (and nothing to cache)
        return _summary(period, subtree)
    key = "collab:shared:{}:{}:{}:{}".format(
        current_tenant().pk, period.pk, ":".join(map(str, stamp)), subtree.pk if subtree else "all"
    )
    found = cache.get(key)
    if found is None:
        found = _summary(period, subtree)
        cache.set(key, found, CACHE_SECONDS)
    return found


def shared_kpi_order(period: Period, *, subtree: OrgUnit | None = None) -> list[int]:
    """The shared KPIs of the period (within `subtree`) in the view's order: most units first."""
    return _cached_summary(period, subtree)["kpi_order"]


# --------------------------------------------------------------------------------------------- names


def _unit_names(ids: Iterable[int]) -> dict[int, dict]:
    """{id: {pk, name, path}} of the units shown, same-named ones told apart among them (one query)."""
    wanted = set(ids)
    if not wanted:
        return {}
    found = list(
        OrgUnit.objects.filter(pk__in=wanted).values_list("pk", "code", "name", "parent__name", "path")
    )
    labels = distinct_unit_labels((pk, name, parent, code) for pk, code, name, parent, _path in found)
    return {pk: {"pk": pk, "name": labels[pk], "path": path} for pk, _code, _name, _parent, path in found}


def _role_label(matrix_role: str | None, line_role: str | None) -> str:
    return (MATRIX_ROLES.get(matrix_role, "") if matrix_role else "") or line_role or ""


def collaboration(period: Period, *, subtree: OrgUnit | None = None) -> dict[str, Any]:
    """Which KPIs are shared by which units (matrix rows and scorecard lines), as heatmap, graph and tables.

    A KPI is shared when at least two units take part in it: its matrix in effect names them, or their
    scorecards (a unit's own, or its positions') count it as a line. The summary comes from the cache or
    the derived tables (`_summary`); the units and KPIs shown are named here (two queries)."""
    summary = _cached_summary(period, subtree)
    heat, graph = summary["heatmap"], summary["graph"]
    shown_units = (
        set(heat["units"]) | {n[0] for n in graph["nodes"]} | {u for d in summary["drag"] for u in d["units"]}
    )
    units = _unit_names(shown_units)
    shown_kpis = {k for k, _m in heat["kpis"]} | {k for _a, _b, ks in graph["links"] for k in ks}
    kpis = kpi_labels(shown_kpis | {d["kpi"] for d in summary["drag"]})

    def name(unit: int) -> str:
        return units.get(unit, {}).get("name", str(unit))

    def code(kpi: int) -> str:
        return kpis.get(kpi, {}).get("code", str(kpi))

    links = graph["links"]
    return {
        "period": period,
        "shared_count": summary["shared_count"],
        "unit_count": summary["unit_count"],
        "kpi_order": summary["kpi_order"],
        "unit_counts": summary["unit_counts"],
        "drag_count": summary["drag_count"],
        "drag": [
            d
            | {
                "kpi": kpis.get(d["kpi"], {"pk": d["kpi"], "label": str(d["kpi"])}),
                "units": sorted(name(u) for u in d["units"]),
            }
            for d in summary["drag"]
        ],
        "edges": [
            {"a": name(a), "b": name(b), "count": len(ks), "kpis": ", ".join(code(k) for k in ks)}
            for a, b, ks in links[:EDGE_TABLE_MAX]
        ],
        "heatmap_truncated": heat["truncated"],
        "graph_truncated": graph["truncated"],
        "chart": {
            "heatmap": {
                "units": [{"id": u, "name": name(u)} for u in heat["units"]],
                "kpis": [{"id": k, "code": code(k), "matrix": m} for k, m in heat["kpis"]],
                "cells": [
                    [x, y, score, _role_label(role, line_role)]
                    for x, y, score, role, line_role in heat["cells"]
                ],
            },
            "graph": {
                "nodes": [
                    {
                        "id": str(u),
                        "unit": u,
                        "name": name(u),
                        "degree": degree,
                        "total": total,
                        "band": band_of(total),
                    }
                    for u, degree, total in graph["nodes"]
                ],
                "links": [
                    {"source": str(a), "target": str(b), "value": len(ks), "kpis": [code(k) for k in ks]}
                    for a, b, ks in links
                ],
            },
        },
    }


# --------------------------------------------------------------------------------------------- table


def collaboration_rows(
    period: Period,
    kpi_ids: Iterable[int],
    *,
    subtree: OrgUnit | None = None,
    unit_counts: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Table rows for some shared KPIs — the page being shown, not all of them: each KPI's score and the
    first `ROW_UNITS_MAX` units taking part (in tree order) with role, share and score, and how many more.
    A fixed number of queries on the derived tables' KPI indexes; a KPI on every unit's scorecard gives
    its first units only. `unit_counts` (KPI → units taking part) is `collaboration()`'s, when the caller
    has it."""
    kpi_ids = list(kpi_ids)
    if not kpi_ids:
        return []
    counts = unit_counts if unit_counts is not None else _cached_summary(period, subtree)["unit_counts"]
    matrix = _within(MatrixRowResult.objects.filter(period=period, kpi_id__in=kpi_ids), subtree).values_list(
        "kpi_id", "org_unit_id", "role", "share", "matrix_id", "contribution", "kpi_score"
    )
    first = Window(
        RowNumber(), partition_by=[F("kpi_id")], order_by=[F("org_unit__path").asc(), F("org_unit_id")]
    )
    lines = (
        _within(UnitKpiLines.objects.filter(period=period, kpi_id__in=kpi_ids), subtree)
        .annotate(place=first)
        .filter(place__lte=ROW_UNITS_MAX)
        .values_list("kpi_id", "org_unit_id", "has_unit_line", "score", "line_role", "weight", "value")
    )
    cells: dict[int, dict[int, dict]] = defaultdict(dict)
    effective: dict[int, int] = {}
    kpi_scores: dict[int, float | None] = {}
    for kpi, unit, role, share, matrix_id, contribution, kpi_score in matrix:
        effective[kpi] = matrix_id
        kpi_scores[kpi] = kpi_score
        cells[kpi][unit] = {
            "unit": unit, "kpi": kpi, "role": role, "role_label": MATRIX_ROLES.get(role, ""), "share": share,
            "matrix": matrix_id, "line_role": None, "weight": None, "value": None, "score": contribution,
            "source": "matrix" if contribution is not None else None,
        }  # fmt: skip
    for kpi, unit, own, score, line_role, weight, value in lines:
        found = cells[kpi].setdefault(
            unit,
            {"unit": unit, "kpi": kpi, "role": None, "role_label": "", "share": None, "matrix": None,
             "line_role": None, "weight": None, "value": None, "score": None, "source": None},
        )  # fmt: skip
        if own:
            found.update(line_role=line_role, weight=weight, value=value, score=score, source="line")
    units = _unit_names({u for by_unit in cells.values() for u in by_unit})
    kpis = kpi_labels(kpi_ids)
    rows = []
    for k in kpi_ids:
        # The first units in the tree among the matrix's and the first lines': the first of them all.
        shown = sorted((u for u in cells[k] if u in units), key=lambda u: (units[u]["path"], u))[
            :ROW_UNITS_MAX
        ]
        rows.append(
            {
                "kpi": kpis.get(k, {"pk": k, "label": str(k)}),
                "matrix": effective.get(k),
                "kpi_score": kpi_scores.get(k),
                "cells": [
                    cells[k][u] | {"unit_name": units[u]["name"], "band": band_of(cells[k][u]["score"])}
                    for u in shown
                ],
                "unit_count": max(counts.get(k, 0), len(shown)),
                "more_units": max(0, counts.get(k, 0) - len(shown)),
            }
        )
    return rows
