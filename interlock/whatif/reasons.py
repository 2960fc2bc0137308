"""Why a what-if changes no score: the codes, the pure checks over the engine's inputs and the sentences.

The checks, most telling first: no published scorecard counts the KPI in the period (or, for a manager, none
of their units'), the proposal is what is stored, the KPIs involved have no measurement, the shares moved
between units whose scorecards give the KPI no weight; else the changed rows score the same as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from collab.models import Period
from goals.models import KPI
from interlock import engine
from interlock.whatif.frames import frame as _frame


@dataclass(frozen=True)
class Reason:
    """Why a what-if changes no score: `code` for programs, `message` for people."""

    code: str
    message: str


# The reasons' codes (the API documents them).
NO_SCORECARD = "no_scorecard"
NOT_IN_YOUR_UNITS = "not_in_your_units"
SAME_AS_STORED = "same_as_stored"
NO_MEASUREMENT = "no_measurement"
NO_WEIGHT = "no_weight"
ROUNDING = "same_scores"
REASON_CODES = (NO_SCORECARD, NOT_IN_YOUR_UNITS, SAME_AS_STORED, NO_MEASUREMENT, NO_WEIGHT, ROUNDING)


def _measured(inputs: engine.PeriodInputs) -> set[int]:
    """KPIs with an actual value in the period."""
    frame = _frame(inputs.measurements, ["kpi", "target", "actual"])
    if not len(frame):
        return set()
    actual = pd.to_numeric(frame["actual"], errors="coerce")
    return {int(k) for k in frame.loc[actual.notna(), "kpi"].tolist()}


def _row_key(row: Mapping[str, Any]) -> tuple:
    eval_kpi = row.get("eval_kpi")
    if eval_kpi is not None and pd.isna(eval_kpi):
        eval_kpi = None
    eval_kpi = None if eval_kpi is None else int(eval_kpi)
    return (str(row["role"]), round(float(row["share"]), 2), eval_kpi)


def matrix_moves(
    inputs: engine.PeriodInputs, kpi_id: int, proposed: Sequence[Mapping[str, Any]]
) -> dict[int, tuple[tuple | None, tuple | None]]:
    """{unit: (stored row, proposed row)} for the units whose row of K's matrix the proposal changes,
    adds or removes (rows as (role, share, evaluation KPI)). Pure."""
    current = _frame(inputs.matrix_rows, ["kpi", "unit", "role", "share", "eval_kpi"])
    stored = (
        {int(r["unit"]): _row_key(r) for r in current[current["kpi"] == kpi_id].to_dict("records")}
        if len(current)
        else {}
    )
    new = {int(r["unit"]): _row_key(r) for r in proposed}
    units = sorted(set(stored) | set(new))
    return {u: (stored.get(u), new.get(u)) for u in units if stored.get(u) != new.get(u)}


def scorecard_reasons(
    stored: engine.PeriodInputs, proposed: engine.PeriodInputs, scorecard_id: int
) -> list[str]:
    """Why a proposed scorecard does not change its score, as codes. Pure."""

    def shape(inputs):
        cards = _frame(inputs.scorecards, ["scorecard", "rho"])
        lines = _frame(inputs.lines, ["scorecard", "kpi", "weight", "role", "threshold"])
        rho = [round(float(r), 4) for r in cards.loc[cards["scorecard"] == scorecard_id, "rho"].tolist()]
        mine = lines[lines["scorecard"] == scorecard_id] if len(lines) else lines
        rows = sorted(
            (int(k), round(float(w), 2), str(r), None if pd.isna(t) else round(float(t), 4))
            for k, w, r, t in zip(
                mine["kpi"].tolist(), mine["weight"].tolist(), mine["role"].tolist(),
                mine["threshold"].tolist(), strict=True,
            )
        )  # fmt: skip
        return rho, rows

    old, new = shape(stored), shape(proposed)
    if old == new:
        return [SAME_AS_STORED]
    changed_kpis = {row[0] for row in set(old[1]) ^ set(new[1])}
    if old[0] == new[0] and changed_kpis and not changed_kpis & _measured(stored):
        return [NO_MEASUREMENT]
    return [ROUNDING]


def matrix_reasons(
    inputs: engine.PeriodInputs, kpi_id: int, proposed: Sequence[Mapping[str, Any]], affected: Sequence[int]
) -> list[str]:
    """Why a proposed matrix of K changes none of the `affected` scorecards' scores, as codes (most
    telling first). Pure: what the page and the API explain."""
    if not affected:
        return [NO_SCORECARD]
    moves = matrix_moves(inputs, kpi_id, proposed)
    if not moves:
        return [SAME_AS_STORED]
    measured = _measured(inputs)
    judged = {kpi_id} | {row[2] for pair in moves.values() for row in pair if row and row[2] is not None}
    if not judged & measured:
        return [NO_MEASUREMENT]
    cards = _frame(inputs.scorecards, ["scorecard", "unit"])
    lines = _frame(inputs.lines, ["scorecard", "kpi", "weight"])
    unit_of = {int(c): u for c, u in zip(cards["scorecard"].tolist(), cards["unit"].tolist(), strict=True)}
    weighted = set()
    if len(lines):
        mine = lines[(lines["kpi"] == kpi_id) & lines["scorecard"].isin(list(affected))]
        for card, weight in zip(mine["scorecard"].tolist(), mine["weight"].tolist(), strict=True):
            unit = unit_of.get(int(card))
            if float(weight or 0) > 0 and unit is not None and not pd.isna(unit):
                weighted.add(int(unit))
    if not weighted & set(moves):
        return [NO_WEIGHT]
    return [ROUNDING]


def reason(code: str, *, kpi: KPI | None, period: Period, units: Sequence[str] = ()) -> Reason:
    names = {"kpi": kpi.name if kpi else "", "period": period.label, "units": "、".join(units)}
    messages = {
        NO_SCORECARD: _("No published scorecard in %(period)s has a line of %(kpi)s, so no score uses it."),
        NOT_IN_YOUR_UNITS: _(
            "None of your units' published scorecards in %(period)s has a line of %(kpi)s, so none of the "
            "scores you compare uses it."
        ),
        SAME_AS_STORED: _("The proposal is what is stored for %(period)s: nothing to change."),
        NO_MEASUREMENT: _(
            "%(kpi)s (and the KPIs the changed rows are judged by) has no measurement in %(period)s, so its "
            "lines score nothing either way."
        ),
        NO_WEIGHT: _(
            "The shares moved between units whose scorecards give %(kpi)s no weight (%(units)s), so no "
            "total moves."
        ),
        ROUNDING: _("The changed rows score the same as before (to two decimals), so no total moves."),
    }
    if code == NO_MEASUREMENT and kpi is None:
        messages[code] = _(
            "The KPIs of the changed lines have no measurement in %(period)s, so they score nothing either "
            "way."
        )
    return Reason(code, messages[code] % names)
