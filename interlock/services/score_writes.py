"""How a recompute stores its results: only what changed.

`scores_recompute` computes a period (or the scope of a partial recompute) and hands the engine's columns
here. Snapshots: one query reads the stored (pk, subject, version, digest) of the scope; then the rows it
would write are serialised straight from the columns a slice of scorecards at a time (`snapshot_chunks`),
each with a `digest` of its serialised columns, and compared with the stored digests as they come: new
subjects are INSERTed, rows whose digest differs are UPDATEd in place, subjects gone are DELETEd, and
unchanged rows are not touched (no UPDATE: no dead row, same pk, version and computed_at). Matrix results
(`MatrixRowResult`): the same, comparing the values themselves (a few numbers per row).

What changed goes into a staging table as it is found (`interlock.services.staged`: COPY on PostgreSQL,
streamed), then into the stored table with one UPDATE by primary key and one INSERT: a period's documents
are never all in memory, and no statement carries the values in its text. Nothing is staged, and nothing
written, when nothing changed. No model instance is built and no field's preparation runs per row.
Row-level security applies (the caller's transaction and role).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from hashlib import blake2b
from itertools import chain
from typing import Any

import numpy as np
from django.utils import timezone

from collab.tenancy import current_tenant
from interlock import engine
from interlock.models import MatrixRowResult, ScoreSnapshot
from interlock.services.staged import Stage

BATCH = 2000  # ids per DELETE statement


@dataclass(frozen=True)
class Written:
    """What one table's write did: rows inserted, updated in place, deleted, and left as they were."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


# --------------------------------------------------------------------------------------------- serialise


def _decimal_texts(values: np.ndarray, places: int) -> list[str | None]:
    """`str(Decimal(value) quantised to places)` of every float (None for NaN), once per distinct value."""
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


def _digests(columns: dict[str, list]) -> list[str]:
    """One hash per row of every serialised column (None and "" differ; the column order is fixed)."""
    rows = zip(*columns.values(), strict=True)
    return [
        blake2b(
            "\x1f".join("\x00" if v is None else str(v) for v in row).encode(), digest_size=16
        ).hexdigest()
        for row in rows
    ]


SNAPSHOT_FIELDS = (
    "scorecard", "subject", "org_unit", "position", "total", "kpi_part", "review_part", "review_weight",
    "points", "flags", "breakdown", "incomplete", "digest",
)  # fmt: skip


def snapshot_chunks(
    result: engine.PeriodScores, subjects: dict[int, tuple[int | None, int | None]]
) -> Iterator[dict[str, list]]:
    """The rows to store, straight from the engine's columns, a slice of scorecards at a time (the engine's
    `breakdown_slices`), as columns: ScoreSnapshot field → equal-length list. Decimals travel as their text,
    the JSON fields as their JSON text (no Python object per breakdown row); the `digest` column hashes all
    the others. `subjects`: scorecard → (unit, position)."""
    sc = result.columns["scorecards"]
    flags = result.flag_documents()
    start = 0
    for documents in result.breakdown_slices():
        part = slice(start, start + len(documents))
        start = part.stop
        cards = sc["scorecard"][part].tolist()
        units_positions = [subjects[card] for card in cards]
        has_total = sc["has_total"][part].tolist()
        totals = _cents_texts(sc["total_cents"][part])
        points = _cents_texts(sc["points_cents"][part])
        # Without a total the rows carry no values; the points column then keeps the clamped points.
        raw_points = _decimal_texts(sc["points"][part], 2)
        columns = {
            "scorecard": cards,
            "subject": sc["subject"][part].tolist(),
            "org_unit": [unit for unit, _position in units_positions],
            "position": [position for _unit, position in units_positions],
            "total": [t if ok else None for t, ok in zip(totals, has_total, strict=True)],
            "kpi_part": _decimal_texts(sc["kpi_part"][part], 4),
            "review_part": _decimal_texts(sc["review_part"][part], 4),
            "review_weight": _decimal_texts(sc["rho_effective"][part], 3),
            "points": [p if ok else r for p, r, ok in zip(points, raw_points, has_total, strict=True)],
            "flags": flags[part],
            "breakdown": documents,
            "incomplete": sc["incomplete"][part].tolist(),
        }
        columns["digest"] = _digests(columns)
        yield columns


