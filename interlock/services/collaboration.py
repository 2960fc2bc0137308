"""What the collaboration view shows per unit and KPI, written when scores are computed (`UnitKpiLines`).

`scores_recompute` calls `unit_kpi_lines_write` once, after it has written the snapshots and the matrix
results, in its transaction, when a stored result changed:
- a full recompute brings the period's rows to the engine's line columns (no JSON is parsed);
- a partial one (KPI or scorecard ids) brings the rows of the units whose scorecards it reached (a
  scorecard's unit: its own, or its position's) to those units' stored snapshots — the ones it just wrote
  and their siblings it kept — so the work follows the scope, not the period.
Either way the rows are staged and merged in the database (`interlock.services.staged.Stage.merge`): only
rows whose numbers changed are written (in place: fillfactor 50 keeps those updates HOT), new ones
inserted, gone ones deleted; the stored rows are never read back into Python.

Each row sums a unit's lines on a KPI: its own scorecard's line, and over its own and its positions'
scorecards the lines counted, those under `DRAG_BELOW` and their sum (the "drags several scorecards down"
table). Pages read these rows and `MatrixRowResult`; they never parse a breakdown.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from collab.models import Period, Position, Tenant
from collab.tenancy import current_tenant, tenant_scope
from interlock import engine
from interlock.engine.constants import DIGITS
from interlock.models import (
    Scorecard,
    ScoredPeriod,
    ScoreSnapshot,
    UnitKpiLines,
    breakdown_line_keys,
    subject_key,
)
from interlock.services.staged import Stage, chunks

DRAG_BELOW = 80.0  # a shared KPI "drags a scorecard down" when its line scores under this
# Part of the cache key of the collaboration view's summaries (with each period's version): changed when
# derived rows are filled in without a recompute, which leaves the versions as they were.
SUMMARY_GENERATION = "collab:shared:generation"


def collaboration_summaries_expire() -> None:
    """Make every cached collaboration summary stale (their keys are no longer asked for)."""
    cache.set(SUMMARY_GENERATION, time.time_ns(), None)


def collaboration_summaries_expire_on_unit_delete(sender=None, **kwargs) -> None:
    """post_delete of an org unit: its derived rows went with it (cascade) and no version changed. Units are
    rarely deleted (one with scorecards, positions or matrix rows cannot be)."""
    collaboration_summaries_expire()

_LINE_KEYS = ("kpi", "score", "role", "weight", "value")


@dataclass(frozen=True)
class Line:
    """One scorecard line as the collaboration view counts it."""

    unit: int  # the scorecard's unit: its own, or its position's
    own: bool  # a line of the unit's own scorecard (not a position's)
    kpi: int
    score: float | None
    role: str
    weight: float | None
    value: Decimal | None


def lines_of_document(document: Any) -> list[tuple]:
    """(kpi, score, role, weight, value) of each line row of a stored breakdown (JSON text, or the parsed
    compact or plain form)."""
    if not document:
        return []
    data = json.loads(document) if isinstance(document, str | bytes | bytearray) else document
    keys = breakdown_line_keys(data)
    if keys is not None:
        keys = list(keys)
        if all(key in keys for key in _LINE_KEYS):
            at = [keys.index(key) for key in _LINE_KEYS]
            return [tuple(row[i] for i in at) for row in data["r"] if isinstance(row, list)]
        data = [
            dict(zip(keys, row, strict=False), kind="line") if isinstance(row, list) else row
            for row in data["r"]
        ]
    return [
        tuple(row.get(key) for key in _LINE_KEYS)
        for row in data or ()
        if isinstance(row, dict) and row.get("kind") == "line"
    ]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _rows(lines: Iterable[Line], *, period: Period, version: int, computed_at) -> list[UnitKpiLines]:
    """One row per (unit, KPI) of the lines."""
    made: dict[tuple[int, int], UnitKpiLines] = {}
    for line in lines:
        row = made.get((line.unit, line.kpi))
        if row is None:
            row = made[(line.unit, line.kpi)] = UnitKpiLines(
                period=period,
                org_unit_id=line.unit,
                kpi_id=line.kpi,
                version=version,
                computed_at=computed_at,
            )
        row.lines += 1
        if line.score is not None and line.score < DRAG_BELOW:
            row.low_lines += 1
            row.low_sum += line.score
        if line.own:
            row.has_unit_line = True
            row.line_role = line.role or ""
            row.weight = line.weight
            row.score = line.score
            row.value = line.value
    return list(made.values())


def _engine_lines(result: engine.PeriodScores, subjects: dict[int, tuple]) -> list[Line]:
    """Every line the engine scored, with its scorecard's unit, rounded as the stored breakdown rounds it
    (`interlock.engine.documents`: DIGITS places; values in cents, none without a total)."""
    sc, ln = result.columns["scorecards"], result.columns["lines"]
    cards = sc["scorecard"].tolist()
    owners = [subjects.get(card, (None, None)) for card in cards]
    positions = {position for unit, position in owners if unit is None and position is not None}
    position_unit = dict(Position.objects.filter(pk__in=positions).values_list("pk", "org_unit_id"))
    card_unit = [unit if unit is not None else position_unit.get(position) for unit, position in owners]
    has_total = sc["has_total"].tolist()
    scores = np.round(np.asarray(ln["score"], dtype=np.float64), DIGITS).tolist()
    weights = np.round(np.asarray(ln["weight"], dtype=np.float64), DIGITS).tolist()
    made = []
    for card, kpi, score, role, weight, cents in zip(
        ln["card"].tolist(),
        ln["kpi"].tolist(),
        scores,
        ln["role"].tolist(),
        weights,
        np.asarray(ln["value_cents"], dtype=np.int64).tolist(),
        strict=True,
    ):
        unit = card_unit[card]
        if unit is None:
            continue
        made.append(
            Line(
                unit=unit,
                own=owners[card][0] is not None,
                kpi=kpi,
                score=None if score != score else score,
                role=role or "",
                weight=None if weight != weight else weight,
                value=Decimal(cents).scaleb(-2) if has_total[card] else None,
            )
        )
    return made


_KEYS = ("org_unit", "kpi")
_VALUES = ("has_unit_line", "line_role", "weight", "score", "value", "lines", "low_lines", "low_sum")
_FIELDS = (*_KEYS, *_VALUES)
_ATTRIBUTE = {"org_unit": "org_unit_id", "kpi": "kpi_id"}
SUBJECTS_AS_PARAMETERS = 1000  # more units than this: their snapshots are found by a scan of the period


def _engine_columns(result: engine.PeriodScores, subjects: dict[int, tuple]) -> dict[str, Any]:
    """`_rows(_engine_lines(…))` as columns, without a Python object per line or per row: the counts and
    sums per (unit, KPI) are `np.bincount`s in line order (the same float sums as the loop), and only the
    lines of units' own scorecards are visited one by one (the last one of a (unit, KPI) wins). Numbers are
    arrays (NaN: none), the role and the value (its text) lists. A scorecard's unit is the engine's (its
    own, or its position's: `scorecards["unit"]`); `subjects` tells a unit's own scorecard."""
    sc, ln = result.columns["scorecards"], result.columns["lines"]
    card_unit = np.asarray(sc["unit"], dtype=np.int64)
    card_own = np.array([subjects.get(card, (None,))[0] is not None for card in sc["scorecard"].tolist()])
    line_card = np.asarray(ln["card"], dtype=np.int64)
    unit = card_unit[line_card] if len(line_card) else np.zeros(0, dtype=np.int64)
    kept = np.flatnonzero(unit >= 0)
    kpi = np.asarray(ln["kpi"], dtype=np.int64)[kept]
    unit = unit[kept]
    score = np.round(np.asarray(ln["score"], dtype=np.float64), DIGITS)[kept]
    width = int(kpi.max()) + 1 if len(kpi) else 1
    codes, keys = pd.factorize(unit * width + kpi)  # groups in the order the loop meets them
    n = len(keys)
    low = np.isfinite(score) & (score < DRAG_BELOW)
    columns: dict[str, Any] = {
        "org_unit": keys // width,
        "kpi": keys % width,
        "has_unit_line": np.zeros(n, dtype=bool),
        "line_role": [""] * n,
        "weight": np.full(n, np.nan),
        "score": np.full(n, np.nan),
        "value": [None] * n,
        "lines": np.bincount(codes, minlength=n),
        "low_lines": np.bincount(codes, minlength=n, weights=low.astype(np.float64)).astype(np.int64),
        "low_sum": np.bincount(codes, minlength=n, weights=np.where(low, score, 0.0)),
    }
    own = np.flatnonzero(card_own[line_card[kept]]) if len(kept) else np.zeros(0, dtype=np.int64)
    if len(own):
        has_total = sc["has_total"].tolist()
        weights = np.round(np.asarray(ln["weight"], dtype=np.float64), DIGITS)
        roles, cents = ln["role"], np.asarray(ln["value_cents"], dtype=np.int64)
        for at in own.tolist():
            line, group = int(kept[at]), int(codes[at])
            columns["has_unit_line"][group] = True
            columns["line_role"][group] = roles[line] or ""
            columns["weight"][group] = weights[line]
            columns["score"][group] = score[at]
            value = Decimal(int(cents[line])).scaleb(-2) if has_total[int(line_card[line])] else None
            columns["value"][group] = None if value is None else str(value)
    return columns


def _stored_lines(period: Period, units: set[int]) -> list[Line]:
    """The lines of the units' stored snapshots (their own and their positions'), parsed from the JSON text
    (only these units' snapshots: a partial recompute's scope)."""
    if not units:
        return []
    snaps = ScoreSnapshot.objects.filter(period=period)
    if len(units) <= SUBJECTS_AS_PARAMETERS:  # a scope: its subjects, found by the (period, subject) index
        positions = dict(Position.objects.filter(org_unit_id__in=units).values_list("pk", "org_unit_id"))
        subjects = [subject_key(org_unit_id=u) for u in sorted(units)]
        subjects += [subject_key(position_id=p) for p in sorted(positions)]
        rows = snaps.filter(subject__in=subjects).values_list("org_unit_id", "position_id", "breakdown")
        found = ((unit, positions.get(position), document) for unit, position, document in rows.iterator(500))
    else:  # most of the period
        found = (
            snaps.filter(Q(org_unit_id__in=units) | Q(position__org_unit_id__in=units))
            .values_list("org_unit_id", "position__org_unit_id", "breakdown")
            .iterator(chunk_size=500)
        )
    made = []
    for unit, position_unit, document in found:
        owner = unit if unit is not None else position_unit
        for kpi, score, role, weight, value in lines_of_document(document):
            made.append(
                Line(
                    unit=owner,
                    own=unit is not None,
                    kpi=kpi,
                    score=_float(score),
                    role=role or "",
                    weight=_float(weight),
                    value=_decimal(value),
                )
            )
    return made


def _scope_units(scope: Iterable[int]) -> set[int]:
    """The units of the scorecards a partial recompute reached (their own, or their position's)."""
    found = Scorecard.objects.filter(pk__in=list(scope)).values_list("org_unit_id", "position__org_unit_id")
    return {unit if unit is not None else position_unit for unit, position_unit in found} - {None}


def unit_kpi_lines_write(
    result: engine.PeriodScores,
    *,
    period: Period,
    subjects: dict[int, tuple],
    version: int,
    computed_at,
    scope: Sequence[int] | set[int] | None = None,
) -> int:
    """Bring the period's `UnitKpiLines` (all of them, or with `scope` — the scorecard ids of a partial
    recompute — those of the scope's units) to what the period's snapshots now hold, writing only rows that
    differ; returns the rows inserted, updated and deleted. Runs in the recompute's transaction, after its
    snapshots are written. `subjects` maps a scorecard id to its (unit, position), as `period_inputs`
    reads them."""
    stamp = {"version": version, "computed_at": computed_at}
    where = {"tenant": current_tenant().pk, "period": period.pk}
    if scope is None:  # the period's rows, from the engine's columns
        columns = _engine_columns(result, subjects)
    else:  # the scope's units' rows, from their stored snapshots
        units = _scope_units(scope)
        if not units:
            return 0
        where["org_unit"] = sorted(units)
        made = _rows(_stored_lines(period, units), period=period, **stamp)
        columns = {name: [getattr(row, _ATTRIBUTE.get(name, name)) for row in made] for name in _FIELDS}
        columns["value"] = [None if value is None else str(value) for value in columns["value"]]
    # Only the rows whose numbers changed are written (compared in the database: `Stage.merge`).
    stage = Stage(UnitKpiLines, _FIELDS)
    stage.fill(chunks(columns))
    changed = stage.merge(keys=_KEYS, scope=where, stamp=stamp)
    stage.drop()
    return sum(changed)


def unit_kpi_lines_backfill_all() -> int:
    """Fill in the `UnitKpiLines` of every scored period (`ScoredPeriod`) of every tenant that has none
    (scored before the recompute wrote them), from its stored snapshots, stamped with the period's
    version; returns the rows written. `migrate` runs it after all migrations
    (`interlock.services.scores.scores_backfill_after_migrate`); idempotent."""
    written = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant), transaction.atomic():
            done = UnitKpiLines.objects.values("period_id")
            missing = ScoredPeriod.objects.exclude(period_id__in=done).select_related("period")
            for scored in missing.order_by("period_id"):
                units = set(
                    ScoreSnapshot.objects.filter(period=scored.period, org_unit__isnull=False).values_list(
                        "org_unit_id", flat=True
                    )
                ) | set(
                    ScoreSnapshot.objects.filter(period=scored.period, position__isnull=False).values_list(
                        "position__org_unit_id", flat=True
                    )
                )
                lines = _stored_lines(scored.period, units)
                made = _rows(
                    lines, period=scored.period, version=scored.version, computed_at=scored.computed_at
                )
                UnitKpiLines.objects.bulk_create(made, batch_size=2000)
                written += len(made)
    return written
