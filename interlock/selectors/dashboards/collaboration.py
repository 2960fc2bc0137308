"""The collaboration view: which KPIs are shared by which units (matrix rows and scorecard lines), as
heatmap, graph and tables, in a fixed number of queries."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast

from collab.models import OrgUnit, Period
from interlock.models import breakdown_line_keys
from interlock.selectors.dashboards.common import (
    MATRIX_ROLES,
    MatrixScores,
    band_of,
    decimal_or_none,
    kpi_labels,
    matrix_rows_of,
    matrix_scores,
    name_units_apart,
)
from interlock.selectors.scores import snapshots_latest
from responsibility.selectors import matrix_effective_ids

DRAG_BELOW = 80.0  # a shared KPI "drags a scorecard down" when its line scores under this
HEATMAP_MAX_UNITS = 40
HEATMAP_MAX_KPIS = 30
GRAPH_MAX_UNITS = 60
EDGE_TABLE_MAX = 50


# --------------------------------------------------------------------------------------------- collaboration


_LINE_KEYS = ("kpi", "score", "role", "weight", "value")


def _lines_of(document: str | None) -> list[tuple]:
    """(kpi, score, role, weight, value) of each line row of a stored breakdown, read from its JSON text.

    Breakdowns are stored compactly (line keys named once, see `CompactRowsJSONField`) or as a plain list
    of row dicts; reading the text avoids building a dict per line for thousands of snapshots."""
    if not document:
        return []
    data = json.loads(document)
    keys = breakdown_line_keys(data)
    if keys is not None:
        keys = list(keys)
        if all(key in keys for key in _LINE_KEYS):
            at = [keys.index(key) for key in _LINE_KEYS]
            return [tuple(row[i] for i in at) for row in data["r"] if isinstance(row, list)]
        data = [
            dict(zip(keys, row, strict=False), kind="line") if isinstance(row, list) else row
            for row in data["r"]
        ]
    return [
        tuple(row.get(key) for key in _LINE_KEYS)
        for row in data or ()
        if isinstance(row, dict) and row.get("kind") == "line"
    ]


def _line_index(snapshots: list[tuple]) -> tuple[dict, dict]:
    """From (subject, unit, position unit, total, breakdown JSON text) rows: {(unit, kpi): line tuple} for
    unit scorecards and {kpi: [(subject, score, unit)]} for every scorecard's lines."""
    unit_lines: dict[tuple[int, int], tuple] = {}
    by_kpi: dict[int, list[tuple[str, float | None, int | None]]] = defaultdict(list)
    for subject, unit_id, position_unit, _total, document in snapshots:
        owner = unit_id or position_unit
        for line in _lines_of(document):
            if unit_id is not None:
                unit_lines[(unit_id, line[0])] = line
            by_kpi[line[0]].append((subject, line[1], owner))
    return unit_lines, by_kpi


@dataclass
class _Shared:
    """What the stages share: the period's matrices and lines, and which units take part in which KPI."""

    effective: dict[int, int]  # KPI → matrix in effect
    unit_lines: dict[tuple[int, int], tuple]  # (unit, KPI) → the unit scorecard's line
    by_kpi: dict[int, list[tuple]]  # KPI → [(subject, line score, unit)] over every scorecard
    unit_total: dict[int, Any]
    participants: dict[int, dict[int, dict]]  # KPI → unit → matrix role, share, matrix
    kpi_ids: list[int]  # shared KPIs, most units first
    units: dict[int, dict]
    kpis: dict[int, dict]
    scored: MatrixScores


