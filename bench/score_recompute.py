"""Score recompute of a whole period: the bulk pipeline against a per-object ORM loop, one INSERT … SELECT
writing the same rows and a bare numpy floor, same data; and what a one-measurement or no-change recompute
writes.

Builds, in a throwaway test database (never the dev database), one tenant with 5,000 org units, 20,000
positions each with a published scorecard, 20,000 KPIs (90 % measured in a month period), 2,000
responsibility matrices (3 rows each: lead / collaborating / support, half of the non-lead rows judged by an
evaluation KPI) and 200,000 scorecard lines (10 per scorecard, shared lines on matrix KPIs whose matrix has
a row for the position's unit), all with bulk inserts. Then it times

  (a) `interlock.services.scores.scores_recompute(period=…)` after every measurement moved (so every
      snapshot is rewritten: UPDATEd in place), against the 5 s target; (a') the same from an empty period
      (every row INSERTed); split into read / compute / write stages (write includes the serialisation),
      with the tracemalloc peak of a recompute per scorecard line (target ≤ 700 B, half of the ~1.4 kB
      before issue 9);
  (b) a straightforward per-object ORM implementation written here (per scorecard: its lines, per line the
      KPI, the matrix, the unit's row, the measurement, the rules in plain Python, one INSERT per snapshot),
      on a subset of --loop-cards scorecards, scaled per scorecard to the whole period — target (b)/(a) ≥ 200;
  (c) the like-for-like single statement: one INSERT … SELECT that builds every snapshot row with its
      breakdown document in SQL (json_agg of the lines per scorecard, line values in cents, a digest) into
      the same table, rolled back — target (a)/(c) ≤ 2 (also given in CPU time, this process and its
      database server process, when the server runs on this machine: less at the mercy of its load);
  (d) a bare numpy pass over the same arrays (KPI scores, the (KPI, unit) → row look-up, weighted sums per
      scorecard): the floor for the in-memory compute — target engine/(d) ≤ 10;
  (e) the recompute after ONE measurement changes, as the pipeline runs it (the partial path:
      `scores_recompute(period=…, kpi_ids=[k])`), a KPI on a typical number of lines — target (e)/(a) < 10 %;
  (f) a full recompute with no change — target 0 rows written.

(b), (c) and (d) are cross-checked against (a)'s KPI parts; a mismatch fails the run.

    python -m bench score_recompute [--units 5000] [--positions 20000] [--kpis 20000] [--matrices 2000]
                                    [--lines-per-card 10] [--loop-cards 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from bench.goal_rollup import (
    _next_ids,
    as_application_role,
    counting_queries,
    level_sizes,
    setup_django,
    throwaway_database,
)

DEFAULTS = {
    "units": 5000,
    "positions": 20000,
    "kpis": 20000,
    "matrices": 2000,
    "lines_per_card": 10,
    "loop_cards": 200,
    "repeat": 3,
    "seed": 11,
}
BATCH = 5000
UNIT_FANOUT = 10
TOLERANCE = 1e-3
TARGET_SECONDS = 5.0


@dataclass
class World:
    period: object
    cards: int
    lines: int
    measurements: int
    matrix_rows: int


def build_world(
    tenant, *, units: int, positions: int, kpis: int, matrices: int, lines_per_card: int, seed: int
) -> World:
    """Everything inside `tenant_scope(tenant)`, with bulk inserts and explicit ids."""
    from collab.models import OrgUnit, Period, Position
    from goals.models import KPI, Measurement
    from interlock.models import Scorecard, ScorecardLine
    from responsibility.models import MatrixRow, ResponsibilityMatrix

    rng = random.Random(seed)
    unit_ids: list[int] = []
    levels: list[list[int]] = []
    paths: dict[int, str] = {}
    rows = []
    ids = iter(_next_ids(OrgUnit, units))
    for depth, size in enumerate(level_sizes(units, 1, UNIT_FANOUT)):
        level = []
        for _ in range(size):
            pk = next(ids)
            parent = rng.choice(levels[-1]) if levels else None
            paths[pk] = f"{paths[parent] if parent else '/'}{pk}/"
            rows.append(
                OrgUnit(id=pk, tenant=tenant, code=f"U{pk}", name=f"Unit {pk}", kind=OrgUnit.Kind.DEPARTMENT,
                        parent_id=parent, path=paths[pk], depth=depth)
            )  # fmt: skip
            level.append(pk)
        levels.append(level)
        unit_ids.extend(level)
    OrgUnit.objects.bulk_create(rows, batch_size=BATCH)

    position_rows = [
        Position(
            id=pk, tenant=tenant, code=f"P{pk}", title=f"Position {pk}", org_unit_id=rng.choice(unit_ids)
        )
        for pk in _next_ids(Position, positions)
    ]
    Position.objects.bulk_create(position_rows, batch_size=BATCH)

    kpi_rows = [
        KPI(id=pk, tenant=tenant, code=f"K{pk}", name=f"KPI {pk}",
            direction=KPI.Direction.LOWER_BETTER if rng.random() < 0.2 else KPI.Direction.HIGHER_BETTER,
            owner_unit_id=rng.choice(unit_ids),
            cap=Decimal("1.20") if rng.random() < 0.9 else Decimal("1.50"))
        for pk in _next_ids(KPI, kpis)
    ]  # fmt: skip
    KPI.objects.bulk_create(kpi_rows, batch_size=BATCH)
    kpi_ids = [k.pk for k in kpi_rows]

    period = Period.objects.create(kind=Period.Kind.MONTH, year=2025, month=3, status=Period.Status.ACTIVE)
    measurement_rows = []
    for kpi in kpi_ids:
        if rng.random() < 0.9:
            target = round(rng.uniform(10, 1000), 2)
            actual = round(target * rng.uniform(0.5, 1.4), 2)
            measurement_rows.append(
                Measurement(tenant=tenant, kpi_id=kpi, period=period, target=Decimal(str(target)),
                            actual=Decimal(str(actual)))
            )  # fmt: skip
    Measurement.objects.bulk_create(measurement_rows, batch_size=BATCH)

    matrix_kpis = rng.sample(kpi_ids, min(matrices, len(kpi_ids)))
    matrix_rows_out = []
    by_unit: dict[int, list[int]] = {}
    matrix_objs = [
        ResponsibilityMatrix(id=pk, tenant=tenant, kpi_id=kpi, effective_from=period, version=1)
        for pk, kpi in zip(_next_ids(ResponsibilityMatrix, len(matrix_kpis)), matrix_kpis, strict=True)
    ]
    ResponsibilityMatrix.objects.bulk_create(matrix_objs, batch_size=BATCH)
    roles = ("lead", "collaborating", "support")
    shares = (Decimal(50), Decimal(30), Decimal(20))
    for matrix in matrix_objs:
        members = rng.sample(unit_ids, 3)
        for order, (unit, role, share) in enumerate(zip(members, roles, shares, strict=True)):
            judged = rng.choice(kpi_ids) if role != "lead" and rng.random() < 0.5 else None
            matrix_rows_out.append(
                MatrixRow(tenant=tenant, matrix=matrix, org_unit_id=unit, role=role, share=share,
                          evaluation_kpi_id=judged, order=order)
            )  # fmt: skip
            by_unit.setdefault(unit, []).append(matrix.kpi_id)
    MatrixRow.objects.bulk_create(matrix_rows_out, batch_size=BATCH)

    card_ids = list(_next_ids(Scorecard, len(position_rows)))
    Scorecard.objects.bulk_create(
        [
            Scorecard(
                id=cid, tenant=tenant, position_id=pos.pk, period=period, status=Scorecard.Status.PUBLISHED
            )
            for cid, pos in zip(card_ids, position_rows, strict=True)
        ],
        batch_size=BATCH,
    )
    weight = Decimal(100) / lines_per_card
    line_rows = []
    for cid, pos in zip(card_ids, position_rows, strict=True):
        shared = by_unit.get(pos.org_unit_id, [])[:3] or rng.sample(matrix_kpis, 1)
        picked = list(dict.fromkeys(shared + rng.sample(kpi_ids, lines_per_card + 3)))[:lines_per_card]
        for order, kpi in enumerate(picked):
            role = "shared" if kpi in shared else "own"
            line_rows.append(
                ScorecardLine(
                    tenant=tenant, scorecard_id=cid, kpi_id=kpi, weight=weight, role=role, order=order
                )
            )
        if len(line_rows) >= BATCH * 4:
            ScorecardLine.objects.bulk_create(line_rows, batch_size=BATCH)
            line_rows = []
    ScorecardLine.objects.bulk_create(line_rows, batch_size=BATCH)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would have them
        cursor.execute("ANALYZE")
    return World(
        period=period,
        cards=len(card_ids),
        lines=ScorecardLine.objects.count(),
        measurements=len(measurement_rows),
        matrix_rows=len(matrix_rows_out),
    )


# ------------------------------------------------------------------------------------------------- (a)


def staged(period) -> tuple[dict[str, float], dict[int, float | None]]:
    """(a) split into its stages, with the same code the service runs; returns times and KPI parts."""
    from interlock import engine
    from interlock.selectors.inputs import period_inputs

    times = {}
    start = time.perf_counter()
    data = period_inputs(period)
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    result = engine.compute_period(data.inputs, data.params)
    times["compute"] = time.perf_counter() - start
    cards = result.columns["scorecards"]
    parts = cards["kpi_part"].tolist()
    return times, {
        card: None if part != part else part
        for card, part in zip(cards["scorecard"].tolist(), parts, strict=True)
    }


def full_recompute(period):
    from interlock.services.scores import scores_recompute

    return scores_recompute(period=period)


# ------------------------------------------------------------------------------------------------- (b)


def _loop_score(kpi, measurement) -> float | None:
    if measurement is None or measurement.target is None or measurement.actual is None:
        return None
    target, actual, cap = float(measurement.target), float(measurement.actual), float(kpi.cap)
    if target < 0:
        return None
    if kpi.direction == "lower_better":
        ratio = cap if actual <= 0 else target / actual
    else:
        if target == 0:
            return None
        ratio = actual / target
    return 100.0 * min(max(ratio, 0.0), cap)


def loop_recompute(period, limit: int) -> dict[int, float | None]:
    """(b) One scorecard, one object at a time; one snapshot INSERT per scorecard (rolled back after)."""
    from django.db import transaction
    from django.utils import timezone

    from goals.models import KPI, Measurement
    from interlock.models import Scorecard, ScorecardLine, ScoreSnapshot
    from responsibility.models import MatrixRow, ResponsibilityMatrix

    out: dict[int, float | None] = {}
    with transaction.atomic():
        cards = Scorecard.objects.filter(period=period, status="published").order_by("pk")[:limit]
        for card in cards:
            unit_id = card.org_unit_id if card.org_unit_id else card.position.org_unit_id
            num = den = 0.0
            breakdown = []
            for line in ScorecardLine.objects.filter(scorecard=card).order_by("order", "pk"):
                kpi = KPI.objects.get(pk=line.kpi_id)
                matrix = ResponsibilityMatrix.objects.filter(kpi=kpi).order_by("-version").first()
                row = MatrixRow.objects.filter(matrix=matrix, org_unit_id=unit_id).first() if matrix else None
                judged = KPI.objects.get(pk=row.evaluation_kpi_id) if row and row.evaluation_kpi_id else kpi
                measurement = Measurement.objects.filter(kpi=judged, period=period).first()
                score = _loop_score(judged, measurement)
                weight = float(line.weight) if line.role != "reference" else 0.0
                if score is not None and weight > 0:
                    num += weight * score
                    den += weight
                breakdown.append({"kpi": kpi.pk, "score": score, "weight": weight})
            kpi_part = num / den if den > 0 else None
            out[card.pk] = kpi_part
            ScoreSnapshot.objects.create(
                period=period, scorecard=card, subject=f"position:{card.position_id}",
                position_id=card.position_id, version=10**6 + card.pk % 1000,
                total=None if kpi_part is None else Decimal(f"{kpi_part:.2f}"),
                kpi_part=None if kpi_part is None else Decimal(f"{kpi_part:.4f}"), breakdown=breakdown,
                computed_at=timezone.now(),
            )  # fmt: skip
        transaction.set_rollback(True)
    return out


# ------------------------------------------------------------------------------------------------- (c)

# Per line: its KPI (or the evaluation KPI of the scorecard unit's row in the KPI's matrix), that KPI's
# measurement, its score; every line, as the breakdown lists every line (reference lines weigh 0).
_LINES = """
    SELECT l.id AS line_id, l.scorecard_id, l."order" AS ord, l.kpi_id, l.role, w, target, actual,
           mx_id, row_id, eval_kpi, share,
           100.0 * CASE
               WHEN ratio IS NULL THEN NULL WHEN ratio < 0 THEN 0 WHEN ratio > cap THEN cap ELSE ratio
           END AS score
    FROM (
        SELECT l.id, l.scorecard_id, l."order", l.kpi_id, l.role,
               CASE WHEN l.role = 'reference' THEN 0.0 ELSE CAST(l.weight AS REAL) END AS w,
               CAST(m.target AS REAL) AS target, CAST(m.actual AS REAL) AS actual,
               CAST(k.cap AS REAL) AS cap, mx.id AS mx_id, r.id AS row_id, r.evaluation_kpi_id AS eval_kpi,
               CAST(r.share AS REAL) AS share,
               CASE
                   WHEN m.target IS NULL OR m.actual IS NULL OR m.target < 0 THEN NULL
                   WHEN k.direction = 'lower_better' THEN
                       CASE WHEN m.actual <= 0 THEN CAST(k.cap AS REAL)
                            ELSE CAST(m.target AS REAL) / CAST(m.actual AS REAL) END
                   WHEN m.target > 0 THEN CAST(m.actual AS REAL) / CAST(m.target AS REAL)
                   ELSE NULL
               END AS ratio
        FROM interlock_scorecardline l
        JOIN interlock_scorecard c ON c.id = l.scorecard_id
        LEFT JOIN collab_position p ON p.id = c.position_id
        LEFT JOIN responsibility_responsibilitymatrix mx
               ON mx.kpi_id = l.kpi_id AND mx.tenant_id = c.tenant_id
        LEFT JOIN responsibility_matrixrow r
               ON r.matrix_id = mx.id AND r.org_unit_id = COALESCE(c.org_unit_id, p.org_unit_id)
        JOIN goals_kpi k ON k.id = COALESCE(r.evaluation_kpi_id, l.kpi_id)
        LEFT JOIN goals_measurement m ON m.kpi_id = k.id AND m.period_id = c.period_id
        WHERE c.tenant_id = %(tenant)s AND c.period_id = %(period)s AND c.status = 'published'
    ) l
