"""The score engine's inputs for a tenant and period, read in bulk.

`period_inputs` loads everything the score engine needs with a fixed handful of bulk `values_list`
queries (published scorecards, their lines, the matrix versions in effect and their rows, the KPI library,
the period's measurements through the goals selector), whatever the size of the tenant. `scope_inputs`
does the same for a partial recompute, reading only the scorecards in scope and what they need.

Internal-customer ratings and approved points come from the areas above (feedback) through the hooks
`interlock.hooks.score_ratings` and `score_points`, asked for the subjects read; a caller may pass them as
frames instead (`ratings`: subject, rater, value; `points`: subject, points). Subjects are
`interlock.models.subject_key` strings ("unit:7", "position:12").
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast

from collab.models import Period
from collab.tenancy import current_tenant
from goals.engine.periods import period_value
from goals.models import KPI
from goals.selectors.scores import period_measurements
from interlock.engine import EngineParams, PeriodInputs
from interlock.hooks import score_points, score_ratings
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
    # The KPIs whose matrices (in effect) were loaded whole, on a partial read; None: every matrix.
    matrix_kpis: set[int] | None = None


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


def _columns(rows: list[tuple], names: list[str], floats: tuple, texts: tuple) -> dict[str, np.ndarray]:
    def array(at: int, name: str) -> np.ndarray:
        values = map(itemgetter(at), rows)
        if name in floats:
            return np.array(list(values), dtype=float)
        if name in texts:
            return np.array(list(values), dtype=object)
        return np.fromiter(values, dtype=np.int64, count=len(rows))

    return {name: array(at, name) for at, name in enumerate(names)}


FETCH = 20_000  # rows fetched and turned into columns at a time


def _fetched_frame(
    queryset: QuerySet, names: list[str], *, floats: tuple = (), texts: tuple = ()
) -> pd.DataFrame:
    """`_frame(_rows(queryset), …)` for a large read (the lines: 200,000 rows). PostgreSQL: the rows come
    as CSV text (`COPY (query) TO STDOUT`) parsed by pandas' C reader, with no Python tuple or boxed value
    per row (less than half the time of fetching them, and ~40 B of text per line instead of ~300 B of
    tuples). Elsewhere `FETCH` rows at a time (one batch of tuples lives at once)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return _frame([], names, floats=floats, texts=texts)
    if connection.vendor == "postgresql":
        return _copied_frame(sql, params, names, floats=floats, texts=texts)
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            parts.append(_columns(batch, names, floats, texts))
    if not parts:
        return _frame([], names, floats=floats, texts=texts)
    return pd.DataFrame({name: np.concatenate([part[name] for part in parts]) for name in names})


def _copied_frame(sql: str, params, names: list[str], *, floats: tuple, texts: tuple) -> pd.DataFrame:
    """The rows of a query as `_frame` makes them, read with `COPY (query) TO STDOUT` (CSV, NULL as \\N:
    an empty text stays a text). COPY takes no parameters: the driver quotes them into the query."""
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '\\N')", buffer)
    if not buffer.tell():
        return _frame([], names, floats=floats, texts=texts)
    buffer.seek(0)
    types = {name: np.float64 if name in floats else object if name in texts else np.int64 for name in names}
    frame = pd.read_csv(
        buffer, header=None, names=names, dtype=types, na_values=["\\N"], keep_default_na=False
    )
    columns = {name: frame[name].to_numpy() for name in names}
    for name in texts:  # NULL as None, as the fetched rows give it
        columns[name] = np.where(frame[name].isna().to_numpy(), None, columns[name].astype(object))
    return pd.DataFrame(columns)  # as `_frame` makes it


def _frame(rows: list[tuple], names: list[str], *, floats: tuple = (), texts: tuple = ()) -> pd.DataFrame:
    """Rows (tuples) as a DataFrame of one array per column: `floats` as float64 (None → NaN), `texts` as
    objects, the rest as int64 (ids, never None). One pass per column (an item getter, no zip of rows)."""
    return pd.DataFrame(_columns(rows, names, floats, texts))


def _measurements(period: Period, rules: dict[int, str], kpis: Any) -> pd.DataFrame:
    """kpi, target, actual of the active KPIs with a value in `period` (its own, or derived from its months
    and quarters: `goals.engine.periods.period_value`, the same values `goals.selectors.scores.kpi_values`
    gives).
    For a whole period the KPIs are a subquery, not a list of ids (20,000 parameters cost more than the
    query); a partial recompute passes its few ids."""
    rows = list(period_measurements(period, kpis))
    values = period_value(
        rows, rules, kind=period.kind, year=period.year, quarter=period.quarter, month=period.month
    )
    kept = [
        (k, v["target"], v["actual"])
        for k, v in values.items()
        if v["target"] is not None or v["actual"] is not None
    ]
    return _frame(kept, ["kpi", "target", "actual"], floats=("target", "actual"))