def _load(period: Period, subtree: OrgUnit | None) -> _Shared:
    """Matrices in effect, the latest snapshots' lines, and the units of the KPIs at least two units share
    (within `subtree` when given)."""
    effective = matrix_effective_ids(period)
    rows = matrix_rows_of(effective.values())
    snaps = list(
        snapshots_latest(period)
        .annotate(document=Cast("breakdown", TextField()))
        .values_list("subject", "org_unit_id", "position__org_unit_id", "total", "document")
    )
    unit_lines, by_kpi = _line_index(snaps)
    participants: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        participants[row[2]][row[3]] = {"role": row[4], "share": float(row[5]), "matrix": row[1]}
    for kpi_id, entries in by_kpi.items():
        for _subject, _score, unit_id in entries:
            if unit_id is not None:
                participants[kpi_id].setdefault(unit_id, {"role": None, "share": None, "matrix": None})
    shared_ids = [k for k, units in participants.items() if len(units) >= 2]
    shared_set = set(shared_ids)
    scored = matrix_scores(period, kpi_ids=shared_set)
    unit_ids = {u for k in shared_ids for u in participants[k]}
    units_q = OrgUnit.objects.filter(pk__in=unit_ids)
    if subtree is not None:
        units_q = units_q.filter(path__startswith=subtree.path)
    units = (
        {
            pk: {"pk": pk, "code": code, "name": name, "parent_name": parent_name, "kind": kind, "path": path}
            for pk, code, name, parent_name, kind, path in units_q.values_list(
                "pk", "code", "name", "parent__name", "kind", "path"
            )
        }
        if unit_ids
        else {}
    )
    name_units_apart(units)
    kpis = kpi_labels(shared_ids)
    # Shared within the units shown, most units first.
    shared_ids = [k for k in shared_ids if sum(1 for u in participants[k] if u in units) >= 2]
    shared_ids.sort(
        key=lambda k: (-sum(1 for u in participants[k] if u in units), kpis.get(k, {}).get("code", ""))
    )
    return _Shared(
        effective=effective,
        unit_lines=unit_lines,
        by_kpi=by_kpi,
        unit_total={s[1]: s[3] for s in snaps if s[1] is not None},
        participants=participants,
        kpi_ids=shared_ids,
        units=units,
        kpis=kpis,
        scored=scored,
    )


def _cells(shared: _Shared) -> dict[tuple[int, int], dict]:
    """(unit, KPI) → the unit's part in the KPI: matrix role and share, its line, and its score (the line's,
    else its contribution in the matrix)."""
    contribution = {(r.unit, r.kpi): r.contribution for r in shared.scored.rows}
    cells: dict[tuple[int, int], dict] = {}
    for kpi_id in shared.kpi_ids:
        for unit_id, part in shared.participants[kpi_id].items():
            if unit_id not in shared.units:
                continue
            line = shared.unit_lines.get((unit_id, kpi_id))
            score = line[1] if line else contribution.get((unit_id, kpi_id))
            cells[(unit_id, kpi_id)] = {
                "unit": unit_id,
                "kpi": kpi_id,
                "role": part["role"],
                "role_label": MATRIX_ROLES.get(part["role"], "") if part["role"] else "",
                "share": part["share"],
                "matrix": part["matrix"],
                "line_role": line[2] if line else None,
                "weight": line[3] if line else None,
                "value": decimal_or_none(line[4]) if line else None,
                "score": score,
                "source": "line" if line else ("matrix" if score is not None else None),
                "band": band_of(score),
            }
    return cells


def _drag(shared: _Shared) -> list[dict]:
    """The shared KPIs that drag several scorecards down (line scores under `DRAG_BELOW`), worst first."""
    units = shared.units
    drag = []
    for kpi_id in shared.kpi_ids:
        low = [
            (subject, score, unit_id)
            for subject, score, unit_id in shared.by_kpi.get(kpi_id, ())
            if score is not None and score < DRAG_BELOW and unit_id in units
        ]
        if len(low) >= 2:
            drag.append(
                {
                    "kpi": shared.kpis.get(kpi_id, {"pk": kpi_id, "label": str(kpi_id)}),
                    "matrix": shared.effective.get(kpi_id),
                    "affected": len(low),
                    "kpi_score": shared.scored.kpi_scores.get(kpi_id),
                    "units": sorted({units[u]["name"] for _s, _sc, u in low if u in units}),
                    "mean": sum(s for _x, s, _u in low) / len(low),
                }
            )
    drag.sort(key=lambda d: (-d["affected"], d["mean"]))
    return drag


def _code(shared: _Shared, kpi_id: int) -> str:
    return shared.kpis.get(kpi_id, {}).get("code", str(kpi_id))


def _heatmap(shared: _Shared, cells: dict, ranked_units: list[int]) -> dict[str, Any]:
    """The most connected units × the most shared KPIs, each cell a score and a role."""
    heat_units = ranked_units[:HEATMAP_MAX_UNITS]
    heat_kpis = shared.kpi_ids[:HEATMAP_MAX_KPIS]
    return {
        "truncated": len(heat_units) < len(ranked_units) or len(heat_kpis) < len(shared.kpi_ids),
        "units": [{"id": u, "name": shared.units[u]["name"]} for u in heat_units],
        "kpis": [{"id": k, "code": _code(shared, k), "matrix": shared.effective.get(k)} for k in heat_kpis],
        "cells": [
            [
                x,
                y,
                None if cells[(u, k)]["score"] is None else round(float(cells[(u, k)]["score"]), 2),
                cells[(u, k)]["role_label"] or cells[(u, k)]["line_role"] or "",
            ]
            for x, k in enumerate(heat_kpis)
            for y, u in enumerate(heat_units)
            if (u, k) in cells
        ],
    }


