"""Reads behind "explain every number": a period's snapshots as a ranking, and one snapshot's breakdown with
the names its rows point to (KPIs, matrices, units). A fixed number of queries, whatever the size.

A snapshot's `breakdown` (written by `interlock.engine`) holds one row per scorecard line, one review row
and one points row; their `value`s add up to the snapshot's `total` exactly. `explain()` adds the KPI code
and name, the matrix and the subject unit's role and share in it, and the reason a review part is hidden.

Why no rating counted is told at read time (`review_missing_reason`), from the review campaigns of the
period (`interlock.hooks.review_campaigns`): the engine only knows it got no ratings, and a campaign launched
after the last recompute changes the honest answer without changing the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from collab.models import Job, Period
from collab.selectors.org import holder_label
from goals.models import KPI
from interlock import engine
from interlock.hooks import review_campaigns
from interlock.models import ScoreSnapshot
from responsibility.models import ResponsibilityMatrix

# Why a review part counts nothing, as pages and the API say it (`review_missing_reason`).
MISSING_NO_CAMPAIGN = "no_campaign"  # no launched internal-customer campaign rated the subject this period
MISSING_CAMPAIGN_OPEN = "campaign_open"  # one is open: its results are released (and counted) at close
MISSING_BELOW_K = engine.REASON_BELOW_K  # closed with fewer distinct raters than the anonymity threshold

FLAG_FILTERS = (
    engine.FLAG_NO_DATA,
    engine.FLAG_NO_KPI_DATA,
    engine.FLAG_REVIEW,
    engine.FLAG_SPECIAL_REVIEW,
    engine.FLAG_POINTS_CLAMPED,
    engine.FLAG_COLLAB_LOW,
)


def snapshots_latest(period: Period) -> QuerySet:
    """The period's current snapshots: one row per subject. A recompute deletes the rows it replaces in the
    transaction that writes the new ones, so every committed row is current; a partial recompute rewrites
    only the subjects it reached, so rows of one period may carry different versions."""
    return ScoreSnapshot.objects.filter(period=period)


def snapshot_for(period: Period, subject: str) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(period=period, subject=subject).order_by("-version").first()


def active_recompute_job(period: Period | None) -> Job | None:
    """The period's recompute that is queued or running, if any (the newest)."""
    if period is None:
        return None
    return (
        Job.objects.filter(key=f"period:{period.pk}", status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )


def snapshot_queryset() -> QuerySet:
    return ScoreSnapshot.objects.select_related("period", "org_unit__parent", "position__org_unit__parent")


def snapshot_search(
    *, period: Period | int | None = None, kind: str = "", q: str = "", flag: str = "", incomplete=None
) -> QuerySet:
    """Snapshots by period, best total first (no total last), filtered."""
    rows = snapshot_queryset()
    if period is not None:
        rows = rows.filter(period=period)
    if kind == "unit":
        rows = rows.filter(org_unit__isnull=False)
    elif kind == "position":
        rows = rows.filter(position__isnull=False)
    if q:
        rows = rows.filter(
            Q(org_unit__name__icontains=q)
            | Q(org_unit__code__icontains=q)
            | Q(org_unit__parent__name__icontains=q)
            | Q(position__title__icontains=q)
            | Q(position__org_unit__name__icontains=q)
        )
    if flag == engine.FLAG_NO_DATA or incomplete is True:
        rows = rows.filter(incomplete=True)
    elif incomplete is False:
        rows = rows.filter(incomplete=False)
    if flag and flag != engine.FLAG_NO_DATA:
        # flags is a JSON list of {"code": …}; a text match on the code is portable (SQLite and PostgreSQL).
        rows = rows.filter(flags__icontains=f'"code": "{flag}"')
    # to-one joins only: no duplicates. The order `scoresnapshot_rank_idx` serves (keyset pages).
    return rows.order_by("period_id", F("total").desc(nulls_last=True), "subject", "pk")


def subject_label(snapshot: ScoreSnapshot, repeated: frozenset[str]) -> str:
    """Whose score, the unit told apart from same-named ones (`repeated_unit_names`)."""
    if snapshot.org_unit_id or snapshot.position_id:
        return holder_label(snapshot.org_unit, snapshot.position, repeated)
    return snapshot.subject


@dataclass
class Explained:
    snapshot: ScoreSnapshot
    lines: list[dict[str, Any]] = field(default_factory=list)
    review: dict[str, Any] = field(default_factory=dict)
    points: dict[str, Any] = field(default_factory=dict)
    flags: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)  # own/shared lines without data
    rows_sum: Decimal | None = None

    @property
    def adds_up(self) -> bool:
        return self.rows_sum == self.snapshot.total


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def review_missing_reason(snapshot: ScoreSnapshot, hidden_reason: str | None) -> dict[str, Any]:
    """Why the review part of a snapshot counts nothing (`missing_reason`, None when it counts or ρ is 0),
    and the deadline of the campaign whose results are awaited (`open_campaign_deadline`). One query, only
    when the engine counted no rating."""
    answer: dict[str, Any] = {"missing_reason": None, "open_campaign_deadline": None}
    if hidden_reason == engine.REASON_BELOW_K:
        answer["missing_reason"] = MISSING_BELOW_K
    elif hidden_reason == engine.REASON_NO_RATINGS:
        units = frozenset({snapshot.org_unit_id} if snapshot.org_unit_id else ())
        positions = frozenset({snapshot.position_id} if snapshot.position_id else ())
        campaigns = [
            (status, deadline)
            for rows in review_campaigns.collect(snapshot.period, units=units, positions=positions).values()
            for subject, status, deadline in rows
            if subject == snapshot.subject
        ]
        open_deadlines = [deadline for status, deadline in campaigns if status == "open"]
        if open_deadlines:
            answer.update(missing_reason=MISSING_CAMPAIGN_OPEN, open_campaign_deadline=min(open_deadlines))
        elif campaigns:  # closed, and not one rating counted: fewer than k raters (none at all)
            answer["missing_reason"] = MISSING_BELOW_K
        else:
            answer["missing_reason"] = MISSING_NO_CAMPAIGN
    return answer


