"""Reads behind the dashboards: a unit's department dashboard, the collaboration view, the org-wide ranking.

Dashboards read the precomputed `ScoreSnapshot` rows (the latest version per subject and period, DESIGN.md
§7a) and the responsibility matrices in effect; they never recompute a scorecard per request. Every function
runs a fixed number of queries, whatever the size of the tenant.

Snapshots hold each scorecard's lines, not the matrix rows: a unit's responsibility points and shortfalls
(and the contribution of a matrix unit that has no scorecard line for the KPI) come from the one engine
(`interlock.engine.compute_period`) over the matrix rows concerned and the period's values of their KPIs
(one measurement query for just those KPIs, `matrix_scores`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.db.models import F, Q, QuerySet, TextField, Window
from django.db.models.functions import Cast, Rank
from django.utils.translation import gettext as _

from collab.models import OrgUnit, Period, Position, Role
from collab.selectors.org import distinct_unit_labels, unit_label
from collab.selectors.periods import period_order
from goals.engine import (
    AMBER_FROM,
    BAND_AMBER,
    BAND_GREEN,
    BAND_NONE,
    BAND_RED,
    GREEN_FROM,
)
from goals.models import KPI
from goals.selectors.scores import BAND_CSS, kpi_values
from interlock import engine
from interlock.access import own_employee, sees_all_units
from interlock.models import LineRole, Scorecard, ScoreSnapshot, breakdown_line_keys, subject_key
from interlock.selectors.scores import snapshot_for, snapshots_latest
from responsibility.models import MatrixRole, MatrixRow
from responsibility.selectors import matrix_effective_ids

DRAG_BELOW = 80.0  # a shared KPI "drags a scorecard down" when its line scores under this
HEATMAP_MAX_UNITS = 40
HEATMAP_MAX_KPIS = 30
GRAPH_MAX_UNITS = 60
EDGE_TABLE_MAX = 50
MATRIX_ROLES = dict(MatrixRole.choices)
LINE_ROLES = dict(LineRole.choices)


# --------------------------------------------------------------------------------------------- periods


def own_scored_period_ids(*, membership, user) -> set[int]:
    """Periods in which the reader's own subjects have scores (one query): the tenant's for HR, committee
    and auditors; a manager's unit and the units and positions below it; an employee's unit and position."""
    snapshots = ScoreSnapshot.objects.order_by()
    if not sees_all_units(membership):
        employee = own_employee(user)
        if employee is None:
            return set()
        mine = Q(org_unit_id=employee.org_unit_id, position__isnull=True)
        if employee.position_id is not None:
            mine |= Q(position_id=employee.position_id)
        if membership.has_role(Role.MANAGER):
            path = employee.org_unit.path
            mine |= Q(org_unit__path__startswith=path) | Q(position__org_unit__path__startswith=path)
        snapshots = snapshots.filter(mine)
    return set(snapshots.values_list("period_id", flat=True).distinct())


def unit_scored_period_ids(unit: OrgUnit) -> set[int]:
    """Periods in which `unit` itself has a score (one query)."""
    return set(
        ScoreSnapshot.objects.filter(org_unit=unit, position__isnull=True)
        .order_by()
        .values_list("period_id", flat=True)
        .distinct()
    )


def unit_scorecard(unit: OrgUnit, period: Period) -> Scorecard | None:
    """The unit's scorecard for the period, if it has one: why a dashboard without a score is empty."""
    return Scorecard.objects.filter(org_unit=unit, position__isnull=True, period=period).first()


# --------------------------------------------------------------------------------------------- helpers


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _band(value: Any) -> str:
    """goals.engine's bands for one score, without numpy (called per cell)."""
    if value is None:
        return BAND_NONE
    score = float(value)
    if score != score:
        return BAND_NONE
    if score >= GREEN_FROM:
        return BAND_GREEN
    return BAND_AMBER if score >= AMBER_FROM else BAND_RED


