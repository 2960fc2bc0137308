"""The period recompute: `scores_recompute(period=…)` is a pure function of the stored inputs.

read → compute → write snapshots → write matrix results → record ScoredPeriod → audit, in one
transaction holding a lock on the period row, so a retried, duplicated or interrupted run never double
counts and readers see one whole state. It computes every published scorecard of the period (or of a
partial recompute's scope) with the engine and stores only what changed (`interlock.services.score_writes`):
an unchanged score keeps its row. The period's version (`ScoredPeriod.version`, stamped on each row written)
moves iff a stored result changed; a recompute that changes nothing writes no row and no audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.models import Period
from collab.routing.ids import coerce_id
from collab.services.org.periods import ensure_period_open
from collab.tenancy import current_tenant
from interlock import engine
from interlock.models import MatrixRowResult, ScoredPeriod, ScoreSnapshot
from interlock.selectors.inputs import period_inputs, scope_inputs
from interlock.services.collaboration import (
    collaboration_summaries_expire,
    unit_kpi_lines_backfill_all,
    unit_kpi_lines_write,
)
from interlock.services.score_writes import (
    matrix_columns,
    matrix_results_write,
    now_and_tenant,
    snapshot_chunks,
    snapshots_stored,
    snapshots_write,
)
from interlock.services.scorecards.lines import MISSING_CHOICE


@dataclass(frozen=True)
class RecomputeResult:
    """What a recompute did. `version` is the period's stored version after it (moved only when something
    changed); `snapshots` the scorecards it computed; `written` the snapshots it inserted or updated,
    `deleted` those it removed, `unchanged` those it left as they were; `matrix_rows` the matrix results it
    inserted, updated or deleted."""

    period_id: int
    version: int
    snapshots: int
    deleted: int
    written: int = 0
    unchanged: int = 0
    matrix_rows: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted or self.matrix_rows)


# --------------------------------------------------------------------------------------------- recompute


def _stored_version(period: Period) -> int:
    """The period's stored version: its `ScoredPeriod` row's, else its latest snapshot's (0 for none)."""
    recorded = ScoredPeriod.objects.filter(period=period).values_list("version", flat=True).first()
    if recorded is not None:
        return recorded
    return ScoreSnapshot.objects.filter(period=period).aggregate(v=Max("version"))["v"] or 0


