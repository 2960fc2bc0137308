"""The department dashboard of one unit in one period (about seven queries)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from collab.models import OrgUnit, Period
from goals.selectors.scores import BAND_CSS
from interlock import engine
from interlock.models import ScoreSnapshot
from interlock.selectors.dashboards.common import (
    LINE_ROLES,
    MATRIX_ROLES,
    band_of,
    decimal_or_none,
    flag_text,
    kpi_labels,
    matrix_scores,
    name_units_apart,
)
from interlock.selectors.scores import snapshot_for

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
            "band": BAND_CSS[band_of(latest[p.pk][1])],
            "current": p.pk == period.pk,
        }
        for p in periods
        if p.pk in latest and p.kind == period.kind  # a trend compares like with like (months, quarters…)
    ]
    snap = snapshot_for(period, subject)

    # Every row of the matrices that give this unit a row, as the period's recompute scored them (one query;
    # a second when there are none: is the period computed at all?).
    scored = matrix_scores(period, unit=unit)
    unit_ids = {r.unit for r in scored.rows}
    breakdown = list(snap.breakdown) if snap else []
    flags = list(snap.flags) if snap else []
    kpi_ids = {r.kpi for r in scored.rows} | {r.eval_kpi for r in scored.rows if r.eval_kpi}
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
    name_units_apart(units)

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
                    "value": decimal_or_none(row.get("value")),
                    "band": BAND_CSS[band_of(row.get("score"))],
                }
            )
        else:
            other_rows.append({**row, "value": decimal_or_none(row.get("value"))})
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
                "responsibility_points": result.responsibility_points,
                "shortfall": result.shortfall,
                "band": BAND_CSS[band_of(result.contribution)],
            }
        )
    shared = []
    shortfalls = []
    for matrix_id, matrix_rows in by_matrix.items():
        kpi_id = next(r.kpi for r in scored.rows if r.matrix == matrix_id)
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
        "band": BAND_CSS[band_of(total)],
        "lines": lines,
        "other_rows": other_rows,
        "breakdown_sum": sum((r["value"] or Decimal("0") for r in lines + other_rows), Decimal("0"))
        if snap and total is not None
        else None,
        "flags": [{**f, "text": flag_text(f, kpis)} for f in flags],
        "specials": specials,
        "incomplete_lines": incomplete_lines,
        "matrices_computed": scored.computed,
        "matrices_computed_at": scored.computed_at,
        "shared": shared,
        "shortfalls": shortfalls,
        "shortfall_total": sum((s["shortfall"] or 0.0 for s in shortfalls), 0.0),
        "trend": trend,
        "chart": {
            "labels": [t["label"] for t in trend],
            "values": [None if t["total"] is None else float(t["total"]) for t in trend],
        },
    }