def flag_text(flag: dict[str, Any], kpis: dict[int, dict]) -> str:
    """A snapshot flag in words (the engine stores codes and numbers)."""
    code = flag.get("code")
    kpi = kpis.get(flag.get("kpi"), {}).get("label", "") if flag.get("kpi") else ""
    if code == engine.FLAG_SPECIAL_REVIEW:
        return _("Special review: %(kpi)s scored %(score)s, under its threshold %(threshold)s.") % {
            "kpi": kpi,
            "score": flag.get("score"),
            "threshold": flag.get("threshold"),
        }
    if code == engine.FLAG_NO_DATA:
        return _("No data for %(kpi)s: the scorecard is incomplete.") % {"kpi": kpi}
    if code == engine.FLAG_NO_KPI_DATA:
        return _("No weighted line has data yet, so there is no total.")
    if code == engine.FLAG_REVIEW:
        if flag.get("reason") == engine.REASON_NO_RATINGS:
            return _("The review part is not counted: no internal-customer ratings yet.")
        return _("The review part is not counted: fewer than %(k)s distinct raters.") % {"k": flag.get("k")}
    if code == engine.FLAG_POINTS_CLAMPED:
        return _("Points %(raw)s were clamped to the cap of ±%(cap)s.") % {
            "raw": flag.get("raw"),
            "cap": flag.get("cap"),
        }
    if code == engine.FLAG_COLLAB_LOW:
        return _("The collaborative share %(share)s %% is under the minimum of %(minimum)s %%.") % {
            "share": flag.get("share"),
            "minimum": flag.get("minimum"),
        }
    return str(code)


def kpi_labels(ids: Iterable[int]) -> dict[int, dict]:
    """{KPI id: {code, name, label}} for the given ids (one query, none when empty)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        pk: {"pk": pk, "code": code, "name": name, "label": f"{code} · {name}"}
        for pk, code, name in KPI.objects.filter(pk__in=wanted).values_list("pk", "code", "name")
    }


@dataclass
class MatrixScores:
    """The engine's matrix results for some matrices: rows and composite indexes."""

    rows: list[engine.MatrixRowScore] = field(default_factory=list)
    composites: dict[int, float | None] = field(default_factory=dict)
    kpi_scores: dict[int, float | None] = field(default_factory=dict)


def matrix_scores(period: Period, rows: list[tuple]) -> MatrixScores:
    """Contribution, points and shortfall of matrix rows, through the engine (one query for the values).

    rows: (row id, matrix id, KPI id, unit id, role, share, evaluation KPI id, direction/cap ignored) tuples
    as `_matrix_rows` reads them, with the KPIs' rules in `rules` positions 7–10.
    """
    if not rows:
        return MatrixScores()
    rules: dict[int, KPI] = {}
    for row in rows:
        rules[row[2]] = KPI(pk=row[2], direction=row[7], cap=row[8], aggregation=row[9])
        if row[6] is not None:
            rules[row[6]] = KPI(pk=row[6], direction=row[10], cap=row[11], aggregation=row[12])
    values = kpi_values(period, list(rules.values()))
    inputs = engine.PeriodInputs(
        kpis={
            "kpi": list(rules),
            "direction": [k.direction for k in rules.values()],
            "cap": [float(k.cap) if k.cap is not None else engine.DEFAULT_CAP for k in rules.values()],
        },
        measurements={
            "kpi": [k for k, v in values.items() if v.target is not None or v.actual is not None],
            "target": [v.target for v in values.values() if v.target is not None or v.actual is not None],
            "actual": [v.actual for v in values.values() if v.target is not None or v.actual is not None],
        },
        matrix_rows={
            "row": [r[0] for r in rows],
            "matrix": [r[1] for r in rows],
            "kpi": [r[2] for r in rows],
            "unit": [r[3] for r in rows],
            "role": [r[4] for r in rows],
            "share": [float(r[5]) for r in rows],
            "eval_kpi": [r[6] for r in rows],
        },
    )
    result = engine.compute_period(inputs)
    return MatrixScores(
        rows=result.matrix_rows,
        composites={m.matrix: m.composite for m in result.matrices},
        kpi_scores=result.kpi_scores,
    )