def _record_scored_period(period: Period, *, version: int, computed_at) -> None:
    """Keep the period's `ScoredPeriod` row in step with its snapshots, in the recompute's transaction
    (only when something changed): written while the period has a snapshot, deleted when the recompute
    removed the last one. One or two statements on an indexed key."""
    if ScoreSnapshot.objects.filter(period=period).exists():
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
    """Recompute the published scorecards of `period` and store what changed (see the module doc).

    `ratings` and `points` are the engine's frames for internal-customer ratings and approved points; by
    default they come from the areas that hold them (`interlock.hooks`).

    Partial path: with `kpi_ids` and/or `scorecard_ids`, only the scorecards those inputs reach are read,
    computed and compared (`interlock.recompute.affected_scorecard_ids`: lines on the KPIs, lines whose unit
    is judged by one of them as an evaluation KPI, the named scorecards), and only the matrix results of the
    matrices they reach. `progress(percent)` is called between the stages (load, compute, write).
    """
    pk = coerce_id(period, Period)
    locked = Period.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if locked is None:
        raise ValidationError({"period": _(MISSING_CHOICE)})
    ensure_period_open(locked)
    # read
    scope = None
    if kpi_ids is not None or scorecard_ids is not None:
        from interlock.recompute import affected_scorecard_ids

        scope = affected_scorecard_ids(locked, kpi_ids=kpi_ids or (), scorecard_ids=scorecard_ids or ())
        data = scope_inputs(locked, scope, kpi_ids or (), ratings=ratings, points=points)
    else:
        data = period_inputs(locked, ratings=ratings, points=points)
    if progress:
        progress(40)
    # compute
    result = engine.compute_period(data.inputs, data.params)
    subjects, matrix_kpis = data.subjects, data.matrix_kpis
    del data  # the input frames: not needed past the engine (memory)
    if progress:
        progress(70)
    matrix = matrix_columns(result)
    computed = len(result.columns["scorecards"]["scorecard"])
    # write snapshots: only what changed, serialised and compared a slice of scorecards at a time
    version = _stored_version(locked) + 1
    computed_at, tenant_id = now_and_tenant()
    stamp = {"tenant_id": tenant_id, "period_id": locked.pk, "version": version, "computed_at": computed_at}
    computed_subjects = result.columns["scorecards"]["subject"].tolist() if scope is not None else None
    stored = snapshots_stored(locked.pk, scope, computed_subjects)
    snapshots = snapshots_write(snapshot_chunks(result, subjects), stored, **stamp)
    del stored, computed_subjects
    # write matrix results: only what changed
    matrices = matrix_results_write(matrix, kpis=matrix_kpis, **stamp)
    changed = bool(snapshots.changed or matrices.changed)
    if not changed:  # nothing stored moved: no version, no audit row
        return RecomputeResult(
            period_id=locked.pk, version=version - 1, snapshots=computed, deleted=0, unchanged=computed
        )
    # the collaboration view's rows (interlock.services.collaboration), rebuilt when a snapshot changed
    unit_kpi_lines_write(
        result, period=locked, subjects=subjects, version=version, computed_at=computed_at, scope=scope
    )
    del result
    # record the scored period
    _record_scored_period(locked, version=version, computed_at=computed_at)
    # audit
    audit_record(
        actor=actor,
        action="scores.recompute",
        object_type="collab.period",
        object_id=locked.pk,
        object_repr=locked.label,
        after={
            "version": version,
            "snapshots": snapshots.inserted + snapshots.updated,
            "deleted": snapshots.deleted,
            "unchanged": snapshots.unchanged,
            "matrix_rows": matrices.changed,
            **({"partial": True, "scorecards": len(scope)} if scope is not None else {}),
        },
    )
    return RecomputeResult(
        period_id=locked.pk,
        version=version,
        snapshots=computed,
        deleted=snapshots.deleted,
        written=snapshots.inserted + snapshots.updated,
        unchanged=snapshots.unchanged,
        matrix_rows=matrices.changed,
    )


@transaction.atomic
def matrix_results_backfill(*, period: Period | int, actor=None) -> int:
    """Fill in the matrix results of a period scored before the recompute stored them: its snapshots stay
    as they are (a closed period is never recomputed, and this is not a recompute), and its matrix rows are
    computed from the stored inputs by the same code as `scores_recompute` (`period_inputs` → the engine →
    `matrix_columns`), stamped with the version and time of the period's last snapshot. Does nothing
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
    written = matrix_results_write(
        matrix_columns(result), tenant_id=current_tenant().pk, period_id=locked.pk, kpis=None,
        version=last.version, computed_at=last.computed_at,
    )  # fmt: skip
    audit_record(
        actor=actor,
        action="scores.matrix_backfill",
        object_type="collab.period",
        object_id=locked.pk,
        object_repr=locked.label,
        after={"version": last.version, "matrix_rows": written.inserted},
    )
    return written.inserted


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
    from collab.models import Tenant
    from collab.selectors.periods import first_of_period
    from collab.tenancy import tenant_scope

    written = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant), transaction.atomic():
            missing = (
                Period.objects.annotate(first=first_of_period(ScoreSnapshot.objects.all(), "subject"))
                .filter(first__isnull=False)
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
    filled = scored_periods_backfill_all() + matrix_results_backfill_all() + unit_kpi_lines_backfill_all()
    if filled:  # rows written without a new version: summaries cached by version must not be read again
        collaboration_summaries_expire()
