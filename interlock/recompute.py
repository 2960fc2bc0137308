"""The recompute pipeline around `interlock.services.scores.scores_recompute` (DESIGN.md §7).

Triggers → `scores_recompute_request(period=…, reason=…)`, called inside the writer's transaction (lower
areas' writes arrive as `collab.signals.scoring_inputs_changed`, see `scores_request_on_input_change`):

- **Coalescing.** One *queued* `Job` per (tenant, "period:<id>") (a partial unique constraint). A trigger
  finds the queued job (row-locked) and merges what changed into its params (KPI ids, scorecard ids, or
  "full"), or creates it. The task message is sent with `transaction.on_commit`, so a rolled-back write
  enqueues nothing (its Job row is rolled back with it) and a burst of writes sends one message.
- **Lock.** One recompute per tenant and period at a time: `scores_recompute` holds `SELECT … FOR UPDATE` on
  the period row for its whole transaction (read, compute, write). A second run waits for the first to
  commit and then reads the committed inputs. We chose the database row lock over a Redis lock: it works on
  every backend (SQLite serialises writers anyway), it covers exactly the transaction that reads and writes,
  and it is released by the database when a worker dies (no TTL to guess, no stale lock).
- **Idempotence.** A run stores only what differs from what is stored, in one transaction: a retry, a
  duplicate message or a worker killed half way never double counts, and a second run writes nothing.
- **Progress.** The Job row moves queued (0) → running (5) → done (100) | failed, committed at each step;
  inside the recompute transaction (invisible to other connections) the stages report to the cache
  (`collab.jobs`, which runs every kind of job).
- **Partial path.** A measurement, matrix or KPI-rule change names KPI ids: only scorecards those KPIs
  reach are recomputed and rewritten (`affected_scorecard_ids`). A scorecard change names the scorecard.
  The nightly run, the "Recompute now" button and the API recompute everything.
- **Closed periods** are read-only: nothing is queued for them (nightly included). Closing a period first
  runs the recompute still pending for it, in the closing transaction (`scores_flush_before_close`), so
  its frozen scores reflect all its inputs; a message arriving later finds its job done, or, for a job
  not flushed, ends it *skipped*, saying why, with nothing written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from collab.jobs import (
    job_claim,
    job_finish,
    job_heartbeat,
    job_message_set,
    job_progress_reporter,
    job_release,
)
from collab.models import Job, Period
from collab.selectors.periods import period_start
from collab.tenancy import current_tenant
from interlock.models import Scorecard, ScorecardLine, ScoreSnapshot
from responsibility.models import MatrixRow
from responsibility.selectors import matrix_effective_ids

logger = logging.getLogger(__name__)

KIND = Job.Kind.SCORE_RECOMPUTE

# What a recompute job ends with, by code (the API's `message_code`), each shown in the reader's language.
JOB_MESSAGES = {
    "scores_written": gettext_lazy("%(n)d score(s) written."),
    "scores_unchanged": gettext_lazy("Scores are up to date: %(n)d computed, none changed."),
    "scores_written_on_close": gettext_lazy("Ran as the period %(period)s closed: %(n)d score(s) written."),
    "skipped_period_closed": gettext_lazy(
        "Skipped: the period %(period)s was closed before this recompute ran; its scores stay as they were."
    ),
    "retrying": gettext_lazy("Retrying after a temporary error: %(error)s"),
    "gave_up": gettext_lazy("Gave up after retries: %(error)s"),
}
MAX_PARTIAL_IDS = 500  # more changed ids than this in one job: recompute the whole period instead
MAX_REASONS = 10
STALE_QUEUED = timedelta(minutes=10)  # a queued job older than this gets its message sent again
OPEN_STATUSES = (Period.Status.PLANNING, Period.Status.ACTIVE, Period.Status.REVIEW)
NIGHTLY_STATUSES = (Period.Status.ACTIVE, Period.Status.REVIEW)


def job_key(period_id: int) -> str:
    return f"period:{int(period_id)}"


# --------------------------------------------------------------------------------------------- scope


def affected_scorecard_ids(
    period: Period, *, kpi_ids: Iterable[int] = (), scorecard_ids: Iterable[int] = ()
) -> set[int]:
    """Scorecards of `period` (any status) whose scores can move when these KPIs' data change: those with a
    line on one of the KPIs, and those with a line on a KPI K whose matrix (the version in effect) judges
    the scorecard's unit by one of the KPIs as its evaluation KPI. Plus `scorecard_ids`. Four queries, each
    on the KPIs' own rows (the matrix versions read are those of matrices judging by one of the KPIs)."""
    kpis = {int(k) for k in kpi_ids}
    found = {int(s) for s in scorecard_ids}
    if found:
        found = set(Scorecard.objects.filter(period=period, pk__in=found).values_list("pk", flat=True))
    if not kpis:
        return found
    found.update(
        ScorecardLine.objects.filter(scorecard__period=period, kpi_id__in=kpis).values_list(
            "scorecard_id", flat=True
        )
    )
    judging = MatrixRow.objects.filter(evaluation_kpi_id__in=sorted(kpis)).values("matrix__kpi_id")
    effective = list(matrix_effective_ids(period, kpis=judging).values())
    judged = list(
        MatrixRow.objects.filter(matrix_id__in=effective, evaluation_kpi_id__in=kpis).values_list(
            "matrix__kpi_id", "org_unit_id"
        )
    )
    if judged:
        condition = Q()
        for kpi, unit in judged:
            unit_is = Q(scorecard__org_unit_id=unit) | Q(scorecard__position__org_unit_id=unit)
            condition |= Q(kpi_id=kpi) & unit_is
        found.update(
            ScorecardLine.objects.filter(condition, scorecard__period=period).values_list(
                "scorecard_id", flat=True
            )
        )
    return found


