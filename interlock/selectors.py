"""Reads of the interlock area: the engine's inputs for a tenant and period, and the latest snapshots.

`period_inputs` loads everything the score engine needs with a fixed handful of bulk `values_list`
queries (published scorecards, their lines, the matrix versions in effect and their rows, the KPI library,
the period's measurements through the goals selector), whatever the size of the tenant.

Internal-customer ratings and approved points arrive with later issues (their models do not exist yet);
until then callers pass them as frames (`ratings`: subject, rater, value; `points`: subject, points) and
the default is none. Subjects are `interlock.models.subject_key` strings ("unit:7", "position:12").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from collab.models import Period
from collab.tenancy import current_tenant
from goals.models import KPI
from goals.selectors.scores import kpi_values
from interlock.engine import EngineParams, PeriodInputs
from interlock.models import Scorecard, ScorecardLine, ScoreSnapshot
from responsibility.models import MatrixRow
from responsibility.selectors import matrix_effective_ids


@dataclass
class PeriodData:
    """The engine's inputs and parameters, plus what the writer needs to name each scorecard's subject."""

    period: Period
    inputs: PeriodInputs
    params: EngineParams
    subjects: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)  # id → (unit, position)


def tenant_params() -> EngineParams:
    tenant = current_tenant()
    return EngineParams(
        anonymity_threshold=int(tenant.anonymity_threshold),
        point_cap=float(tenant.point_cap),
        min_collaborative_weight=float(tenant.min_collaborative_weight),
    )


def _subject(org_unit: Any, position: Any) -> str:
    return f"unit:{org_unit}" if org_unit is not None else f"position:{position}"


def period_inputs(
    period: Period,
    *,
    ratings: Any = None,
    points: Any = None,
    statuses: tuple[str, ...] = (Scorecard.Status.PUBLISHED,),
) -> PeriodData:
    """Everything `interlock.engine.compute_period` needs for `period` (published scorecards by default)."""
    records = list(
        Scorecard.objects.filter(period=period, status__in=statuses).values_list(
            "pk", "org_unit_id", "position_id", "position__org_unit_id", "review_weight"
        )
    )
    cards = pd.DataFrame(
        {
            "scorecard": [r[0] for r in records],
            "subject": [_subject(r[1], r[2]) for r in records],
            # The unit whose matrix rows apply: the subject unit, or the position's unit.
            "unit": pd.array([r[1] if r[1] is not None else r[3] for r in records], dtype="Int64"),
            "rho": [r[4] for r in records],
        }
    )
    lines = pd.DataFrame.from_records(
        list(
            ScorecardLine.objects.filter(scorecard__period=period, scorecard__status__in=statuses)
            .order_by("scorecard_id", "order", "pk")
            .values_list("pk", "scorecard_id", "kpi_id", "weight", "role", "threshold")
        ),
        columns=["line", "scorecard", "kpi", "weight", "role", "threshold"],
    )
    effective = matrix_effective_ids(period)
    rows = pd.DataFrame.from_records(
        list(
            MatrixRow.objects.order_by("matrix_id", "order", "pk").values_list(
                "pk", "matrix_id", "matrix__kpi_id", "org_unit_id", "role", "share", "evaluation_kpi_id"
            )
        ),
        columns=["row", "matrix", "kpi", "unit", "role", "share", "eval_kpi"],
    )
    rows = rows[rows["matrix"].isin(list(effective.values()))]
    kpis = pd.DataFrame.from_records(
        list(KPI.objects.values_list("pk", "direction", "cap")), columns=["kpi", "direction", "cap"]
    )
    values = kpi_values(period)
    measurements = pd.DataFrame.from_records(
        [(k, v.target, v.actual) for k, v in values.items() if v.target is not None or v.actual is not None],
        columns=["kpi", "target", "actual"],
    )
    inputs = PeriodInputs(
        kpis=kpis,
        measurements=measurements,
        matrix_rows=rows,
        scorecards=cards,
        lines=lines,
        ratings=ratings,
        points=points,
    )
    subjects = {r[0]: (r[1], r[2]) for r in records}
    return PeriodData(period=period, inputs=inputs, params=tenant_params(), subjects=subjects)


def snapshots_latest(period: Period) -> QuerySet:
    """The period's current snapshots: one row per subject. A recompute deletes the rows it replaces in the
    transaction that writes the new ones, so every committed row is current; a partial recompute rewrites
    only the subjects it reached, so rows of one period may carry different versions."""
    return ScoreSnapshot.objects.filter(period=period)


def snapshot_for(period: Period, subject: str) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(period=period, subject=subject).order_by("-version").first()
