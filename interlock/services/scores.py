"""The period recompute: `scores_recompute(period=…)` is a pure function of the stored inputs.

It computes every published scorecard of the period with the engine and replaces the period's snapshots
with a new version (one INSERT of rows serialised straight from the engine's columns, one DELETE of the
older versions) in one transaction, holding a lock on the period row, so a retried, duplicated or
interrupted run never double counts and readers see one whole version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.models import Period
from collab.routing.ids import coerce_id
from collab.services.org.periods import ensure_period_open
from collab.tenancy import current_tenant
from interlock import engine
from interlock.models import MatrixRowResult, ScoredPeriod, ScoreSnapshot
from interlock.selectors.inputs import period_inputs
from interlock.services.collaboration import unit_kpi_lines_backfill_all, unit_kpi_lines_write
from interlock.services.scorecards.lines import MISSING_CHOICE


@dataclass(frozen=True)
class RecomputeResult:
    period_id: int
    version: int
    snapshots: int
    deleted: int


# --------------------------------------------------------------------------------------------- recompute


def _dec(value: float | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _decimal_texts(values: np.ndarray, places: int) -> list[str | None]:
    """`str(_dec(value, places))` of every float (None for NaN), computed once per distinct value."""
    floats = np.ascontiguousarray(values, dtype=np.float64)
    unique, inverse = np.unique(floats.view(np.int64), return_inverse=True)
    quantum = Decimal(1).scaleb(-places)
    made = [
        None if v != v else str(Decimal(repr(v)).quantize(quantum, rounding=ROUND_HALF_EVEN))
        for v in unique.view(np.float64).tolist()
    ]
    return [made[i] for i in inverse.tolist()]


def _cents_texts(cents: np.ndarray) -> list[str]:
    unique, inverse = np.unique(np.asarray(cents, dtype=np.int64), return_inverse=True)
    made = [str(Decimal(c).scaleb(-2)) for c in unique.tolist()]
    return [made[i] for i in inverse.tolist()]


@dataclass
class SnapshotRows:
    """One snapshot version of a period as columns: what `_insert_snapshots` writes in one statement.

    `columns` maps ScoreSnapshot field names to equal-length lists; Decimals travel as their text, the
    JSON fields as their JSON text (written as they are: no Python object per breakdown row)."""

    tenant_id: int
    period_id: int
    version: int
    computed_at: Any
    columns: dict[str, list]

    def __len__(self) -> int:
        return len(self.columns["scorecard"])


def _snapshot_rows(result: engine.PeriodScores, data, *, version: int) -> SnapshotRows:
    """The new version's rows, straight from the engine's columns."""
    sc = result.columns["scorecards"]
    cards = sc["scorecard"].tolist()
    subjects = [data.subjects[card] for card in cards]
    has_total = sc["has_total"]
    totals = _cents_texts(sc["total_cents"])
    points = _cents_texts(sc["points_cents"])
    # Without a total the rows carry no values; the points column then keeps the clamped points.
    raw_points = _decimal_texts(sc["points"], 2)
    return SnapshotRows(
        tenant_id=current_tenant().pk,
        period_id=data.period.pk,
        version=version,
        computed_at=timezone.now(),
        columns={
            "scorecard": cards,
            "subject": sc["subject"].tolist(),
            "org_unit": [unit for unit, _position in subjects],
            "position": [position for _unit, position in subjects],
            "total": [t if ok else None for t, ok in zip(totals, has_total.tolist(), strict=True)],
            "kpi_part": _decimal_texts(sc["kpi_part"], 4),
            "review_part": _decimal_texts(sc["review_part"], 4),
            "review_weight": _decimal_texts(sc["rho_effective"], 3),
            "points": [
                p if ok else r for p, r, ok in zip(points, raw_points, has_total.tolist(), strict=True)
            ],
            "flags": result.flag_documents(),
            "breakdown": result.breakdown_documents(),
            "incomplete": sc["incomplete"].tolist(),
        },
    )


_SQL_TYPES = {  # field → (PostgreSQL array type of its parameter, cast of each element)
    "scorecard": ("bigint[]", ""),
    "subject": ("text[]", ""),
    "org_unit": ("bigint[]", ""),
    "position": ("bigint[]", ""),
    "total": ("text[]", "::numeric"),
    "kpi_part": ("text[]", "::numeric"),
    "review_part": ("text[]", "::numeric"),
    "review_weight": ("text[]", "::numeric"),
    "points": ("text[]", "::numeric"),
    "flags": ("text[]", "::jsonb"),
    "breakdown": ("text[]", "::json"),
    "incomplete": ("boolean[]", ""),
}


def _insert_snapshots(rows: SnapshotRows) -> None:
    """Insert a version's snapshots in one statement, in the caller's transaction (row-level security
    applies). PostgreSQL: `INSERT … SELECT FROM unnest(arrays)`, one parameter per column, not per value.
    SQLite: one `executemany`. Neither builds a model instance or runs a field's preparation per row:
    the values are already what the columns hold."""
    from django.db import connection

    if not len(rows):
        return
    meta = ScoreSnapshot._meta
    quote = connection.ops.quote_name
    names = list(rows.columns)
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("tenant", "period", "version", "computed_at", *names)
    )
    table = quote(meta.db_table)
    # Identifiers come from the model's meta and the fixed column list; every value is a parameter.
    if connection.vendor == "postgresql":
        selected = ", ".join(f"c{i}{_SQL_TYPES[name][1]}" for i, name in enumerate(names))
        arrays = ", ".join(f"%s::{_SQL_TYPES[name][0]}" for name in names)
        aliases = ", ".join(f"c{i}" for i in range(len(names)))
        sql = f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, %s, {selected} "  # noqa: S608
        sql += f"FROM unnest({arrays}) AS x({aliases})"
        params = [rows.tenant_id, rows.period_id, rows.version, rows.computed_at]
        with connection.cursor() as cursor:
            cursor.execute(sql, params + [rows.columns[name] for name in names])
        return
    when = connection.ops.adapt_datetimefield_value(rows.computed_at)
    marks = ", ".join(["%s"] * (4 + len(names)))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    fixed = (rows.tenant_id, rows.period_id, rows.version, when)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [fixed + values for values in zip(*rows.columns.values(), strict=True)])


def _matrix_row_results(result: engine.PeriodScores, *, period: Period, version: int, computed_at: Any):
    """The period's matrix rows as the engine scored them (every row of every matrix in effect), each with
    its matrix's composite and its KPI's score: what dashboards and the API read instead of scoring."""
    composites = {m.matrix: m.composite for m in result.matrices}
    kpi_scores = result.kpi_scores
    ranks: dict[int, int] = {}
    made = []
    for row in result.matrix_rows:
        rank = ranks[row.matrix] = ranks.get(row.matrix, -1) + 1
        made.append(
            MatrixRowResult(
                period=period,
                matrix_id=row.matrix,
                rank=rank,
                row_id=row.row,
                kpi_id=row.kpi,
                org_unit_id=row.unit,
                role=row.role,
                share=row.share,
                eval_kpi_id=row.eval_kpi,
                contribution=row.contribution,
                responsibility_points=row.responsibility_points,
                shortfall=row.shortfall,
                composite=composites.get(row.matrix),
                kpi_score=kpi_scores.get(row.kpi),
                version=version,
                computed_at=computed_at,
            )
        )
    return made


def _replace_matrix_results(result: engine.PeriodScores, *, period: Period, version: int, computed_at) -> int:
    """Replace the period's matrix results with this recompute's (the engine scores every matrix row of
    the period on a partial recompute too, so the whole set is current). Two statements."""
    MatrixRowResult.objects.filter(period=period).delete()
    made = _matrix_row_results(result, period=period, version=version, computed_at=computed_at)
    MatrixRowResult.objects.bulk_create(made, batch_size=2000)
    return len(made)


def _record_scored_period(period: Period, *, scored: bool, version: int, computed_at) -> None:
    """Keep the period's `ScoredPeriod` row in step with its snapshots, in the recompute's transaction:
    written while the period has a snapshot (this recompute's, or on a partial recompute one it kept),
    deleted when the recompute removed the last one. One or two statements on an indexed key."""
    if scored or ScoreSnapshot.objects.filter(period=period).exists():
        ScoredPeriod.objects.update_or_create(
            period=period, defaults={"version": version, "computed_at": computed_at}
        )
    else:
        ScoredPeriod.objects.filter(period=period).delete()


@transaction.atomic
def scores_recompute(
    *,
    period: Period | int,
    actor=None,
    ratings: Any = None,
    points: Any = None,
    kpi_ids: Sequence[int] | None = None,
    scorecard_ids: Sequence[int] | None = None,
    progress: Any = None,
) -> RecomputeResult:
    """Recompute every published scorecard of `period` into a new snapshot version (see the module doc).

    `ratings` and `points` are the engine's frames for internal-customer ratings and approved points, until
    their models exist (later issues); they default to none.

    Partial path: with `kpi_ids` and/or `scorecard_ids`, only the scorecards those inputs reach are computed
    and rewritten (`interlock.recompute.affected_scorecard_ids`: lines on the KPIs, lines whose unit is judged
    by one of them as an evaluation KPI, the named scorecards); their old rows are deleted in the same
    transaction, every other snapshot keeps its row (and its older version number). `progress(percent)` is
    called between the stages (load, compute, write).
    """
    pk = coerce_id(period, Period)
    locked = Period.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if locked is None:
        raise ValidationError({"period": _(MISSING_CHOICE)})
    ensure_period_open(locked)
    scope = None
    if kpi_ids is not None or scorecard_ids is not None:
        from interlock.recompute import affected_scorecard_ids

        scope = affected_scorecard_ids(locked, kpi_ids=kpi_ids or (), scorecard_ids=scorecard_ids or ())
    data = period_inputs(locked, ratings=ratings, points=points)
    if scope is not None:
        cards, lines = data.inputs.scorecards, data.inputs.lines
        data.inputs.scorecards = cards[cards["scorecard"].isin(scope)]
        data.inputs.lines = lines[lines["scorecard"].isin(scope)]
    if progress:
        progress(40)
    result = engine.compute_period(data.inputs, data.params)
    if progress:
        progress(70)
    version = (ScoreSnapshot.objects.filter(period=locked).aggregate(v=Max("version"))["v"] or 0) + 1
    rows = _snapshot_rows(result, data, version=version)
    _insert_snapshots(rows)
    matrix_rows = _replace_matrix_results(
        result, period=locked, version=version, computed_at=rows.computed_at
    )
    older = ScoreSnapshot.objects.filter(period=locked, version__lt=version)
    if scope is not None:
        older = older.filter(scorecard_id__in=list(scope))
    deleted, _by_model = older.delete()
    unit_kpi_lines_write(
        result,
        period=locked,
        subjects=data.subjects,
        version=version,
        computed_at=rows.computed_at,
        scope=scope,
    )
    _record_scored_period(locked, scored=len(rows) > 0, version=version, computed_at=rows.computed_at)
    audit_record(
        actor=actor,
        action="scores.recompute",
        object_type="collab.period",
        object_id=locked.pk,
        object_repr=locked.label,
        after={
            "version": version,
            "snapshots": len(rows),
            "deleted": deleted,
            "matrix_rows": matrix_rows,
            **({"partial": True, "scorecards": len(scope)} if scope is not None else {}),
        },
    )
    return RecomputeResult(period_id=locked.pk, version=version, snapshots=len(rows), deleted=deleted)


@transaction.atomic
def matrix_results_backfill(*, period: Period | int, actor=None) -> int:
    """Fill in the matrix results of a period scored before the recompute stored them: its snapshots stay
    as they are (a closed period is never recomputed, and this is not a recompute), and its matrix rows are
    computed from the stored inputs by the same code as `scores_recompute` (`period_inputs` → the engine →
    `_matrix_row_results`), stamped with the version and time of the period's last snapshot. Does nothing
    to a period without snapshots or that already has matrix results; returns the rows written."""
    pk = coerce_id(period, Period)
    locked = Period.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if locked is None:
        raise ValidationError({"period": _(MISSING_CHOICE)})
    if MatrixRowResult.objects.filter(period=locked).exists():
        return 0
    last = ScoreSnapshot.objects.filter(period=locked).order_by("-version", "-computed_at").first()
    if last is None:
        return 0
    data = period_inputs(locked)
    result = engine.compute_period(data.inputs, data.params)
    made = _matrix_row_results(result, period=locked, version=last.version, computed_at=last.computed_at)
    MatrixRowResult.objects.bulk_create(made, batch_size=2000)
    audit_record(
        actor=actor,
        action="scores.matrix_backfill",
        object_type="collab.period",
        object_id=locked.pk,
        object_repr=locked.label,
        after={"version": last.version, "matrix_rows": len(made)},
    )
    return len(made)


def matrix_results_backfill_all() -> int:
    """`matrix_results_backfill` for every scored period (`ScoredPeriod`) of every tenant that has no matrix
    results; returns the rows written. `migrate` runs it after all migrations
    (`scores_backfill_after_migrate`)."""
    from collab.models import Tenant
    from collab.tenancy import tenant_scope

    written = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant):
            done = MatrixRowResult.objects.values("period_id")
            periods = ScoredPeriod.objects.exclude(period_id__in=done).order_by("period_id")
            for period_id in periods.values_list("period_id", flat=True):
                written += matrix_results_backfill(period=period_id)
    return written


def scored_periods_backfill_all() -> int:
    """Write the `ScoredPeriod` row of every period of every tenant that has snapshots and no row yet
    (scored before the recompute recorded it), with the version and time of its last snapshot; returns
    the rows written. One probe of the snapshots' (tenant, period) index per period, never a scan of the
    snapshots; idempotent (a period with its row is skipped)."""
    from django.db.models import Exists, OuterRef

    from collab.models import Tenant
    from collab.tenancy import tenant_scope

    written = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant), transaction.atomic():
            missing = (
                Period.objects.filter(Exists(ScoreSnapshot.objects.filter(period=OuterRef("pk"))))
                .exclude(pk__in=ScoredPeriod.objects.values("period_id"))
                .order_by("pk")
            )
            for period in missing:
                last = (
                    ScoreSnapshot.objects.filter(period=period).order_by("-version", "-computed_at").first()
                )
                if last is not None:
                    ScoredPeriod.objects.create(
                        period=period, version=last.version, computed_at=last.computed_at
                    )
                    written += 1
    return written


def scores_backfill_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate of interlock (once per `migrate` or flush): record the periods scored before
    `ScoredPeriod` existed, then fill in the matrix results and the collaboration view's `UnitKpiLines` of
    scored periods that predate them.

    A receiver rather than a data migration because it runs the current models and engine, which a migration
    may only do once the whole schema is current, and with the tenant scope row-level security needs.
    Idempotent: a few queries per tenant once everything is filled; a scored period whose matrices give no
    row at all is computed again on each migrate (and still writes nothing)."""
    if using != "default":
        return
    scored_periods_backfill_all()
    matrix_results_backfill_all()
    unit_kpi_lines_backfill_all()
