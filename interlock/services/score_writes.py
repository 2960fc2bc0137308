"""How a recompute stores its results: only what changed.

`scores_recompute` computes a period (or the scope of a partial recompute) and hands the engine's columns
here. Snapshots: each row it would write is serialised straight from the columns (`snapshot_rows`) with a
`digest` of its serialised columns; one query reads the stored (pk, subject, version, digest) of the
scope; then new subjects are INSERTed, rows whose digest differs are UPDATEd in place, subjects gone are
DELETEd, and unchanged rows are not touched (no UPDATE: no dead row, same pk, version and computed_at).
Matrix results (`MatrixRowResult`): the same, comparing the values themselves (a few numbers per row).

Bulk statements on PostgreSQL send one array per column, not one parameter per value:
`INSERT … SELECT FROM unnest(arrays)` and `UPDATE … FROM unnest(arrays) WHERE id = x.id`; SQLite runs
one `executemany`. Neither builds a model instance or runs a field's preparation per row. Row-level
security applies (the caller's transaction and role).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from hashlib import blake2b
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from collab.tenancy import current_tenant
from interlock import engine
from interlock.models import MatrixRowResult, ScoreSnapshot


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


@dataclass
class SnapshotRows:
    """The snapshots a recompute computed, as columns (ScoreSnapshot field → equal-length list). Decimals
    travel as their text, the JSON fields as their JSON text (no Python object per breakdown row); the
    `digest` column hashes all the others."""

    columns: dict[str, list]

    def __len__(self) -> int:
        return len(self.columns["scorecard"])


def snapshot_rows(
    result: engine.PeriodScores, subjects: dict[int, tuple[int | None, int | None]]
) -> SnapshotRows:
    """The rows to store, straight from the engine's columns; `subjects`: scorecard → (unit, position)."""
    sc = result.columns["scorecards"]
    cards = sc["scorecard"].tolist()
    units_positions = [subjects[card] for card in cards]
    has_total = sc["has_total"].tolist()
    totals = _cents_texts(sc["total_cents"])
    points = _cents_texts(sc["points_cents"])
    # Without a total the rows carry no values; the points column then keeps the clamped points.
    raw_points = _decimal_texts(sc["points"], 2)
    columns = {
        "scorecard": cards,
        "subject": sc["subject"].tolist(),
        "org_unit": [unit for unit, _position in units_positions],
        "position": [position for _unit, position in units_positions],
        "total": [t if ok else None for t, ok in zip(totals, has_total, strict=True)],
        "kpi_part": _decimal_texts(sc["kpi_part"], 4),
        "review_part": _decimal_texts(sc["review_part"], 4),
        "review_weight": _decimal_texts(sc["rho_effective"], 3),
        "points": [p if ok else r for p, r, ok in zip(points, raw_points, has_total, strict=True)],
        "flags": result.flag_documents(),
        "breakdown": result.breakdown_documents(),
        "incomplete": sc["incomplete"].tolist(),
    }
    columns["digest"] = _digests(columns)
    return SnapshotRows(columns=columns)


# --------------------------------------------------------------------------------------------- bulk SQL

# field → (PostgreSQL array type of its parameter, cast of each element)
_SNAPSHOT_TYPES = {
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
    "digest": ("text[]", ""),
}
_MATRIX_TYPES = {
    "matrix": ("bigint[]", ""),
    "rank": ("integer[]", ""),
    "row_id": ("bigint[]", ""),
    "kpi": ("bigint[]", ""),
    "org_unit": ("bigint[]", ""),
    "role": ("text[]", ""),
    "share": ("float8[]", ""),
    "eval_kpi": ("bigint[]", ""),
    "contribution": ("float8[]", ""),
    "responsibility_points": ("float8[]", ""),
    "shortfall": ("float8[]", ""),
    "composite": ("float8[]", ""),
    "kpi_score": ("float8[]", ""),
}
BATCH = 2000  # rows per statement: bounds the statement text (and the client's memory) at ~3 MB


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _bulk_insert(model, types, fixed: dict[str, Any], columns: dict[str, list]) -> int:
    """INSERT the rows of `columns` with the `fixed` values on each (tenant, period, version, computed_at)."""
    n = len(next(iter(columns.values()))) if columns else 0
    if not n:
        return 0
    names = list(columns)
    targets = ", ".join(_column(model, name) for name in (*fixed, *names))
    table = connection.ops.quote_name(model._meta.db_table)
    # Identifiers come from the model's meta and fixed column lists; every value is a parameter.
    if connection.vendor == "postgresql":
        selected = ", ".join(f"c{i}{types[name][1]}" for i, name in enumerate(names))
        arrays = ", ".join(f"%s::{types[name][0]}" for name in names)
        aliases = ", ".join(f"c{i}" for i in range(len(names)))
        marks = ", ".join(["%s"] * len(fixed))
        sql = f"INSERT INTO {table} ({targets}) SELECT {marks}, {selected} "  # noqa: S608
        sql += f"FROM unnest({arrays}) AS x({aliases})"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*fixed.values(), *(columns[name] for name in names)])
        return n
    marks = ", ".join(["%s"] * (len(fixed) + len(names)))
    sql = f"INSERT INTO {table} ({targets}) VALUES ({marks})"  # noqa: S608
    first = tuple(_sqlite_value(v) for v in fixed.values())
    with connection.cursor() as cursor:
        cursor.executemany(sql, [first + values for values in zip(*columns.values(), strict=True)])
    return n


