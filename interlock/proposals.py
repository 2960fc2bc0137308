"""Lines a scorecard could start from (reads only; the HR admin accepts or adjusts them in the editor).

- from the goal tree: each goal of the subject in the period is an own line with the goal's weight;
- from the responsibility matrices in effect for the period: each matrix naming the subject's unit implies
  a line for its KPI, own for the lead and shared for collaborating and support units (weight 0 until the
  HR admin sets it);
- from the previous period: the lines of the same subject's scorecard of the latest earlier period of the
  same kind.

A proposal never replaces a line the scorecard already has: `merge_lines` keeps the current lines and
appends the proposed KPIs that are missing. Every function runs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from collab.models import Period
from collab.selectors.periods import period_start
from goals.models import Goal
from interlock.models import LineRole, Scorecard, ScorecardLine
from responsibility.models import MatrixRole, MatrixRow
from responsibility.selectors import matrix_effective_ids

SOURCES = ("goals", "matrices", "previous")


@dataclass(frozen=True)
class ProposedLine:
    kpi_id: int
    role: str
    weight: Decimal
    threshold: Decimal | None = None
    reason: str = ""

    def as_row(self) -> dict[str, Any]:
        return {
            "kpi": str(self.kpi_id),
            "role": self.role,
            "weight": f"{self.weight.normalize():f}" if self.weight is not None else "",
            "threshold": "" if self.threshold is None else f"{self.threshold.normalize():f}",
            "proposed": True,
            "reason": self.reason,
        }


def subject_unit_id(scorecard: Scorecard) -> int:
    """The unit whose matrix rows apply to the scorecard: its own unit, or its position's unit."""
    if scorecard.org_unit_id is not None:
        return scorecard.org_unit_id
    return scorecard.position.org_unit_id


def from_goals(scorecard: Scorecard) -> list[ProposedLine]:
    """The subject's goals in the period as own lines (one query). A KPI held twice sums its weights."""
    goals = Goal.objects.filter(period_id=scorecard.period_id)
    if scorecard.position_id is not None:
        goals = goals.filter(position_id=scorecard.position_id)
    else:
        goals = goals.filter(org_unit_id=scorecard.org_unit_id, position__isnull=True)
    weights: dict[int, Decimal] = {}
    for kpi_id, weight in goals.order_by("depth", "order", "id").values_list("kpi_id", "weight"):
        weights[kpi_id] = weights.get(kpi_id, Decimal("0")) + (weight or Decimal("0"))
    return [
        ProposedLine(kpi_id=kpi_id, role=LineRole.OWN, weight=min(weight, Decimal("100")), reason="goal")
        for kpi_id, weight in weights.items()
    ]


def from_matrices(scorecard: Scorecard) -> list[ProposedLine]:
    """Lines implied by the matrices in effect for the period that name the subject's unit (two queries)."""
    matrix_ids = list(matrix_effective_ids(scorecard.period).values())
    if not matrix_ids:
        return []
    rows = (
        MatrixRow.objects.filter(matrix_id__in=matrix_ids, org_unit_id=subject_unit_id(scorecard))
        .order_by("matrix__kpi__code", "matrix_id")
        .values_list("matrix__kpi_id", "role")
    )
    return [
        ProposedLine(
            kpi_id=kpi_id,
            role=LineRole.OWN if role == MatrixRole.LEAD else LineRole.SHARED,
            weight=Decimal("0"),
            reason=role,
        )
        for kpi_id, role in rows
    ]


def previous_scorecard(scorecard: Scorecard) -> Scorecard | None:
    """The same subject's scorecard of the latest earlier period of the same kind (two queries)."""
    start = period_start(scorecard.period)
    earlier = [p for p in Period.objects.filter(kind=scorecard.period.kind) if period_start(p) < start]
    if not earlier:
        return None
    candidates = Scorecard.objects.filter(
        period_id__in=[p.pk for p in earlier],
        org_unit_id=scorecard.org_unit_id,
        position_id=scorecard.position_id,
    ).select_related("period")
    found = sorted(candidates, key=lambda card: period_start(card.period))
    return found[-1] if found else None


def from_previous(scorecard: Scorecard) -> list[ProposedLine]:
    previous = previous_scorecard(scorecard)
    if previous is None:
        return []
    return [
        ProposedLine(
            kpi_id=line.kpi_id,
            role=line.role,
            weight=line.weight,
            threshold=line.threshold,
            reason="previous",
        )
        for line in ScorecardLine.objects.filter(scorecard=previous).order_by("order", "id")
    ]


def propose(scorecard: Scorecard, source: str) -> list[ProposedLine]:
    if source == "goals":
        return from_goals(scorecard)
    if source == "matrices":
        return from_matrices(scorecard)
    if source == "previous":
        return from_previous(scorecard)
    raise ValueError(f"unknown proposal source {source!r}")


def merge_lines(current: list[dict[str, Any]], proposed: list[ProposedLine]) -> tuple[list[dict], int]:
    """The current editor rows plus the proposed KPIs they lack; returns (rows, number added)."""
    present = {str(row.get("kpi")) for row in current}
    added = [line.as_row() for line in proposed if str(line.kpi_id) not in present]
    return [*current, *added], len(added)


def matrix_scorecard_proposals(matrix) -> list[dict[str, Any]]:
    """For a matrix's page: each row's unit, the line it implies, and that unit's scorecard in the period the
    matrix takes effect from (if any) and whether it already has the KPI (two queries; rows prefetched)."""
    rows = list(matrix.rows.all())
    unit_ids = [row.org_unit_id for row in rows]
    cards = {
        card.org_unit_id: card
        for card in Scorecard.objects.filter(period_id=matrix.effective_from_id, org_unit_id__in=unit_ids)
    }
    holding = (
        set(
            ScorecardLine.objects.filter(
                scorecard__in=list(cards.values()), kpi_id=matrix.kpi_id
            ).values_list("scorecard_id", flat=True)
        )
        if cards
        else set()
    )
    out = []
    for row in rows:
        card = cards.get(row.org_unit_id)
        out.append(
            {
                "row": row,
                "line_role": LineRole.OWN if row.role == MatrixRole.LEAD else LineRole.SHARED,
                "scorecard": card,
                "has_line": card is not None and card.pk in holding,
            }
        )
    return out