def _provided(hook, period: Period, units: frozenset, positions: frozenset, names: list[str]) -> pd.DataFrame:
    """The rows every provider of `hook` gives for these subjects, as one frame (`interlock.hooks`)."""
    rows: list[tuple] = []
    if units or positions:
        for provided in hook.collect(period, units=units, positions=positions).values():
            rows.extend(provided)
    return pd.DataFrame(rows, columns=names)


def period_inputs(
    period: Period,
    *,
    ratings: Any = None,
    points: Any = None,
    statuses: tuple[str, ...] = (Scorecard.Status.PUBLISHED,),
) -> PeriodData:
    """Everything `interlock.engine.compute_period` needs for `period` (published scorecards by default).

    Six queries whatever the size; decimals come as floats and each table as one array per column."""
    cards = Scorecard.objects.filter(period=period, status__in=statuses)
    lines = ScorecardLine.objects.filter(scorecard__period=period, scorecard__status__in=statuses)
    return _inputs(period, cards, lines, ratings=ratings, points=points)


def scope_inputs(
    period: Period,
    scorecard_ids: Collection[int],
    kpi_ids: Collection[int] = (),
    *,
    ratings: Any = None,
    points: Any = None,
    statuses: tuple[str, ...] = (Scorecard.Status.PUBLISHED,),
) -> PeriodData:
    """The engine's inputs for a partial recompute: only the scorecards `scorecard_ids` (published ones),
    their lines, and the matrices, KPIs and measurements those need, plus the matrices `kpi_ids` reach
    (their own matrix, and any matrix with a row judged by one of them), whose results the recompute
    refreshes (`PeriodData.matrix_kpis`). Every matrix loaded comes with all its rows (its
    composite is whole).
    Six queries; what they read grows with the scope, not with the period."""
    ids = sorted({int(pk) for pk in scorecard_ids})
    cards = Scorecard.objects.filter(period=period, status__in=statuses, pk__in=ids)
    lines = ScorecardLine.objects.filter(
        scorecard__period=period, scorecard__status__in=statuses, scorecard_id__in=ids
    )
    return _inputs(period, cards, lines, ratings=ratings, points=points, kpi_ids={int(k) for k in kpi_ids})


def _inputs(
    period: Period,
    cards_query: QuerySet,
    lines_query: QuerySet,
    *,
    ratings: Any,
    points: Any,
    kpi_ids: set[int] | None = None,
) -> PeriodData:
    """The period's inputs (`kpi_ids` None) or a scope's (the KPIs and matrices the lines need)."""
    partial = kpi_ids is not None
    records = _rows(
        cards_query.values_list(
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
    lines = _fetched_frame(
        lines_query.order_by("scorecard_id", "order", "pk").values_list(
            "pk", "scorecard_id", "kpi_id", "role", _float("weight"), _float("threshold")
        ),
        ["line", "scorecard", "kpi", "role", "weight", "threshold"],
        floats=("weight", "threshold"),
        texts=("role",),
    )
    matrix_kpis = None
    if partial:
        line_kpis = set(lines["kpi"].tolist())
        # The KPIs of the matrices to load: the lines', the changed ones, and those of matrices with a row
        # judged by a changed KPI (a subquery, in the versions' query).
        judged = MatrixRow.objects.filter(evaluation_kpi_id__in=sorted(kpi_ids)).values("matrix__kpi_id")
        wanted = Q(pk__in=sorted(line_kpis | kpi_ids)) | Q(pk__in=judged)
        effective = matrix_effective_ids(period, kpis=KPI.objects.filter(wanted).values("pk"))
        matrix_kpis = set(effective) | kpi_ids
    else:
        effective = matrix_effective_ids(period)
    rows = _frame(
        _rows(
            MatrixRow.objects.filter(matrix_id__in=sorted(effective.values()))
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
    library_query = KPI.objects.all()
    if partial:
        evals = rows["eval_kpi"].dropna().astype(np.int64).tolist()
        needed = line_kpis | set(rows["kpi"].tolist()) | set(evals) | kpi_ids
        library_query = library_query.filter(pk__in=sorted(needed))
    library = _rows(library_query.values_list("pk", "direction", "aggregation", "is_active", _float("cap")))
    kpis = _frame(
        [(k[0], k[1], k[4]) for k in library],
        ["kpi", "direction", "cap"],
        floats=("cap",),
        texts=("direction",),
    )
    rules = {k[0]: k[2] for k in library if k[3]}
    measured = sorted(rules) if partial else KPI.objects.filter(is_active=True).values("pk")
    measurements = _measurements(period, rules, measured)
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
    if ratings is None or points is None:
        units = frozenset(r[1] for r in records if r[1] is not None)
        positions = frozenset(r[2] for r in records if r[2] is not None)
        if ratings is None:
            inputs.ratings = _provided(score_ratings, period, units, positions, ["subject", "rater", "value"])
        if points is None:
            inputs.points = _provided(score_points, period, units, positions, ["subject", "points"])
    return PeriodData(
        period=period, inputs=inputs, params=tenant_params(), subjects=subjects, matrix_kpis=matrix_kpis
    )