def _bulk_update(model, types, pks: list[int], fixed: dict[str, Any], columns: dict[str, list]) -> int:
    """UPDATE the rows `pks` in place: row i gets `columns[…][i]` and the `fixed` values."""
    if not pks:
        return 0
    names = list(columns)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    if connection.vendor == "postgresql":
        sets = [f"{_column(model, name)} = %s" for name in fixed]
        sets += [f"{_column(model, name)} = x.c{i}{types[name][1]}" for i, name in enumerate(names)]
        arrays = ", ".join(["%s::bigint[]", *(f"%s::{types[name][0]}" for name in names)])
        aliases = ", ".join(["id", *(f"c{i}" for i in range(len(names)))])
        sql = f"UPDATE {table} SET {', '.join(sets)} FROM unnest({arrays}) AS x({aliases}) "  # noqa: S608
        # `= ANY(ids)` lets the planner find the rows by primary key; without it, it hashes every row of
        # the tenant that row-level security lets through, once per statement.
        sql += f"WHERE {table}.{pk} = x.id AND {table}.{pk} = ANY(%s::bigint[])"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*fixed.values(), pks, *(columns[name] for name in names), pks])
        return len(pks)
    sets = ", ".join(f"{_column(model, name)} = %s" for name in (*fixed, *names))
    sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608
    first = tuple(_sqlite_value(v) for v in fixed.values())
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(*first, *values, key) for *values, key in zip(*columns.values(), pks, strict=True)]
        )
    return len(pks)


def _sqlite_value(value: Any) -> Any:
    if hasattr(value, "tzinfo"):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _pick(columns: dict[str, list], at: list[int]) -> dict[str, list]:
    return {name: [values[i] for i in at] for name, values in columns.items()}


def _write(
    model, types, columns, inserts, updates, update_pks, *, tenant_id, period_id, version, computed_at
) -> None:
    """The UPDATEs of rows `updates` (stored as `update_pks`) and the INSERTs of rows `inserts` of
    `columns`, stamped with the version and time, `BATCH` rows per statement."""
    stamp = {"version": version, "computed_at": computed_at}
    for at in range(0, len(updates), BATCH):
        picked = _pick(columns, updates[at : at + BATCH])
        _bulk_update(model, types, update_pks[at : at + BATCH], stamp, picked)
    fixed = {"tenant": tenant_id, "period": period_id, **stamp}
    for at in range(0, len(inserts), BATCH):
        _bulk_insert(model, types, fixed, _pick(columns, inserts[at : at + BATCH]))


# --------------------------------------------------------------------------------------------- snapshots


def snapshots_stored(period_id: int, scope: Collection[int] | None, subjects: list[str]) -> list[tuple]:
    """(pk, subject, version, digest) of the stored snapshots a recompute compares with: the period's, or
    on a partial recompute those of the scorecards in scope and of the subjects it computed. One query."""
    stored = ScoreSnapshot.objects.filter(period_id=period_id)
    if scope is not None:
        stored = stored.filter(Q(scorecard_id__in=list(scope)) | Q(subject__in=subjects))
    return list(stored.values_list("pk", "subject", "version", "digest"))