def snapshot_rows(
    result: engine.PeriodScores, subjects: dict[int, tuple[int | None, int | None]]
) -> dict[str, list]:
    """Every row of `snapshot_chunks` at once (for tests and the benchmark; the recompute streams them)."""
    rows: dict[str, list] = {name: [] for name in SNAPSHOT_FIELDS}
    for columns in snapshot_chunks(result, subjects):
        for name, values in columns.items():
            rows[name].extend(values)
    return rows


# --------------------------------------------------------------------------------------------- writes


def _pick(columns: dict[str, list], at: list[int]) -> dict[str, list]:
    return {name: [values[i] for i in at] for name, values in columns.items()}


def _stage(model, fields, chunks: Iterator[dict[str, list]]) -> Stage | None:
    """A stage (`interlock.services.staged`) holding the rows `chunks` yields, each with its "id" (the
    stored row it updates, None for a new one); None, and nothing staged, when it yields nothing."""
    first = next(chunks, None)
    if first is None:
        return None
    stage = Stage(model, fields, with_pk=True)
    stage.fill(chain([first], chunks))
    return stage


def _store(stage: Stage | None, counts: dict[str, int], *, fixed: dict, stamp: dict) -> None:
    """Write what `stage` holds: one UPDATE by primary key, one INSERT of the new rows (only those that
    `counts` says exist)."""
    if stage is None:
        return
    if counts["updated"]:
        stage.update_by_pk(stamp)
    if counts["inserted"]:
        stage.insert_new({**fixed, **stamp})
    stage.drop()


def _delete(model, pks: list[int]) -> None:
    for at in range(0, len(pks), BATCH):
        model.objects.filter(pk__in=pks[at : at + BATCH])._raw_delete(model.objects.db)


# --------------------------------------------------------------------------------------------- snapshots


def snapshots_stored(
    period_id: int, scope: Collection[int] | None, subjects: list[str] | None
) -> list[tuple]:
    """(pk, subject, version, digest) of the stored snapshots a recompute compares with: the period's, or
    on a partial recompute those of the scorecards in scope and of the subjects it computed. One query (on a
    partial recompute a UNION, each side on its index: an OR of the two reads the whole period)."""
    fields = ("pk", "subject", "version", "digest")
    stored = ScoreSnapshot.objects.filter(period_id=period_id).order_by()
    if scope is None:
        return list(stored.values_list(*fields))
    by_card = stored.filter(scorecard_id__in=list(scope)).values_list(*fields)
    return list(by_card.union(stored.filter(subject__in=subjects or []).values_list(*fields)))


def snapshots_write(
    chunks: Iterable[dict[str, list]],
    stored: list[tuple],
    *,
    tenant_id: int,
    period_id: int,
    version: int,
    computed_at,
) -> Written:
    """Insert, update and delete what differs between the rows `chunks` yields (`snapshot_chunks`) and
    `stored` (see the module doc). Each chunk is compared with the stored digests as it comes, and only its
    changed rows are staged: a period's rows are never all in memory."""
    live: dict[str, tuple[int, str]] = {}  # subject → (pk, digest) of its live row
    extra: list[int] = []
    for pk, subject, _version, digest in sorted(stored, key=lambda r: (r[1], -r[2], -r[0])):
        if subject in live:  # one live row per subject: the latest
            extra.append(pk)
        else:
            live[subject] = (pk, digest)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}

    def changed() -> Iterator[dict[str, list]]:
        for columns in chunks:
            at, ids = [], []
            for i, (subject, digest) in enumerate(zip(columns["subject"], columns["digest"], strict=True)):
                old = live.pop(subject, None)
                if old is not None and old[1] == digest:
                    counts["unchanged"] += 1
                    continue
                counts["updated" if old is not None else "inserted"] += 1
                at.append(i)
                ids.append(None if old is None else old[0])
            if at:
                yield {"id": ids, **_pick(columns, at)}

    stage = _stage(ScoreSnapshot, SNAPSHOT_FIELDS, changed())  # compares every row as it stages them
    gone = extra + [pk for pk, _digest in live.values()]
    if gone:
        _delete(ScoreSnapshot, gone)
    _store(stage, counts, fixed={"tenant": tenant_id, "period": period_id},
           stamp={"version": version, "computed_at": computed_at})  # fmt: skip
    return Written(deleted=len(gone), **counts)


# --------------------------------------------------------------------------------------------- matrices