# --------------------------------------------------------------------------------------------- request


def _merge(
    params: dict[str, Any], *, full: bool, kpi_ids, scorecard_ids, reason: str, period_id: int
) -> dict:
    merged = dict(params or {})
    merged["period"] = period_id
    merged["full"] = bool(merged.get("full")) or full
    kpis = set(merged.get("kpis", [])) | {int(k) for k in kpi_ids or ()}
    cards = set(merged.get("scorecards", [])) | {int(s) for s in scorecard_ids or ()}
    if len(kpis) + len(cards) > MAX_PARTIAL_IDS:
        merged["full"] = True
    if merged["full"]:
        kpis, cards = set(), set()
    merged["kpis"] = sorted(kpis)
    merged["scorecards"] = sorted(cards)
    reasons = [*merged.get("reasons", []), reason]
    merged["reasons"] = list(dict.fromkeys(reasons))[-MAX_REASONS:]
    return merged


def _send(tenant_id: int, period_id: int, job_id: int) -> None:
    from interlock.tasks import recompute_period_scores

    try:
        if recompute_period_scores.app.conf.task_always_eager:  # in-process: run retries, never raise here
            recompute_period_scores.apply(args=[tenant_id, period_id, job_id], throw=False)
        else:
            recompute_period_scores.apply_async(args=[tenant_id, period_id, job_id])
    except Exception:  # noqa: BLE001 - the write is committed: never fail it; a later trigger re-sends
        logger.exception("could not run or enqueue the recompute of period %s (job %s)", period_id, job_id)


def _has_scores(period_id: int) -> bool:
    return (
        Scorecard.objects.filter(period_id=period_id, status=Scorecard.Status.PUBLISHED).exists()
        or ScoreSnapshot.objects.filter(period_id=period_id).exists()
    )


@transaction.atomic
def scores_recompute_request(
    *,
    period: Period | int,
    reason: str,
    kpi_ids: Iterable[int] | None = None,
    scorecard_ids: Iterable[int] | None = None,
    actor=None,
    force: bool = False,
) -> Job | None:
    """Ask for the recompute of `period` once the caller's transaction commits; returns the (coalesced) job.

    With neither `kpi_ids` nor `scorecard_ids` the whole period is recomputed. Nothing is queued for a
    closed period, or (unless `force`) for a period with no published scorecard and no snapshot.
    """
    period_id = period.pk if isinstance(period, Period) else int(period)
    status = Period.objects.filter(pk=period_id).values_list("status", flat=True).first()
    if status is None or status == Period.Status.CLOSED:
        return None
    if not force and not _has_scores(period_id):
        return None
    full = kpi_ids is None and scorecard_ids is None
    key = job_key(period_id)
    job = Job.objects.select_for_update().filter(kind=KIND, key=key, status=Job.Status.QUEUED).first()
    created = False
    if job is None:
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=KIND,
                    key=key,
                    params=_merge(
                        {}, full=full, kpi_ids=kpi_ids, scorecard_ids=scorecard_ids, reason=reason,
                        period_id=period_id,
                    ),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                created = True
        except IntegrityError:  # a concurrent trigger queued it first: merge into that one
            job = Job.objects.select_for_update().get(kind=KIND, key=key, status=Job.Status.QUEUED)
    if not created:
        job.params = _merge(
            job.params, full=full, kpi_ids=kpi_ids, scorecard_ids=scorecard_ids, reason=reason,
            period_id=period_id,
        )
        job.save(update_fields=["params"])
    if created or job.created_at < timezone.now() - STALE_QUEUED:
        tenant_id, job_id = current_tenant().pk, job.pk
        transaction.on_commit(lambda: _send(tenant_id, period_id, job_id))
    return job


