"""The score engine's inputs for a tenant and period, read in bulk.

`period_inputs` loads everything the score engine needs with a fixed handful of bulk `values_list`
queries (published scorecards, their lines, the matrix versions in effect and their rows, the KPI library,
the period's measurements through the goals selector), whatever the size of the tenant.

Internal-customer ratings and approved points arrive with later issues (their models do not exist yet);
until then callers pass them as frames (`ratings`: subject, rater, value; `points`: subject, points) and
the default is none. Subjects are `interlock.models.subject_key` strings ("unit:7", "position:12").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast

from collab.models import Period
from collab.tenancy import current_tenant
from goals.engine.periods import period_value
from goals.models import KPI
from goals.selectors.scores import period_measurements
from interlock.engine import EngineParams, PeriodInputs
from interlock.models import Scorecard, ScorecardLine
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


def _float(name: str) -> Cast:
    """A decimal column read as a float: the engine computes in floats, and no Decimal is built per value."""
    return Cast(name, FloatField())


def _rows(queryset: QuerySet) -> list[tuple]:
    """The tuples of a `values_list` query, fetched by the cursor as they come: no per-value converters
    (Django's float converter alone cost 0.6 s on 200,000 lines). The casts must come last in the
    `values_list`, as Django selects the fields before the expressions."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. `pk__in=[]`: Django answers without asking the database
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _frame(rows: list[tuple], names: list[str], *, floats: tuple = (), texts: tuple = ()) -> pd.DataFrame:
    """Rows (tuples) as a DataFrame of one array per column: `floats` as float64 (None → NaN), `texts` as
    objects, the rest as int64 (ids, never None). One pass per column (an item getter, no zip of rows)."""

    def array(at: int, name: str) -> np.ndarray:
        values = map(itemgetter(at), rows)
        if name in floats:
            return np.array(list(values), dtype=float)
        if name in texts:
            return np.array(list(values), dtype=object)
        return np.fromiter(values, dtype=np.int64, count=len(rows))

    return pd.DataFrame({name: array(at, name) for at, name in enumerate(names)})


def _measurements(period: Period, rules: dict[int, str]) -> pd.DataFrame:
    """kpi, target, actual of the active KPIs with a value in `period` (its own, or derived from its months
    and quarters: `goals.engine.periods.period_value`, the same values `goals.selectors.scores.kpi_values`
    gives).
    The KPIs are a subquery, not a list of ids (20,000 parameters cost more than the query)."""
    rows = list(period_measurements(period, KPI.objects.filter(is_active=True).values("pk")))
    values = period_value(
        rows, rules, kind=period.kind, year=period.year, quarter=period.quarter, month=period.month
    )
    kept = [
        (k, v["target"], v["actual"])
        for k, v in values.items()
        if v["target"] is not None or v["actual"] is not None
    ]
    return _frame(kept, ["kpi", "target", "actual"], floats=("target", "actual"))


def period_inputs(
    period: Period,
    *,
    ratings: Any = None,
    points: Any = None,
    statuses: tuple[str, ...] = (Scorecard.Status.PUBLISHED,),
) -> PeriodData:
    """Everything `interlock.engine.compute_period` needs for `period` (published scorecards by default).

    Six queries whatever the size; decimals come as floats and each table as one array per column."""
    records = _rows(
        Scorecard.objects.filter(period=period, status__in=statuses).values_list(
            "pk", "org_unit_id", "position_id", "position__org_unit_id", _float("review_weight")
        )
    )
    cards = pd.DataFrame(
        {
            "scorecard": np.array([r[0] for r in records], dtype=np.int64),
            "subject": np.array([_subject(r[1], r[2]) for r in records], dtype=object),
            # The unit whose matrix rows apply: the subject unit, or the position's unit.
            "unit": np.array([r[1] if r[1] is not None else r[3] for r in records], dtype=float),
            "rho": np.array([r[4] for r in records], dtype=float),
        }
    )
    lines = _frame(
        _rows(
            ScorecardLine.objects.filter(scorecard__period=period, scorecard__status__in=statuses)
            .order_by("scorecard_id", "order", "pk")
            .values_list("pk", "scorecard_id", "kpi_id", "role", _float("weight"), _float("threshold"))
        ),
        ["line", "scorecard", "kpi", "role", "weight", "threshold"],
        floats=("weight", "threshold"),
        texts=("role",),
    )
    effective = matrix_effective_ids(period)
    rows = _frame(
        _rows(
            MatrixRow.objects.filter(matrix_id__in=list(effective.values()))
            .order_by("matrix_id", "order", "pk")
            .values_list(
                "pk",
                "matrix_id",
                "matrix__kpi_id",
                "org_unit_id",
                "role",
                "evaluation_kpi_id",
                _float("share"),
            )
        ),
        ["row", "matrix", "kpi", "unit", "role", "eval_kpi", "share"],
        floats=("share", "eval_kpi"),
        texts=("role",),
    )
    library = _rows(KPI.objects.values_list("pk", "direction", "aggregation", "is_active", _float("cap")))
    kpis = _frame(
        [(k[0], k[1], k[4]) for k in library],
        ["kpi", "direction", "cap"],
        floats=("cap",),
        texts=("direction",),
    )
    measurements = _measurements(period, {k[0]: k[2] for k in library if k[3]})
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