def _graph(shared: _Shared, ranked_units: list[int], degree: dict[int, int]) -> dict[str, Any]:
    """The most connected units and the links among them (a picture of thousands is unreadable; the table
    pages through every shared KPI), and the busiest links for the edge table."""
    units = shared.units
    graph_units = set(ranked_units[:GRAPH_MAX_UNITS])
    edges: dict[tuple[int, int], list[int]] = defaultdict(list)
    for kpi_id in shared.kpi_ids:
        members = sorted(u for u in shared.participants[kpi_id] if u in graph_units)
        for a, b in combinations(members, 2):
            edges[(a, b)].append(kpi_id)
    top_edges = sorted(edges.items(), key=lambda item: (-len(item[1]), item[0]))
    return {
        "truncated": len(graph_units) < len(ranked_units),
        "edges": [
            {
                "a": units[a]["name"],
                "b": units[b]["name"],
                "count": len(ks),
                "kpis": ", ".join(_code(shared, k) for k in ks),
            }
            for (a, b), ks in top_edges[:EDGE_TABLE_MAX]
        ],
        "nodes": [
            {
                "id": str(u),
                "unit": u,
                "name": units[u]["name"],
                "degree": degree[u],
                "total": None if shared.unit_total.get(u) is None else float(shared.unit_total[u]),
                "band": band_of(shared.unit_total.get(u)),
            }
            for u in ranked_units
            if u in graph_units
        ],
        "links": [
            {"source": str(a), "target": str(b), "value": len(ks), "kpis": [_code(shared, k) for k in ks]}
            for (a, b), ks in top_edges
        ],
    }


def collaboration(period: Period, *, subtree: OrgUnit | None = None) -> dict[str, Any]:
    """Which KPIs are shared by which units (matrix rows and scorecard lines), as heatmap, graph and tables.

    A KPI is shared when at least two units take part in it: its matrix in effect names them, or their
    scorecards (a unit's own, or its positions') count it as a line. A fixed number of queries: load, then
    score the cells, find what drags scorecards down, and draw the heatmap and the graph.
    """
    shared = _load(period, subtree)
    cells = _cells(shared)
    degree: dict[int, int] = defaultdict(int)
    for kpi_id in shared.kpi_ids:
        for u in shared.participants[kpi_id]:
            if u in shared.units:
                degree[u] += 1
    ranked_units = sorted(
        (u for u in shared.units if degree[u]), key=lambda u: (-degree[u], shared.units[u]["path"])
    )
    heatmap = _heatmap(shared, cells, ranked_units)
    graph = _graph(shared, ranked_units, degree)
    return {
        "period": period,
        "shared_count": len(shared.kpi_ids),
        "unit_count": len(ranked_units),
        "kpi_order": shared.kpi_ids,
        "index": {
            "kpis": shared.kpis,
            "units": shared.units,
            "cells": cells,
            "participants": shared.participants,
            "effective": shared.effective,
            "kpi_scores": shared.scored.kpi_scores,
        },
        "drag": _drag(shared),
        "edges": graph.pop("edges"),
        "heatmap_truncated": heatmap.pop("truncated"),
        "graph_truncated": graph.pop("truncated"),
        "chart": {"heatmap": heatmap, "graph": graph},
    }


def collaboration_rows(data: dict[str, Any], kpi_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Table rows (KPI, its score, every unit taking part with role, share and score) for some of the
    shared KPIs of a `collaboration()` result: the page being shown, not all of them."""
    index = data["index"]
    units, cells = index["units"], index["cells"]
    return [
        {
            "kpi": index["kpis"].get(k, {"pk": k, "label": str(k)}),
            "matrix": index["effective"].get(k),
            "kpi_score": index["kpi_scores"].get(k),
            "cells": [
                cells[(u, k)] | {"unit_name": units[u]["name"]}
                for u in sorted(
                    (u for u in index["participants"][k] if (u, k) in cells), key=lambda u: units[u]["path"]
                )
            ],
        }
        for k in kpi_ids
    ]