def _enclosing_periods(period_ids: Iterable[int]) -> dict[int, list[int]]:
    """{period id: [it, and the open quarter and year that contain it]} (one query)."""
    periods = {p.pk: p for p in Period.objects.exclude(status=Period.Status.CLOSED)}
    out: dict[int, list[int]] = {}
    for pk in period_ids:
        period = periods.get(pk)
        if period is None:
            continue
        ids = [pk]
        for other in periods.values():
            if other.year != period.year or other.pk == pk:
                continue
            if other.kind == Period.Kind.YEAR and period.kind != Period.Kind.YEAR:
                ids.append(other.pk)
            elif (
                other.kind == Period.Kind.QUARTER
                and period.kind == Period.Kind.MONTH
                and other.quarter == (period.month - 1) // 3 + 1
            ):
                ids.append(other.pk)
        out[pk] = ids
    return out


def scores_recompute_request_measurements(*, changes: dict[int, set[int]], reason: str, actor=None) -> None:
    """Measurements changed: {period id: KPI ids}. A month also moves its quarter and year (derived)."""
    if not changes:
        return
    per_period: dict[int, set[int]] = {}
    for period_id, ids in _enclosing_periods(changes).items():
        for target in ids:
            per_period.setdefault(target, set()).update(changes[period_id])
    for period_id, kpis in per_period.items():
        scores_recompute_request(period=period_id, kpi_ids=kpis, reason=reason, actor=actor)


def scores_recompute_request_matrix(*, kpi_id: int, effective_from: Period, reason: str, actor=None) -> None:
    """A matrix of `kpi_id` changed from `effective_from` on: every open period starting then or later."""
    start = period_start(effective_from)
    for period in Period.objects.filter(status__in=OPEN_STATUSES):
        if period_start(period) >= start:
            scores_recompute_request(period=period, kpi_ids=[kpi_id], reason=reason, actor=actor)