def explain(snapshot: ScoreSnapshot) -> Explained:
    """The breakdown of one snapshot with names: two queries (KPIs, matrices), three when no rating counted
    in a review part that has weight (the review campaigns behind it)."""
    rows = list(snapshot.breakdown or [])
    kpi_ids = {r.get("kpi") for r in rows} | {r.get("eval_kpi") for r in rows}
    kpi_ids |= {f.get("kpi") for f in snapshot.flags or []}
    kpi_ids.discard(None)
    found = KPI.objects.filter(pk__in=kpi_ids).only("pk", "code", "name", "unit", "direction")
    kpis = {k.pk: k for k in found}
    matrix_ids = {r.get("matrix") for r in rows} - {None}
    versions = ResponsibilityMatrix.objects.filter(pk__in=matrix_ids).only("pk", "version", "kpi_id")
    matrices = {m.pk: m for m in versions}
    out = Explained(snapshot=snapshot)
    total = Decimal("0")
    has_values = True
    for row in rows:
        value = _dec(row.get("value"))
        if value is None:
            has_values = False
        else:
            total += value
        if row.get("kind") == "line":
            line = {
                **row,
                "value": value,
                "kpi_obj": kpis.get(row.get("kpi")),
                "eval_kpi_obj": kpis.get(row.get("eval_kpi")),
                "matrix_obj": matrices.get(row.get("matrix")),
            }
            out.lines.append(line)
            if row.get("role") != "reference" and not row.get("has_data") and (row.get("weight") or 0) > 0:
                out.missing.append(line)
        elif row.get("kind") == "review":
            out.review = {**row, "value": value}
        elif row.get("kind") == "points":
            out.points = {**row, "value": value}
    for flag in snapshot.flags or []:
        out.flags.append({**flag, "kpi_obj": kpis.get(flag.get("kpi"))})
    reason = next((f for f in out.flags if f.get("code") == engine.FLAG_REVIEW), None)
    if out.review:
        out.review["hidden_reason"] = reason.get("reason") if reason else None
        out.review["k"] = reason.get("k") if reason else None
        out.review.update(review_missing_reason(snapshot, out.review["hidden_reason"]))
    out.rows_sum = total if has_values and rows else None
    return out


def explain_data(explained: Explained) -> dict[str, Any]:
    """The same as plain JSON-ready data for the API."""

    def kpi(obj):
        return None if obj is None else {"id": obj.pk, "code": obj.code, "name": obj.name}

    def money(value):
        return None if value is None else f"{value:.2f}"

    return {
        "lines": [
            {
                "line": line.get("line"),
                "kpi": kpi(line["kpi_obj"]) or {"id": line.get("kpi")},
                "role": line.get("role"),
                "weight": line.get("weight"),
                "weight_in_kpi_part": line.get("weight_in_kpi_part"),
                "threshold": line.get("threshold"),
                "target": line.get("target"),
                "actual": line.get("actual"),
                "kpi_score": line.get("kpi_score"),
                "score": line.get("score"),
                "source": line.get("source"),
                "evaluation_kpi": kpi(line["eval_kpi_obj"]),
                "matrix": line.get("matrix"),
                "matrix_role": line.get("matrix_role"),
                "share": line.get("share"),
                "counts": line.get("counts"),
                "has_data": line.get("has_data"),
                "contribution": money(line["value"]),
            }
            for line in explained.lines
        ],
        "review": {
            "rho": explained.review.get("rho"),
            "rho_effective": explained.review.get("rho_effective"),
            "review_part": explained.review.get("review_part"),
            "shown": explained.review.get("shown"),
            "hidden_reason": explained.review.get("hidden_reason"),
            "missing_reason": explained.review.get("missing_reason"),
            "open_campaign_deadline": explained.review.get("open_campaign_deadline"),
            "anonymity_threshold": explained.review.get("k"),
            "contribution": money(explained.review.get("value")),
        },
        "points": {
            "raw": explained.points.get("raw"),
            "cap": explained.points.get("cap"),
            "points": explained.points.get("points"),
            "contribution": money(explained.points.get("value")),
        },
        "flags": [{k: v for k, v in flag.items() if k != "kpi_obj"} for flag in explained.flags],
        "no_data_lines": [line.get("line") for line in explained.missing],
        "rows_sum": money(explained.rows_sum),
    }