_ROW_FIELDS = (
    "pk",
    "matrix_id",
    "matrix__kpi_id",
    "org_unit_id",
    "role",
    "share",
    "evaluation_kpi_id",
    "matrix__kpi__direction",
    "matrix__kpi__cap",
    "matrix__kpi__aggregation",
    "evaluation_kpi__direction",
    "evaluation_kpi__cap",
    "evaluation_kpi__aggregation",
)


def _matrix_rows(matrix_ids: Iterable[int]) -> list[tuple]:
    ids = list(matrix_ids)
    if not ids:
        return []
    return list(
        MatrixRow.objects.filter(matrix_id__in=ids)
        .order_by("matrix_id", "order", "pk")
        .values_list(*_ROW_FIELDS)
    )


# --------------------------------------------------------------------------------------------- unit dashboard


def unit_dashboard(unit: OrgUnit, period: Period, periods: list[Period]) -> dict[str, Any]:
    """Everything the department dashboard shows for `unit` in `period` (about eight queries)."""
    subject = f"unit:{unit.pk}"
    # Trend: the latest version per period of this subject (one query).
    latest: dict[int, tuple] = {}
    for period_id, version, total, incomplete in (
        ScoreSnapshot.objects.filter(subject=subject)
        .order_by("period_id", "version")
        .values_list("period_id", "version", "total", "incomplete")
    ):
        latest[period_id] = (version, total, incomplete)
    trend = [
        {
            "period": p,
            "label": p.label,
            "total": latest[p.pk][1],
            "incomplete": latest[p.pk][2],
            "band": BAND_CSS[_band(latest[p.pk][1])],
            "current": p.pk == period.pk,
        }
        for p in periods
        if p.pk in latest and p.kind == period.kind  # a trend compares like with like (months, quarters…)
    ]
    snap = snapshot_for(period, subject)

    # Matrices in effect that give this unit a row, with every row of them (three queries).
    effective = matrix_effective_ids(period)
    mine = set(
        MatrixRow.objects.filter(org_unit=unit, matrix_id__in=list(effective.values())).values_list(
            "matrix_id", flat=True
        )
    )
    rows = _matrix_rows(mine)
    scored = matrix_scores(period, rows)  # one query (values of those KPIs)
    unit_ids = {r[3] for r in rows}
    breakdown = list(snap.breakdown) if snap else []
    flags = list(snap.flags) if snap else []
    kpi_ids = {r[2] for r in rows} | {r[6] for r in rows if r[6]}
    kpi_ids |= {row.get("kpi") for row in breakdown if row.get("kind") == "line"}
    kpi_ids |= {row.get("eval_kpi") for row in breakdown if row.get("eval_kpi")}
    kpi_ids |= {f.get("kpi") for f in flags if f.get("kpi")}
    kpis = kpi_labels(kpi_ids)
    units = (
        {
            pk: {"pk": pk, "code": code, "name": name, "parent_name": parent_name}
            for pk, code, name, parent_name in OrgUnit.objects.filter(pk__in=unit_ids).values_list(
                "pk", "code", "name", "parent__name"
            )
        }
        if unit_ids
        else {}
    )
    _name_units_apart(units)

    lines = []
    other_rows = []
    for row in breakdown:
        if row.get("kind") == "line":
            lines.append(
                {
                    **row,
                    "kpi_label": kpis.get(row["kpi"], {}).get("label", row["kpi"]),
                    "role_label": LINE_ROLES.get(row.get("role"), row.get("role")),
                    "matrix_role_label": MATRIX_ROLES.get(row.get("matrix_role"), row.get("matrix_role")),
                    "eval_label": kpis.get(row.get("eval_kpi"), {}).get("label")
                    if row.get("eval_kpi")
                    else "",
                    "value": _dec(row.get("value")),
                    "band": BAND_CSS[_band(row.get("score"))],
                }
            )
        else:
            other_rows.append({**row, "value": _dec(row.get("value"))})
    line_by_kpi = {line["kpi"]: line for line in lines}

    by_matrix: dict[int, list[dict]] = defaultdict(list)
    for result in scored.rows:
        by_matrix[result.matrix].append(
            {
                "unit": units.get(result.unit, {"pk": result.unit, "name": str(result.unit), "code": ""}),
                "is_self": result.unit == unit.pk,
                "role": result.role,
                "role_label": MATRIX_ROLES.get(result.role, result.role),
                "share": result.share,
                "eval_kpi": kpis.get(result.eval_kpi, {}).get("label") if result.eval_kpi else "",
                "contribution": result.contribution,
                "points": result.points,
                "shortfall": result.shortfall,
                "band": BAND_CSS[_band(result.contribution)],
            }
        )
    shared = []
    shortfalls = []
    for matrix_id, matrix_rows in by_matrix.items():
        kpi_id = next(r[2] for r in rows if r[1] == matrix_id)
        own = next(r for r in matrix_rows if r["is_self"])
        shared.append(
            {
                "matrix": matrix_id,
                "kpi": kpis.get(kpi_id, {"label": str(kpi_id), "pk": kpi_id}),
                "kpi_score": scored.kpi_scores.get(kpi_id),
                "composite": scored.composites.get(matrix_id),
                "rows": matrix_rows,
                "own": own,
                "partners": [r for r in matrix_rows if not r["is_self"]],
                "line": line_by_kpi.get(kpi_id),
            }
        )
        shortfalls.append({"matrix": matrix_id, "kpi": kpis.get(kpi_id, {"label": str(kpi_id)}), **own})
    shared.sort(key=lambda item: item["kpi"].get("label", ""))
    shortfalls.sort(key=lambda item: -(item["shortfall"] or 0))
    specials = [
        {**f, "text": flag_text(f, kpis)} for f in flags if f.get("code") == engine.FLAG_SPECIAL_REVIEW
    ]
    incomplete_lines = [line for line in lines if line.get("weight") and not line.get("has_data")]
    total = snap.total if snap else None
    return {
        "unit": unit,
        "period": period,
        "snapshot": snap,
        "total": total,
        "band": BAND_CSS[_band(total)],
        "lines": lines,
        "other_rows": other_rows,
        "breakdown_sum": sum((r["value"] or Decimal("0") for r in lines + other_rows), Decimal("0"))
        if snap and total is not None
        else None,
        "flags": [{**f, "text": flag_text(f, kpis)} for f in flags],
        "specials": specials,
        "incomplete_lines": incomplete_lines,
        "shared": shared,
        "shortfalls": shortfalls,
        "shortfall_total": sum((s["shortfall"] or 0.0 for s in shortfalls), 0.0),
        "trend": trend,
        "chart": {
            "labels": [t["label"] for t in trend],
            "values": [None if t["total"] is None else float(t["total"]) for t in trend],
        },
    }


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