"""

# The like-for-like statement: every published scorecard's snapshot row, with its breakdown document (one
# JSON array per line, in the stored layout {"k": …, "r": [[…], …]}) and the line values in cents,
# INSERTed as the recompute writes them (same table, its indexes, row-level security), then rolled back.
_INSERT = """
INSERT INTO interlock_scoresnapshot (tenant_id, period_id, scorecard_id, subject, org_unit_id, position_id,
    version, total, kpi_part, review_part, review_weight, points, flags, breakdown, incomplete, computed_at,
    digest)
SELECT c.tenant_id, c.period_id, c.id,
       CASE WHEN c.org_unit_id IS NOT NULL THEN 'unit:' || c.org_unit_id
            ELSE 'position:' || c.position_id END,
       c.org_unit_id, c.position_id, %(version)s, {round2}, {round4}, NULL, 0, 0, {flags}, s.doc,
       s.missing > 0, {now}, {digest}
FROM interlock_scorecard c
JOIN (
    SELECT scorecard_id,
           SUM(CASE WHEN score IS NOT NULL THEN w * score END)
               / NULLIF(SUM(CASE WHEN score IS NOT NULL THEN w END), 0) AS part,
           SUM(CASE WHEN score IS NULL AND w > 0 THEN 1 ELSE 0 END) AS missing,
           {document} AS doc
    FROM (
        SELECT x.*, {cents} AS cents
        FROM (
            SELECT l.*, SUM(CASE WHEN score IS NOT NULL THEN w END) OVER (PARTITION BY scorecard_id) AS sum_w
            FROM ({lines}) l
        ) x
        ORDER BY scorecard_id, ord, line_id
    ) y
    GROUP BY scorecard_id
) s ON s.scorecard_id = c.id
WHERE c.tenant_id = %(tenant)s AND c.period_id = %(period)s AND c.status = 'published'
RETURNING scorecard_id, kpi_part
"""
_LINE_ARRAY = "line_id, kpi_id, role, w, target, actual, score, mx_id, row_id, eval_kpi, share, cents"
_VENDOR = {
    "postgresql": {
        "round2": "round(CAST(s.part AS numeric), 2)",
        "round4": "round(CAST(s.part AS numeric), 4)",
        "flags": "'[]'::jsonb",
        "now": "now()",
        "digest": "md5(s.doc::text)",
        "document": (
            f"json_build_object('k', 1, 'r', json_agg(json_build_array({_LINE_ARRAY}) ORDER BY ord, line_id))"
        ),
        "cents": (
            "round(CAST(CASE WHEN score IS NOT NULL AND sum_w > 0 THEN w * score / sum_w END AS numeric), 2)"
        ),
    },
    "sqlite": {  # no md5 in SQLite: the digest stays empty there
        "round2": "round(s.part, 2)",
        "round4": "round(s.part, 4)",
        "flags": "'[]'",
        "now": "CURRENT_TIMESTAMP",
        "digest": "''",
        "document": f"json_object('k', 1, 'r', json(json_group_array(json_array({_LINE_ARRAY}))))",
        "cents": "round(CASE WHEN score IS NOT NULL AND sum_w > 0 THEN w * score / sum_w END, 2)",
    },
}
SCRATCH_VERSION = 999_999


def grouped_sql(period) -> dict[int, float | None]:
    """(c) The recompute's snapshot rows, breakdowns included, built and INSERTed by one statement, rolled
    back (the benchmark's matrices all have one version, in effect). Returns the KPI parts it wrote."""
    from django.db import connection, transaction

    parts = _VENDOR[connection.vendor]
    sql = _INSERT.format(lines=_LINES, **parts)
    if connection.vendor != "sqlite":
        sql = sql.replace("AS REAL", "AS DOUBLE PRECISION")
    params = {"tenant": period.tenant_id, "period": period.pk, "version": SCRATCH_VERSION}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchall()
        transaction.set_rollback(True)
    return {int(card): (None if part is None else float(part)) for card, part in written}


def sql_document_bytes(period) -> tuple[float, float]:
    """Average breakdown size: the recompute's stored documents, and (c)'s (inserted, measured, rolled
    back)."""
    from django.db import connection, transaction

    size = "octet_length(breakdown::text)" if connection.vendor == "postgresql" else "length(breakdown)"
    query = f"SELECT avg({size}) FROM interlock_scoresnapshot WHERE period_id = %s AND version "  # noqa: S608
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(query + "< %s", [period.pk, SCRATCH_VERSION])
            stored = float(cursor.fetchone()[0] or 0)
            sql = _INSERT.format(lines=_LINES, **_VENDOR[connection.vendor])
            if connection.vendor != "sqlite":
                sql = sql.replace("AS REAL", "AS DOUBLE PRECISION")
            cursor.execute(sql, {"tenant": period.tenant_id, "period": period.pk, "version": SCRATCH_VERSION})
            cursor.execute(query + "= %s", [period.pk, SCRATCH_VERSION])
            built = float(cursor.fetchone()[0] or 0)
        transaction.set_rollback(True)
    return stored, built


# ------------------------------------------------------------------------------------------------- (d)


def floor_arrays(period) -> dict[str, np.ndarray]:
    """The same inputs as plain numpy arrays (outside the timing): what the bare pass starts from."""
    from interlock.engine.inputs import as_floats, as_ids, as_objects
    from interlock.selectors.inputs import period_inputs

    f = period_inputs(period).inputs.columns()
    return {
        "kpi": as_ids(f["kpis"]["kpi"]),
        "lower": as_objects(f["kpis"]["direction"]) == "lower_better",
        "cap": as_floats(f["kpis"]["cap"]),
        "m_kpi": as_ids(f["measurements"]["kpi"]),
        "target": as_floats(f["measurements"]["target"]),
        "actual": as_floats(f["measurements"]["actual"]),
        "r_kpi": as_ids(f["matrix_rows"]["kpi"]),
        "r_unit": as_ids(f["matrix_rows"]["unit"]),
        "r_eval": as_ids(f["matrix_rows"]["eval_kpi"]),
        "card": as_ids(f["scorecards"]["scorecard"]),
        "card_unit": as_ids(f["scorecards"]["unit"]),
        "l_card": as_ids(f["lines"]["scorecard"]),
        "l_kpi": as_ids(f["lines"]["kpi"]),
        "l_weight": np.where(
            as_objects(f["lines"]["role"]) == "reference", 0.0, as_floats(f["lines"]["weight"])
        ),
    }


def numpy_floor(a: dict[str, np.ndarray]) -> np.ndarray:
    """(d) KPI parts per scorecard: sorted-key look-ups (searchsorted) and bincount, nothing else."""
    n = int(max(a["kpi"].max(initial=0), a["r_eval"].max(initial=0), a["l_kpi"].max(initial=0))) + 2
    target = np.full(n, np.nan)
    actual = np.full(n, np.nan)
    target[a["m_kpi"]] = a["target"]
    actual[a["m_kpi"]] = a["actual"]
    cap = np.full(n, 1.2)
    cap[a["kpi"]] = a["cap"]
    lower = np.zeros(n, dtype=bool)
    lower[a["kpi"]] = a["lower"]
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(actual <= 0, cap, target / actual)
        ratio = np.where(lower, low, np.where(target > 0, actual / target, np.nan))
    ratio = np.where(np.isfinite(target) & np.isfinite(actual) & (target >= 0), ratio, np.nan)
    score = 100.0 * np.clip(ratio, 0.0, cap)
    # (KPI, unit) → evaluation KPI: one sorted int64 key per matrix row.
    units = int(max(a["r_unit"].max(initial=0), a["card_unit"].max(initial=0))) + 1
    keys = a["r_kpi"] * units + a["r_unit"]
    order = np.argsort(keys)
    keys, evals = keys[order], a["r_eval"][order]
    card_pos = np.searchsorted(a["card"], a["l_card"])  # the scorecards come sorted by id
    wanted = a["l_kpi"] * units + a["card_unit"][card_pos]
    at = np.clip(np.searchsorted(keys, wanted), 0, max(len(keys) - 1, 0))
    hit = (keys[at] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    judged = np.where(hit & (evals[at] >= 0), evals[at], a["l_kpi"])
    line_score = score[judged]
    counts = np.isfinite(line_score) & (a["l_weight"] > 0)
    w = np.where(counts, a["l_weight"], 0.0)
    sum_w = np.bincount(card_pos, weights=w, minlength=len(a["card"]))
    sum_ws = np.bincount(card_pos, weights=w * np.nan_to_num(line_score), minlength=len(a["card"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sum_w > 0, sum_ws / sum_w, np.nan)


# ------------------------------------------------------------------------------------------------- run


def cpu_seconds() -> float | None:
    """CPU time used so far by this process and by its database server process (PostgreSQL on this machine:
    `/proc/<pg_backend_pid()>/stat`), or None when the server's process cannot be read (SQLite: the one
    process). On a shared machine a run's CPU time moves much less with the load than its wall time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _best(function, *args, repeat: int, cpu: list | None = None):
    times, result = [], None
    for _ in range(repeat):
        before = cpu_seconds() if cpu is not None else None
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
        if before is not None:
            cpu.append(cpu_seconds() - before)
    return min(times), statistics.median(times), result


def _mismatches(reference: dict[int, float | None], other: dict[int, float | None]) -> list:
    bad = []
    for card, expected in other.items():
        got = reference.get(card)
        if (got is None) != (expected is None) or (got is not None and abs(got - expected) > TOLERANCE):
            bad.append((card, got, expected))
    return bad


class WriteCounter:
    """Counts the statements that write (INSERT / UPDATE / DELETE) on a connection."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.count += 1
        return execute(sql, params, many, context)


def refresh_statistics() -> None:
    """ANALYZE the tables the first recompute filled (PostgreSQL, as the owner, then back to the role the run
    times as): what autovacuum does in production soon after (migrations interlock 0011 and 0012: analyse
    after 5 % of a table changed), which this development server runs without. With the statistics of the
    empty tables the planner takes a period's 20,000 snapshots for a handful and reads them all for a
    partial recompute's few. The data was analysed the same way once built (`build_world`)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = ("interlock_scoresnapshot", "interlock_matrixrowresult", "interlock_unitkpilines")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        cursor.execute("RESET ROLE")
        try:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        finally:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


def shift_measurements(period, step: int) -> None:
    """Move every measurement of the period (outside the timing), so every score changes."""
    from django.db.models import F

    from goals.models import Measurement

    Measurement.objects.filter(period=period).update(actual=F("actual") + step)


def empty_period(period) -> None:
    """Remove the period's stored results (outside the timing): the next recompute inserts every row."""
    from interlock.models import MatrixRowResult, ScoredPeriod, ScoreSnapshot

    ScoreSnapshot.objects.filter(period=period).delete()
    MatrixRowResult.objects.filter(period=period).delete()
    ScoredPeriod.objects.filter(period=period).delete()


def memory_per_line(period) -> dict[str, int]:
    """tracemalloc peaks (bytes) of a full recompute with every score changed, and of its stages."""
    import tracemalloc

    from interlock import engine
    from interlock.selectors.inputs import period_inputs
    from interlock.services.collaboration import _engine_columns
    from interlock.services.score_writes import matrix_columns, snapshot_chunks

    def peak(function, *args):
        tracemalloc.start()
        try:
            result = function(*args)
            return tracemalloc.get_traced_memory()[1], result
        finally:
            tracemalloc.stop()

    shift_measurements(period, 1)
    peaks = {}
    peaks["recompute"], _result = peak(full_recompute, period)
    peaks["read"], data = peak(period_inputs, period)
    peaks["compute"], result = peak(engine.compute_period, data.inputs, data.params)
    # The recompute serialises and stages the snapshots a slice at a time: the peak of going through them.
    def serialise() -> int:
        return sum(len(chunk["subject"]) for chunk in snapshot_chunks(result, data.subjects))

    peaks["serialise"], _rows = peak(serialise)
    peaks["matrix results"], _columns = peak(matrix_columns, result)
    peaks["collaboration rows"], _columns = peak(_engine_columns, result, data.subjects)
    return peaks


def one_measurement(period, kpi_id: int):
    """(e) What the pipeline runs after one measurement changes: `scores_recompute(period, kpi_ids=[k])`
    (`interlock.recompute.scores_recompute_run` with the job's partial parameters)."""
    from interlock.services.scores import scores_recompute

    return scores_recompute(period=period, kpi_ids=[kpi_id])


def run(*, units, positions, kpis, matrices, lines_per_card, loop_cards, repeat, seed, out=sys.stdout) -> int:
    from django.db import connection
    from django.db.models import Count, F

    from collab.models import Tenant
    from collab.tenancy import tenant_scope
    from goals.models import Measurement
    from interlock.models import ScorecardLine, ScoreSnapshot

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    def timed_runs(prepare, function, *args, cpu: list | None = None):
        """`repeat` runs of `function`, each after `prepare()` (untimed): best, median, last result; with
        `cpu`, each run's CPU seconds (`cpu_seconds`) appended to it."""
        times, result = [], None
        for _ in range(repeat):
            prepare()
            before = cpu_seconds() if cpu is not None else None
            start = time.perf_counter()
            result = function(*args)
            times.append(time.perf_counter() - start)
            if before is not None:
                cpu.append(cpu_seconds() - before)
        return min(times), statistics.median(times), result

    say(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    tenant = Tenant.objects.create(slug=f"bench-scores-{seed}-{int(time.time())}", name="Benchmark tenant")
    with tenant_scope(tenant):
        start = time.perf_counter()
        world = build_world(tenant, units=units, positions=positions, kpis=kpis, matrices=matrices,
                            lines_per_card=lines_per_card, seed=seed)  # fmt: skip
        say(
            f"built {units:,} units, {positions:,} positions with scorecards, {kpis:,} KPIs "
            f"({world.measurements:,} measured), {matrices:,} matrices ({world.matrix_rows:,} rows), "
            f"{world.lines:,} scorecard lines with bulk inserts in {time.perf_counter() - start:.1f} s"
        )
        period = world.period

        with as_application_role() as how:
            say(how)
            with counting_queries() as queries:
                first = full_recompute(period)  # warm-up (and the first version), with the query count
            refresh_statistics()
            steps = iter(range(10**6))

            def change_all() -> None:
                shift_measurements(period, 1 if next(steps) % 2 == 0 else -1)

            full_cpu: list[float] = []
            best, median, result = timed_runs(change_all, full_recompute, period, cpu=full_cpu)
            say(
                f"(a) full period recompute, every score changed (read + compute + write): "
                f"best {best:.2f} s, median {median:.2f} s of {repeat}; {len(queries)} queries; "
                f"{result.written:,} snapshots "
                f"updated in place, {result.matrix_rows:,} matrix results (version {first.version} → "
                f"{result.version}) — target < {TARGET_SECONDS:.0f} s: "
                f"{'met' if best < TARGET_SECONDS else 'NOT met'}"
            )
            ins_best, ins_median, inserted = timed_runs(lambda: empty_period(period), full_recompute, period)
            say(
                f"(a') full recompute of an empty period (every row INSERTed): best {ins_best:.2f} s, "
                f"median {ins_median:.2f} s; {inserted.written:,} snapshots, {inserted.matrix_rows:,} matrix "
                "results"
            )
            stage_runs = [staged(period) for _ in range(repeat)]
            read = min(t["read"] for t, _ in stage_runs)
            compute = min(t["compute"] for t, _ in stage_runs)
            parts = stage_runs[0][1]
            write = max(best - read - compute, 0)
            say(f"    stages: read {read:.2f} s · compute {compute:.2f} s · write ≈ {write:.2f} s (a) / "
                f"{max(ins_best - read - compute, 0):.2f} s (a')")  # fmt: skip
            stored = dict(ScoreSnapshot.objects.filter(period=period).values_list("scorecard_id", "kpi_part"))
            bad = _mismatches(parts, {k: (None if v is None else float(v)) for k, v in stored.items()})
            if bad:
                say(f"MISMATCH between the stored snapshots and the engine: {bad[:3]}")
                return 1
            with counting_queries() as queries:
                start = time.perf_counter()
                slow = loop_recompute(period, loop_cards)
                slow_seconds = time.perf_counter() - start
            per_card = slow_seconds / max(len(slow), 1)
            scaled = per_card * world.cards
            say(
                f"(b) per-object ORM loop: {slow_seconds:.2f} s on {len(slow):,} scorecards "
                f"({len(queries):,} queries), scaled ×{world.cards / max(len(slow), 1):,.0f} per scorecard → "
                f"≈ {scaled:,.0f} s for the period"
            )
            bad = _mismatches(parts, slow)
            if bad:
                say(f"MISMATCH between the loop and the engine on {len(bad)} scorecards, e.g. {bad[:3]}")
                return 1

            sql_cpu: list[float] = []
            sql_best, sql_median, sql = _best(grouped_sql, period, repeat=repeat, cpu=sql_cpu)
            stored_bytes, sql_bytes = sql_document_bytes(period)
            say(
                "(c) one INSERT … SELECT building every snapshot row and its breakdown in SQL (rolled "
                f"back): best {sql_best:.2f} s, median {sql_median:.2f} s; {len(sql):,} rows; breakdowns "
                f"{sql_bytes:,.0f} B on average (the recompute's: {stored_bytes:,.0f} B)"
            )
            bad = _mismatches(parts, sql)
            if bad:
                say(f"MISMATCH between the SQL statement and the engine on {len(bad)} scorecards, "
                    f"e.g. {bad[:3]}")
                return 1

            arrays = floor_arrays(period)
            floor_best, floor_median, floor = _best(numpy_floor, arrays, repeat=repeat)
            cards = arrays["card"].tolist()
            floor_parts = {c: (None if np.isnan(v) else float(v)) for c, v in zip(cards, floor, strict=True)}
            bad = _mismatches(parts, floor_parts)
            if bad:
                say(f"MISMATCH between the numpy floor and the engine on {len(bad)} scorecards, "
                    f"e.g. {bad[:3]}")
                return 1
            say(f"(d) bare numpy pass over the same arrays (the floor): best {floor_best * 1000:.1f} ms, "
                f"median {floor_median * 1000:.1f} ms")

            peaks = memory_per_line(period)
            say(
                "    memory (tracemalloc peak, every score changed): recompute "
                f"{peaks['recompute'] / 2**20:.1f} MB = {peaks['recompute'] / world.lines:,.0f} B per line "
                "(target ≤ 700 B); stages: "
                + " · ".join(f"{n} {size / 2**20:.1f} MB" for n, size in peaks.items() if n != "recompute")
            )  # fmt: skip

            # (e) one measurement changes: a measured KPI on a typical number of lines, a new one each run
            per_kpi = (
                ScorecardLine.objects.filter(scorecard__period=period)
                .values("kpi_id").annotate(n=Count("pk")).order_by("kpi_id")
            )  # fmt: skip
            counts = {row["kpi_id"]: row["n"] for row in per_kpi}
            measured = set(Measurement.objects.filter(period=period).values_list("kpi_id", flat=True))
            typical = sorted(counts.values())[len(counts) // 2] if counts else 0
            chosen = iter([k for k, n in sorted(counts.items()) if n == typical and k in measured] * repeat)
            picked: list[int] = []

            def change_one() -> None:
                picked.append(next(chosen))
                Measurement.objects.filter(period=period, kpi_id=picked[-1]).update(actual=F("actual") + 7)

            one_best, one_median, one = timed_runs(change_one, lambda: one_measurement(period, picked[-1]))
            say(
                f"(e) recompute after ONE measurement changes (partial path, {typical} lines on the KPI): "
                f"best {one_best * 1000:.0f} ms, median {one_median * 1000:.0f} ms; {one.snapshots:,} "
                f"scorecards read and computed, {one.written:,} snapshots and {one.matrix_rows:,} matrix "
                "results rewritten"
            )

            # (f) nothing changed: a full recompute writes no row
            writes = WriteCounter()
            with connection.execute_wrapper(writes):
                same_best, same_median, same = timed_runs(lambda: None, full_recompute, period)
            say(
                f"(f) full recompute with no change: best {same_best:.2f} s, median {same_median:.2f} s; "
                f"{same.written + same.deleted + same.matrix_rows} rows written, {writes.count} writing "
                f"statements in {repeat} runs; version stays {same.version}"
            )
            say("results agree: the snapshots, the loop, the SQL statement and the floor give the same "
                "KPI parts")
            say(
                f"ratio (b)/(a): {scaled / best:,.0f}× (target ≥ 200×) — per-object loop, scaled, "
                "vs the full recompute"
            )
            say(
                f"ratio (a)/(c): {best / sql_best:.1f}× best, {median / sql_median:.1f}× median "
                "(target ≤ 2×) — full recompute, every row updated, vs one INSERT … SELECT writing the same "
                f"rows; (a')/(c): {ins_best / sql_best:.1f}× best, {ins_median / sql_median:.1f}× median "
                "(both insert every row)"
            )  # fmt: skip
            if full_cpu and sql_cpu:
                say(
                    f"    in CPU time (this process and its database server process): (a) "
                    f"{statistics.median(full_cpu):.2f} s, (c) {statistics.median(sql_cpu):.2f} s median — "
                    f"{statistics.median(full_cpu) / statistics.median(sql_cpu):.1f}×, "
                    f"{min(full_cpu) / min(sql_cpu):.1f}× best (wall times move with the machine's load)"
                )
            say(
                f"ratio engine/(d): {compute / floor_best:,.1f}× (target ≤ 10×) — the engine also computes "
                "every breakdown column (line values in exact cents, flags, matrix rows), the floor only "
                "the KPI parts"
            )
            say(
                f"ratio (e)/(a): {one_median / median:.1%} median, {one_best / best:.1%} best "
                "(target < 10 %) — one measurement's partial recompute vs the full one"
            )  # fmt: skip
            moved = same.written + same.deleted + same.matrix_rows
            say(f"(f) rows written by a full recompute with no change: {moved} (target 0)")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench score_recompute", description=__doc__.splitlines()[0]
    )
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    args = parser.parse_args(argv)
    setup_django()
    with throwaway_database():
        return run(units=args.units, positions=args.positions, kpis=args.kpis, matrices=args.matrices,
                   lines_per_card=args.lines_per_card, loop_cards=args.loop_cards, repeat=max(args.repeat, 1),
                   seed=args.seed)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
