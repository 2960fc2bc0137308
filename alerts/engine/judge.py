"""Judge many rules' latest buckets at once, pure: the anomaly engine over one matrix per (granularity,
target bucket, minimum history), the static lines in one vector call. In: `Spec`s (a rule's kind and
parameters, its KPI's direction and lines, the bucket to judge, the KPI's recent points); out: one
`Judgement` a spec — the outcome the state machine reads and what the evaluation row shows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .anomaly import check_latest
from .buckets import HISTORY, SEASON, bucket_index
from .health import AMBER, GREEN, NO_DATA, NO_THRESHOLD, RED, threshold_health
from .states import BREACH, FAILED, NO_VALUE, OK, TOO_SHORT

THRESHOLD, ANOMALY = "threshold", "anomaly"
WARNING, CRITICAL = "warning", "critical"


@dataclass(frozen=True)
class Spec:
    key: int
    kind: str
    granularity: str
    direction: str
    target: dt.date
    points: Sequence[tuple[dt.date, float]]
    amber: float | None = None
    red: float | None = None
    threshold_z: float = 3.5
    min_history: int = 8
    severity: str = WARNING


@dataclass(frozen=True)
class Judgement:
    outcome: str
    value: float | None = None
    expected: float | None = None
    lower: float | None = None
    upper: float | None = None
    score: float | None = None
    severity: str = ""
    detail: str = ""
    missing: int = 0


def _number(x) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def judge(specs: Sequence[Spec]) -> dict[int, Judgement]:
    out: dict[int, Judgement] = {}
    out.update(_thresholds([s for s in specs if s.kind == THRESHOLD]))
    groups: dict[tuple, list[Spec]] = defaultdict(list)
    for spec in specs:
        if spec.kind == ANOMALY:
            groups[(spec.granularity, spec.target, spec.min_history)].append(spec)
    for (granularity, target, min_history), group in groups.items():
        try:
            out.update(_anomalies(group, granularity, target, min_history))
        except Exception as error:  # noqa: BLE001 - a failing group is each rule's error, the others go on
            out.update({s.key: Judgement(FAILED, detail=str(error)[:500]) for s in group})
    return out


def _value_at(spec: Spec) -> float | None:
    for day, value in spec.points:
        if day == spec.target:
            return float(value)
    return None


def _thresholds(specs: Sequence[Spec]) -> dict[int, Judgement]:
    out: dict[int, Judgement] = {}
    usable = []
    for spec in specs:
        if spec.direction == "both":
            out[spec.key] = Judgement(FAILED, detail="A KPI bad in both directions has no static lines.")
        elif spec.amber is None and spec.red is None:
            out[spec.key] = Judgement(FAILED, detail="The KPI has no amber or red line.")
        else:
            usable.append(spec)
    if not usable:
        return out
    values = np.array([np.nan if (v := _value_at(s)) is None else v for s in usable])
    health = threshold_health(
        values, amber=[np.nan if s.amber is None else s.amber for s in usable],
        red=[np.nan if s.red is None else s.red for s in usable], direction=[s.direction for s in usable],
    )  # fmt: skip
    for spec, value, code in zip(usable, values.tolist(), health.tolist(), strict=True):
        line = spec.amber if spec.amber is not None else spec.red
        bounds = {"upper": line} if spec.direction == "lower_better" else {"lower": line}
        if code == NO_DATA:
            out[spec.key] = Judgement(NO_VALUE, **bounds)
        elif code == NO_THRESHOLD:
            out[spec.key] = Judgement(FAILED, value=value, detail="The KPI has no usable line.")
        elif code in (AMBER, RED):
            out[spec.key] = Judgement(BREACH, value=value, severity=CRITICAL if code == RED else WARNING,
                                      **bounds)  # fmt: skip
        else:
            assert code == GREEN
            out[spec.key] = Judgement(OK, value=value, **bounds)
    return out


def _anomalies(specs: Sequence[Spec], granularity: str, target: dt.date, min_history: int):
    end = bucket_index(target, granularity)
    start = end - HISTORY[granularity]
    matrix = np.full((len(specs), end - start + 1), np.nan)
    for row, spec in enumerate(specs):
        for day, value in spec.points:
            column = bucket_index(day, granularity) - start
            if 0 <= column < matrix.shape[1]:
                matrix[row, column] = float(value)
    verdicts = check_latest(
        matrix, direction=[s.direction for s in specs], threshold=[s.threshold_z for s in specs],
        season=[SEASON[granularity]] * len(specs), min_history=min_history,
    )  # fmt: skip
    out = {}
    for row, record in enumerate(verdicts.records()):
        spec = specs[row]
        numbers = {name: _number(record[name]) for name in ("value", "expected", "lower", "upper", "score")}
        if record["status"] == "no_value":
            out[spec.key] = Judgement(NO_VALUE)
        elif record["status"] != "verdict":
            out[spec.key] = Judgement(TOO_SHORT, value=numbers["value"], missing=record["missing"])
        elif record["flagged"]:
            out[spec.key] = Judgement(BREACH, severity=spec.severity, **numbers)
        else:
            out[spec.key] = Judgement(OK, **numbers)
    return out