def scores_recompute_request_kpi(*, kpi_id: int, reason: str, actor=None) -> list[Job]:
    """A KPI's scoring rule changed (direction, cap, aggregation, active): the open periods whose scores use
    it — a published scorecard there has a line on it, or (when it judges a matrix row as its evaluation
    KPI) any open period with scores. Three queries, plus the requests."""
    kpi_id = int(kpi_id)
    published = ScorecardLine.objects.filter(
        kpi_id=kpi_id,
        scorecard__status=Scorecard.Status.PUBLISHED,
        scorecard__period__status__in=OPEN_STATUSES,
    )
    period_ids = set(published.values_list("scorecard__period_id", flat=True))
    if MatrixRow.objects.filter(evaluation_kpi_id=kpi_id).exists():  # a request skips periods without scores
        period_ids |= set(Period.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    jobs = []
    for period_id in sorted(period_ids):
        job = scores_recompute_request(period=period_id, kpi_ids=[kpi_id], reason=reason, actor=actor)
        if job is not None:
            jobs.append(job)
    return jobs


def scores_recompute_request_tenant(*, reason: str = "nightly") -> list[Job]:
    """The nightly full recompute of one tenant: every active or in-review period with something to score."""
    jobs = []
    for period in Period.objects.filter(status__in=NIGHTLY_STATUSES).order_by("pk"):
        job = scores_recompute_request(period=period, reason=reason)
        if job is not None:
            jobs.append(job)
    return jobs


def scores_request_on_input_change(sender=None, *, signal=None, reason: str, actor=None, **inputs) -> None:
    """`collab.signals.scoring_inputs_changed` receiver: queue the recompute the changed inputs call for, in
    the writer's transaction (the task is sent when it commits)."""
    request = {
        "kpi": scores_recompute_request_kpi,
        "measurement": scores_recompute_request_measurements,
        "matrix": scores_recompute_request_matrix,
    }[reason]
    request(reason=reason, actor=actor, **inputs)


# --------------------------------------------------------------------------------------------- jobs


def _partial_of(job: Job) -> dict[str, Any]:
    """The `scores_recompute` arguments of a partial job (the KPIs and scorecards it names); {} if full."""
    params = job.params or {}
    if params.get("full", True):
        return {}
    return {"kpi_ids": params.get("kpis", []), "scorecard_ids": params.get("scorecards", [])}


def _written_message(result) -> dict[str, Any]:
    """The finished job's message: the scores it wrote, or that nothing changed (a no-op writes nothing)."""
    if result.changed:
        return {"code": "scores_written", "params": {"n": result.written}}
    return {"code": "scores_unchanged", "params": {"n": result.snapshots}}


def _summary(result, partial: dict) -> dict[str, Any]:
    """What a finished job records of its recompute."""
    return {
        "version": result.version,
        "snapshots": result.snapshots,
        "written": result.written,
        "unchanged": result.unchanged,
        "deleted": result.deleted,
        "matrix_rows": result.matrix_rows,
        "partial": bool(partial),
    }


def _skip_closed(job: Job, period_id: int) -> bool:
    """A period closed after the job was queued: its scores are read-only now and stay as they were when it
    closed (every input is frozen with it, so there is nothing a later run could change either). The job
    ends *skipped* without writing, saying so — not *failed*: nothing went wrong."""
    period = Period.objects.filter(pk=period_id).only("status", "kind", "year", "quarter", "month").first()
    if period is None or period.status != Period.Status.CLOSED:
        return False
    if Job.objects.filter(pk=job.pk, status=Job.Status.DONE).exists():  # the close ran it (see above)
        return True
    job_finish(
        job, status=Job.Status.SKIPPED, code="skipped_period_closed", params={"period": period.label},
        result={"skipped": "closed"},
    )  # fmt: skip
    return True


def scores_flush_before_close(sender=None, *, period: Period, **kwargs) -> None:
    """`collab.signals.period_closing` receiver: the recompute still pending for a period that is closing
    runs now, inside the closing transaction, so the scores frozen with the period reflect every input it
    had. The closer holds the period row, the recompute lock: a run a worker had under way has committed
    (the close waited for it); a job queued, or claimed but not yet locked, is run here and marked done, and
    its message, when it arrives, finds it done."""
    job = (
        Job.objects.select_for_update()
        .filter(kind=KIND, key=job_key(period.pk), status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .order_by("created_at", "pk")
        .first()
    )
    if job is None:
        return
    from interlock.services.scores import scores_recompute

    partial = _partial_of(job)
    result = scores_recompute(period=period, actor=job.created_by, **partial)
    if job.started_at is None:
        job.started_at = timezone.now()
        job.save(update_fields=["started_at"])
    summary = {**_summary(result, partial), "on_close": True}
    job_finish(
        job, status=Job.Status.DONE, code="scores_written_on_close",
        params={"period": period.label, "n": result.written}, result=summary,
    )  # fmt: skip


def scores_recompute_resume(job: Job) -> None:
    """`collab.jobs` resumer of a recompute job whose worker stopped: send its message again (the claim of
    the new delivery takes the job over; the recompute is idempotent)."""
    period_id = (job.params or {}).get("period") or job.key.removeprefix("period:")
    _send(current_tenant().pk, int(period_id), job.pk)


def scores_recompute_run(*, job_id: int, period_id: int, final_attempt: bool = True) -> dict[str, Any]:
    """What the task does: claim the job, recompute (all or the part the job names), record the outcome.

    A period closed since the job was queued ends it as skipped (nothing written); invalid data (a
    missing period) fails the job at once. Transient errors (database, broker)
    propagate for the task to retry; the job stays *running* meanwhile and fails after the last attempt.
    """
    from collab.tasks import TRANSIENT_ERRORS
    from interlock.services.scores import scores_recompute

    job = job_claim(job_id, kind=KIND)
    if job is None:
        return {"job": job_id, "status": "skipped"}
    if _skip_closed(job, period_id):
        return {"job": job.pk, "status": "skipped"}
    partial = _partial_of(job)
    try:
        with job_heartbeat(job) as heartbeat:
            report = job_progress_reporter(job.pk, heartbeat)
            result = scores_recompute(period=period_id, actor=job.created_by, progress=report, **partial)
    except ValidationError as invalid:
        if _skip_closed(job, period_id):  # it closed while this run waited for the period's lock
            return {"job": job.pk, "status": "skipped"}
        job_finish(job, status=Job.Status.FAILED, message=" ".join(invalid.messages), error=repr(invalid))
        return {"job": job.pk, "status": Job.Status.FAILED}
    except TRANSIENT_ERRORS as error:
        if final_attempt:
            job_finish(
                job, status=Job.Status.FAILED, code="gave_up", params={"error": str(error)}, error=repr(error)
            )
        else:
            job_message_set(job, "retrying", {"error": str(error)})
            job.save(update_fields=["message", "message_code", "message_params"])
            job_release(job)  # the retry's claim takes it at once
        raise
    except Exception as error:
        job_finish(
            job, status=Job.Status.FAILED, message=str(error) or type(error).__name__, error=repr(error)
        )
        raise
    summary = _summary(result, partial)
    job_finish(
        job, status=Job.Status.DONE, result=summary, **_written_message(result)
    )
    return {"job": job.pk, "status": Job.Status.DONE, **summary}