MATRIX_FIELDS = (
    "matrix", "rank", "row_id", "kpi", "org_unit", "role", "share", "eval_kpi", "contribution",
    "responsibility_points", "shortfall", "composite", "kpi_score",
)  # fmt: skip
_MATRIX_VALUES = MATRIX_FIELDS[2:]


def matrix_columns(result: engine.PeriodScores) -> dict[str, list]:
    """The period's matrix rows as the engine scored them (every row of every matrix it was given), each
    with its matrix's composite and its KPI's score: what dashboards and the API read instead of scoring."""
    composites = {m.matrix: m.composite for m in result.matrices}
    kpi_scores = result.kpi_scores
    ranks: dict[int, int] = {}
    columns: dict[str, list] = {name: [] for name in MATRIX_FIELDS}
    for row in result.matrix_rows:
        rank = ranks[row.matrix] = ranks.get(row.matrix, -1) + 1
        values = (
            row.matrix, rank, row.row, row.kpi, row.unit, row.role, row.share, row.eval_kpi,
            row.contribution, row.responsibility_points, row.shortfall, composites.get(row.matrix),
            kpi_scores.get(row.kpi),
        )  # fmt: skip
        for name, value in zip(MATRIX_FIELDS, values, strict=True):
            columns[name].append(value)
    return columns


def keyed_write(
    model,
    columns: dict[str, list],
    stored,
    *,
    keys: tuple[str, ...],
    values: tuple[str, ...],
    tenant_id: int,
    period_id: int,
    version: int,
    computed_at,
) -> Written:
    """Bring the `stored` rows (a queryset: the period's, or a partial recompute's part of them) to
    `columns`, row by row keyed by `keys`: insert what is new, update in place what differs in `values`,
    delete what is gone, leave the rest untouched. One query reads what is stored (a few thousand rows: the
    matrix results); the changed rows are staged and written only when there are any. Values compare as
    the stored Python values (floats as floats, a decimal given as its text as a Decimal)."""
    meta = model._meta
    fields = [f"{name}_id" if meta.get_field(name).is_relation else name for name in (*keys, *values)]
    width = 1 + len(keys)
    live = {tuple(r[1:width]): (r[0], r[width:]) for r in stored.values_list("pk", *fields)}
    decimals = [meta.get_field(name).get_internal_type() == "DecimalField" for name in values]
    new_values = zip(*(columns[name] for name in values), strict=True)
    new_keys = zip(*(columns[name] for name in keys), strict=True)
    at, ids = [], []
    counts = {"inserted": 0, "updated": 0}
    for i, (key, row) in enumerate(zip(new_keys, new_values, strict=True)):
        old = live.pop(key, None)
        if old is not None:
            row = tuple(
                Decimal(v) if decimal and v is not None else v
                for v, decimal in zip(row, decimals, strict=True)
            )
            if old[1] == row:
                continue
        counts["updated" if old is not None else "inserted"] += 1
        at.append(i)
        ids.append(None if old is None else old[0])
    stage = _stage(model, (*keys, *values), iter([{"id": ids, **_pick(columns, at)}] if at else []))
    gone = [pk for pk, _values in live.values()]
    if gone:
        _delete(model, gone)
    _store(stage, counts, fixed={"tenant": tenant_id, "period": period_id},
           stamp={"version": version, "computed_at": computed_at})  # fmt: skip
    n = len(next(iter(columns.values()))) if columns else 0
    unchanged = n - counts["inserted"] - counts["updated"]
    return Written(deleted=len(gone), unchanged=unchanged, **counts)


def matrix_results_write(
    columns: dict[str, list],
    *,
    tenant_id: int,
    period_id: int,
    kpis: Collection[int] | None,
    version: int,
    computed_at,
) -> Written:
    """Bring the stored matrix results of the period (of the matrices of `kpis` on a partial recompute) to
    `columns`: insert, update or delete only rows that differ, keyed by (matrix, rank)."""
    stored = MatrixRowResult.objects.filter(period_id=period_id)
    if kpis is not None:
        stored = stored.filter(kpi_id__in=list(kpis))
    return keyed_write(
        MatrixRowResult, columns, stored, keys=("matrix", "rank"), values=_MATRIX_VALUES,
        tenant_id=tenant_id, period_id=period_id, version=version, computed_at=computed_at,
    )  # fmt: skip


def now_and_tenant() -> tuple[Any, int]:
    return timezone.now(), current_tenant().pk