def _name_units_apart(units: dict[int, dict]) -> None:
    """Each unit's "name" becomes its label among these units: every subsidiary has a 生产部."""
    labels = distinct_unit_labels((pk, u["name"], u["parent_name"], u["code"]) for pk, u in units.items())
    for pk, unit in units.items():
        unit["name"] = labels[pk]


def collaboration(period: Period, *, subtree: OrgUnit | None = None) -> dict[str, Any]:
    """Which KPIs are shared by which units (matrix rows and scorecard lines), as heatmap, graph and tables.

    A KPI is shared when at least two units take part in it: its matrix in effect names them, or their
    scorecards (a unit's own, or its positions') count it as a line. A fixed number of queries.
    """
    effective = matrix_effective_ids(period)
    rows = _matrix_rows(effective.values())
    snaps = list(
        snapshots_latest(period)
        .annotate(document=Cast("breakdown", TextField()))
        .values_list("subject", "org_unit_id", "position__org_unit_id", "total", "document")
    )
    unit_lines, by_kpi = _line_index(snaps)
    unit_total = {s[1]: s[3] for s in snaps if s[1] is not None}

    participants: dict[int, dict[int, dict]] = defaultdict(dict)  # kpi → unit → cell
    for row in rows:
        participants[row[2]][row[3]] = {"role": row[4], "share": float(row[5]), "matrix": row[1]}
    for kpi_id, entries in by_kpi.items():
        for _subject, _score, unit_id in entries:
            if unit_id is not None:
                participants[kpi_id].setdefault(unit_id, {"role": None, "share": None, "matrix": None})
    shared_ids = [k for k, units in participants.items() if len(units) >= 2]
    shared_set = set(shared_ids)
    shared_rows = [r for r in rows if r[2] in shared_set]
    scored = matrix_scores(period, shared_rows)
    contribution = {(r.unit, r.kpi): r.contribution for r in scored.rows}

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
    _name_units_apart(units)
    kpis = kpi_labels(shared_ids)

    cells: dict[tuple[int, int], dict] = {}
    for kpi_id in shared_ids:
        for unit_id, part in participants[kpi_id].items():
            if unit_id not in units:
                continue
            line = unit_lines.get((unit_id, kpi_id))
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
                "value": _dec(line[4]) if line else None,
                "score": score,
                "source": "line" if line else ("matrix" if score is not None else None),
                "band": _band(score),
            }
    shared_ids = [k for k in shared_ids if sum(1 for u in participants[k] if u in units) >= 2]
    shared_ids.sort(
        key=lambda k: (-sum(1 for u in participants[k] if u in units), kpis.get(k, {}).get("code", ""))
    )

    # Which shared KPIs drag several scorecards down.
    drag = []
    for kpi_id in shared_ids:
        low = [
            (subject, score, unit_id)
            for subject, score, unit_id in by_kpi.get(kpi_id, ())
            if score is not None and score < DRAG_BELOW and unit_id in units
        ]
        if len(low) >= 2:
            drag.append(
                {
                    "kpi": kpis.get(kpi_id, {"pk": kpi_id, "label": str(kpi_id)}),
                    "matrix": effective.get(kpi_id),
                    "affected": len(low),
                    "kpi_score": scored.kpi_scores.get(kpi_id),
                    "units": sorted({units[u]["name"] for _s, _sc, u in low if u in units}),
                    "mean": sum(s for _x, s, _u in low) / len(low),
                }
            )
    drag.sort(key=lambda d: (-d["affected"], d["mean"]))

    degree: dict[int, int] = defaultdict(int)
    for kpi_id in shared_ids:
        for u in participants[kpi_id]:
            if u in units:
                degree[u] += 1

    ranked_units = sorted((u for u in units if degree[u]), key=lambda u: (-degree[u], units[u]["path"]))
    heat_units = ranked_units[:HEATMAP_MAX_UNITS]
    heat_kpis = shared_ids[:HEATMAP_MAX_KPIS]
    # The graph: the most connected units and the links among them (a picture of thousands is unreadable;
    # the table pages through every shared KPI).
    graph_units = set(ranked_units[:GRAPH_MAX_UNITS])
    edges: dict[tuple[int, int], list[int]] = defaultdict(list)
    for kpi_id in shared_ids:
        members = sorted(u for u in participants[kpi_id] if u in graph_units)
        for a, b in combinations(members, 2):
            edges[(a, b)].append(kpi_id)
    top_edges = sorted(edges.items(), key=lambda item: (-len(item[1]), item[0]))

    def code(k: int) -> str:
        return kpis.get(k, {}).get("code", str(k))

    return {
        "period": period,
        "shared_count": len(shared_ids),
        "unit_count": len(ranked_units),
        "kpi_order": shared_ids,
        "index": {
            "kpis": kpis,
            "units": units,
            "cells": cells,
            "participants": participants,
            "effective": effective,
            "kpi_scores": scored.kpi_scores,
        },
        "drag": drag,
        "edges": [
            {"a": units[a]["name"], "b": units[b]["name"], "count": len(ks), "kpis": ", ".join(map(code, ks))}
            for (a, b), ks in top_edges[:EDGE_TABLE_MAX]
        ],
        "heatmap_truncated": len(heat_units) < len(ranked_units) or len(heat_kpis) < len(shared_ids),
        "graph_truncated": len(graph_units) < len(ranked_units),
        "chart": {
            "heatmap": {
                "units": [{"id": u, "name": units[u]["name"]} for u in heat_units],
                "kpis": [{"id": k, "code": code(k), "matrix": effective.get(k)} for k in heat_kpis],
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
            },
            "graph": {
                "nodes": [
                    {
                        "id": str(u),
                        "unit": u,
                        "name": units[u]["name"],
                        "degree": degree[u],
                        "total": None if unit_total.get(u) is None else float(unit_total[u]),
                        "band": _band(unit_total.get(u)),
                    }
                    for u in ranked_units
                    if u in graph_units
                ],
                "links": [
                    {"source": str(a), "target": str(b), "value": len(ks), "kpis": [code(k) for k in ks]}
                    for (a, b), ks in top_edges
                ],
            },
        },
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


# --------------------------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class RankingFilters:
    subject_type: str = ""  # "" | "unit" | "position"
    kind: str = ""
    parent: OrgUnit | None = None
    flag: str = ""
    incomplete: str = ""  # "" | "yes" | "no"


def ranking(period: Period, filters: RankingFilters | None = None) -> QuerySet:
    """The period's current snapshots, filtered, ranked by total (best first; no total last). One query
    when evaluated; pages add a count."""
    filters = filters or RankingFilters()
    rows = snapshots_latest(period)  # one row per subject (a partial recompute leaves mixed versions)
    if filters.subject_type == "unit":
        rows = rows.filter(org_unit__isnull=False)
    elif filters.subject_type == "position":
        rows = rows.filter(position__isnull=False)
    if filters.kind:
        rows = rows.filter(Q(org_unit__kind=filters.kind) | Q(position__org_unit__kind=filters.kind))
    if filters.parent is not None:
        path = filters.parent.path
        rows = rows.filter(Q(org_unit__path__startswith=path) | Q(position__org_unit__path__startswith=path))
    if filters.flag:
        rows = rows.filter(flags__icontains=f'"{filters.flag}"')
    if filters.incomplete == "yes":
        rows = rows.filter(incomplete=True)
    elif filters.incomplete == "no":
        rows = rows.filter(incomplete=False)
    order = [F("total").desc(nulls_last=True), "subject"]
    return (
        rows.select_related("org_unit__parent", "position__org_unit__parent")
        .annotate(rank=Window(Rank(), order_by=F("total").desc(nulls_last=True)))
        .order_by(*order)
    )


def ranking_label(snap: ScoreSnapshot, repeated: frozenset[str]) -> tuple[str, str, str]:
    """(subject name, type, unit name) of a ranking row (no query: related rows are selected); a unit whose
    name repeats in the tenant (`repeated_unit_names`) is named with its parent."""
    if snap.org_unit_id is not None:
        name = unit_label(snap.org_unit, repeated)
        return name, _("Org unit"), name
    position: Position = snap.position
    return position.title, _("Position"), unit_label(position.org_unit, repeated)


def flag_codes(snap: ScoreSnapshot) -> list[str]:
    return sorted({f.get("code") for f in snap.flags or () if f.get("code")})


@dataclass(frozen=True)
class HomeScore:
    snapshot: ScoreSnapshot
    band: str  # css class of the total's band


def home_scores(*, org_unit_id: int | None, position_id: int | None) -> dict[str, HomeScore]:
    """The unit's and the position's score ({"unit": …, "position": …}) in the latest period where either has
    one, for the role homes (one query: the tenant-and-subject index)."""
    subjects = [
        subject_key(org_unit_id=org_unit_id) if org_unit_id else None,
        subject_key(position_id=position_id) if position_id else None,
    ]
    snaps = list(
        ScoreSnapshot.objects.filter(subject__in=[s for s in subjects if s]).select_related("period").defer(
            "breakdown"
        )
    )
    if not snaps:
        return {}
    latest = max(snaps, key=lambda snap: period_order(snap.period)).period_id
    return {
        "position" if snap.position_id else "unit": HomeScore(snap, BAND_CSS[_band(snap.total)])
        for snap in snaps
        if snap.period_id == latest
    }