def snapshots_write(
    rows: SnapshotRows, stored: list[tuple], *, tenant_id: int, period_id: int, version: int, computed_at
) -> Written:
    """Insert, update and delete what differs between `rows` and `stored` (see the module doc)."""
    live: dict[str, tuple] = {}
    extra: list[int] = []
    for row in sorted(stored, key=lambda r: (r[1], -r[2], -r[0])):  # one live row per subject: the latest
        if row[1] in live:
            extra.append(row[0])
        else:
            live[row[1]] = row
    inserts, updates, update_pks = [], [], []
    for i, (subject, digest) in enumerate(zip(rows.columns["subject"], rows.columns["digest"], strict=True)):
        old = live.pop(subject, None)
        if old is None:
            inserts.append(i)
        elif old[3] != digest:
            updates.append(i)
            update_pks.append(old[0])
    gone = extra + [row[0] for row in live.values()]
    if gone:
        ScoreSnapshot.objects.filter(pk__in=gone)._raw_delete(ScoreSnapshot.objects.db)
    _write(ScoreSnapshot, _SNAPSHOT_TYPES, rows.columns, inserts, updates, update_pks,
           tenant_id=tenant_id, period_id=period_id, version=version, computed_at=computed_at)  # fmt: skip
    unchanged = len(rows) - len(inserts) - len(updates)
    return Written(inserted=len(inserts), updated=len(updates), deleted=len(gone), unchanged=unchanged)


# --------------------------------------------------------------------------------------------- matrices


_MATRIX_VALUES = tuple(name for name in _MATRIX_TYPES if name not in ("matrix", "rank"))


def matrix_columns(result: engine.PeriodScores) -> dict[str, list]:
    """The period's matrix rows as the engine scored them (every row of every matrix it was given), each
    with its matrix's composite and its KPI's score: what dashboards and the API read instead of scoring."""
    composites = {m.matrix: m.composite for m in result.matrices}
    kpi_scores = result.kpi_scores
    ranks: dict[int, int] = {}
    columns: dict[str, list] = {name: [] for name in _MATRIX_TYPES}
    for row in result.matrix_rows:
        rank = ranks[row.matrix] = ranks.get(row.matrix, -1) + 1
        values = (
            row.matrix, rank, row.row, row.kpi, row.unit, row.role, row.share, row.eval_kpi,
            row.contribution, row.responsibility_points, row.shortfall, composites.get(row.matrix),
            kpi_scores.get(row.kpi),
        )  # fmt: skip
        for name, value in zip(_MATRIX_TYPES, values, strict=True):
            columns[name].append(value)
    return columns


def keyed_write(
    model,
    types,
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
    delete what is gone, leave the rest untouched. One query reads what is stored; writes only when
    something changed. Values compare as the stored Python values (floats as floats, a decimal given as its
    text as a Decimal)."""
    fields = [f"{name}_id" if model._meta.get_field(name).is_relation else name for name in (*keys, *values)]
    width = 1 + len(keys)
    live = {tuple(r[1:width]): (r[0], r[width:]) for r in stored.values_list("pk", *fields)}
    decimals = [types[name][1] == "::numeric" for name in values]
    new_values = zip(*(columns[name] for name in values), strict=True)
    new_keys = zip(*(columns[name] for name in keys), strict=True)
    inserts, updates, update_pks = [], [], []
    for i, (key, row) in enumerate(zip(new_keys, new_values, strict=True)):
        old = live.pop(key, None)
        if old is None:
            inserts.append(i)
            continue
        row = tuple(
            Decimal(v) if decimal and v is not None else v for v, decimal in zip(row, decimals, strict=True)
        )
        if old[1] != row:
            updates.append(i)
            update_pks.append(old[0])
    gone = [pk for pk, _values in live.values()]
    if gone:
        for at in range(0, len(gone), BATCH):
            model.objects.filter(pk__in=gone[at : at + BATCH])._raw_delete(model.objects.db)
    _write(model, types, columns, inserts, updates, update_pks,
           tenant_id=tenant_id, period_id=period_id, version=version, computed_at=computed_at)  # fmt: skip
    n = len(next(iter(columns.values()))) if columns else 0
    unchanged = n - len(inserts) - len(updates)
    return Written(inserted=len(inserts), updated=len(updates), deleted=len(gone), unchanged=unchanged)


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
        MatrixRowResult, _MATRIX_TYPES, columns, stored, keys=("matrix", "rank"), values=_MATRIX_VALUES,
        tenant_id=tenant_id, period_id=period_id, version=version, computed_at=computed_at,
    )  # fmt: skip


def now_and_tenant() -> tuple[Any, int]:
    return timezone.now(), current_tenant().pk
