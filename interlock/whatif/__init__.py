"""What-if: the scores a proposed matrix or scorecard change would give, before anything is saved.

A pure function over the period's inputs: `period_inputs` loads the period once (its fixed handful of
queries), the proposed change replaces the matching rows in memory (`with_matrix`, `with_scorecard`, no
ORM), `interlock.engine.compute_period` runs on both versions, and `diff_totals` compares the scorecards
the change can reach. Nothing is written: no snapshot, no matrix, no line, no audit event, so every other
user keeps seeing the stored scores.

Which scorecards a change can reach (double counting, DESIGN.md §6):
- a matrix of KPI K changes only lines of K (a line's score is its unit's contribution in K's matrix), so
  the affected subjects are every scorecard with a line of K;
- a scorecard change reaches that scorecard only (the same KPI counts in full in every other one).

When no score changes, `WhatIf.reasons` says why (`Reason`: a code and a sentence in the reader's language,
shown on the page and returned by the API): no published scorecard counts the KPI in the period, the
proposal is what is stored, the KPIs involved have no measurement in the period, the shares moved between
units whose scorecards give the KPI no weight, or the differences vanish at two decimals.

`scope` (a set of org unit ids, or None for all) narrows a matrix what-if to the scorecards of those units:
a manager compares only their own units' scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from collab.models import OrgUnit, Period, Position
from goals.engine.scores import band
from goals.models import KPI
from goals.selectors.scores import BAND_CSS
from interlock import engine
from interlock.models import Scorecard, ScorecardLine
from interlock.selectors.inputs import PeriodData, period_inputs
from interlock.services.scorecards.lines import parse_review_weight, scorecard_lines_clean
from interlock.whatif.frames import frame as _frame
from interlock.whatif.reasons import (
    NO_SCORECARD,
    NO_WEIGHT,
    NOT_IN_YOUR_UNITS,
    REASON_CODES,
    Reason,
    matrix_moves,
    matrix_reasons,
    reason,
    scorecard_reasons,
)
from responsibility.models import MatrixRow
from responsibility.selectors import matrix_effective_ids
from responsibility.services.rows import matrix_rows_clean

PROPOSED_MATRIX = -1  # the matrix id of proposed rows that replace no stored version


@dataclass(frozen=True)
class Change:
    scorecard: int
    subject: str
    before: Decimal | None
    after: Decimal | None
    delta: Decimal | None
    changed: bool
    flags_before: tuple[str, ...] = ()
    flags_after: tuple[str, ...] = ()
    label: str = ""
    kind: str = ""

    @property
    def band_before(self) -> str:
        return BAND_CSS[band(None if self.before is None else float(self.before))]

    @property
    def band_after(self) -> str:
        return BAND_CSS[band(None if self.after is None else float(self.after))]


@dataclass
class WhatIf:
    period: Period
    changes: list[Change] = field(default_factory=list)
    breakdown_after: list[dict[str, Any]] = field(default_factory=list)  # scorecard what-if only
    units_without_scorecard: list[str] = field(default_factory=list)  # matrix what-if only
    reasons: list[Reason] = field(default_factory=list)  # why no score changes (empty when some do)
    scoped: bool = False  # narrowed to the reader's own units

    @property
    def changed(self) -> int:
        return sum(1 for change in self.changes if change.changed)


# --------------------------------------------------------------------------------------------- pure part


def with_matrix(
    inputs: engine.PeriodInputs, kpi_id: int, rows: Sequence[Mapping[str, Any]]
) -> engine.PeriodInputs:
    """The inputs with K's matrix rows replaced by `rows` (unit, role, share, eval_kpi). Pure."""
    current = _frame(inputs.matrix_rows, ["row", "matrix", "kpi", "unit", "role", "share", "eval_kpi"])
    kept = current[current["kpi"] != kpi_id] if len(current) else current
    in_force = current[current["kpi"] == kpi_id]["matrix"] if len(current) else pd.Series(dtype="int64")
    matrix = int(in_force.iloc[0]) if len(in_force) else PROPOSED_MATRIX
    proposed = pd.DataFrame(
        {
            "row": [np.nan] * len(rows),
            "matrix": [matrix] * len(rows),
            "kpi": [kpi_id] * len(rows),
            "unit": [row["unit"] for row in rows],
            "role": [row["role"] for row in rows],
            "share": [float(row["share"]) for row in rows],
            "eval_kpi": [np.nan if row.get("eval_kpi") is None else row["eval_kpi"] for row in rows],
        }
    )
    merged = pd.concat([kept, proposed], ignore_index=True) if len(kept) else proposed
    return _replace(inputs, matrix_rows=merged)


def with_scorecard(
    inputs: engine.PeriodInputs,
    *,
    scorecard_id: int,
    subject: str,
    unit: int | None,
    lines: Sequence[Mapping[str, Any]],
    rho: float,
) -> engine.PeriodInputs:
    """The inputs with one scorecard's ρ and lines replaced (added when it is not in them, e.g. a draft)."""
    cards = _frame(inputs.scorecards, ["scorecard", "subject", "unit", "rho"])
    cards = cards[cards["scorecard"] != scorecard_id] if len(cards) else cards
    card = pd.DataFrame(
        {
            "scorecard": [scorecard_id],
            "subject": [subject],
            "unit": pd.array([unit], dtype="Int64"),
            "rho": [rho],
        }
    )
    cards = pd.concat([cards, card], ignore_index=True) if len(cards) else card
    current = _frame(inputs.lines, ["line", "scorecard", "kpi", "weight", "role", "threshold"])
    kept = current[current["scorecard"] != scorecard_id] if len(current) else current
    proposed = pd.DataFrame(
        {
            "line": [np.nan] * len(lines),
            "scorecard": [scorecard_id] * len(lines),
            "kpi": [line["kpi"] for line in lines],
            "weight": [float(line["weight"]) for line in lines],
            "role": [line["role"] for line in lines],
            "threshold": [
                np.nan if line.get("threshold") is None else float(line["threshold"]) for line in lines
            ],
        }
    )
    merged = pd.concat([kept, proposed], ignore_index=True) if len(kept) else proposed
    return _replace(inputs, scorecards=cards, lines=merged)


def only_scorecards(inputs: engine.PeriodInputs, scorecard_ids: Sequence[int]) -> engine.PeriodInputs:
    """The inputs narrowed to some scorecards and their lines (KPIs and matrices kept). Exact for those
    scorecards: each is computed from its own lines, its unit's matrix rows and the KPI scores. Pure."""
    wanted = list(scorecard_ids)
    cards = _frame(inputs.scorecards, ["scorecard", "subject", "unit", "rho"])
    lines = _frame(inputs.lines, ["line", "scorecard", "kpi", "weight", "role", "threshold"])
    return _replace(
        inputs,
        scorecards=cards[cards["scorecard"].isin(wanted)] if len(cards) else cards,
        lines=lines[lines["scorecard"].isin(wanted)] if len(lines) else lines,
    )


def _replace(inputs: engine.PeriodInputs, **changes: Any) -> engine.PeriodInputs:
    fields = {name: getattr(inputs, name) for name in engine.PeriodInputs.__dataclass_fields__}
    fields.update(changes)
    return engine.PeriodInputs(**fields)


def _codes(card: engine.ScorecardScore | None) -> tuple[str, ...]:
    return tuple(sorted({f["code"] for f in card.flags})) if card else ()


def diff_totals(
    before: engine.PeriodScores, after: engine.PeriodScores, scorecards: Sequence[int]
) -> list[Change]:
    """Before/after totals of the given scorecards (absent on one side = no score there). Pure."""
    old = {card.scorecard: card for card in before.scorecards}
    new = {card.scorecard: card for card in after.scorecards}
    out = []
    for sid in scorecards:
        a, b = old.get(sid), new.get(sid)
        t0 = a.total if a else None
        t1 = b.total if b else None
        delta = t1 - t0 if t0 is not None and t1 is not None else None
        out.append(
            Change(
                scorecard=sid,
                subject=str((b or a).subject) if (a or b) else "",
                before=t0,
                after=t1,
                delta=delta,
                changed=t0 != t1 or _codes(a) != _codes(b),
                flags_before=_codes(a),
                flags_after=_codes(b),
            )
        )
    return out


def scorecards_with_kpi(inputs: engine.PeriodInputs, kpi_id: int) -> list[int]:
    lines = _frame(inputs.lines, ["scorecard", "kpi"])
    if not len(lines):
        return []
    return sorted({int(s) for s in lines.loc[lines["kpi"] == kpi_id, "scorecard"].tolist()})


# ----------------------------------------------------------------------------------- with the database


def _units_named(ids: Sequence[int]) -> list[str]:
    return list(OrgUnit.objects.filter(pk__in=list(ids)).order_by("path").values_list("name", flat=True))



def _labelled(changes: list[Change]) -> list[Change]:
    """Names for the subjects (two queries at most)."""
    unit_ids = [int(c.subject.split(":")[1]) for c in changes if c.subject.startswith("unit:")]
    position_ids = [int(c.subject.split(":")[1]) for c in changes if c.subject.startswith("position:")]
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    positions = (
        {
            pk: f"{title} ({unit})"
            for pk, title, unit in Position.objects.filter(pk__in=position_ids).values_list(
                "pk", "title", "org_unit__name"
            )
        }
        if position_ids
        else {}
    )
    out = []
    for change in changes:
        kind, _sep, pk = change.subject.partition(":")
        name = (units if kind == "unit" else positions).get(int(pk), change.subject) if pk.isdigit() else ""
        out.append(Change(**{**change.__dict__, "label": name, "kind": kind}))
    out.sort(key=lambda c: (not c.changed, c.label))
    return out


def _compute(
    data: PeriodData, changed: engine.PeriodInputs
) -> tuple[engine.PeriodScores, engine.PeriodScores]:
    return engine.compute_period(data.inputs, data.params), engine.compute_period(changed, data.params)


def whatif_matrix(
    period: Period,
    kpi: KPI,
    rows: Sequence[Mapping[str, Any]],
    *,
    data: PeriodData | None = None,
    scope: set[int] | None = None,
) -> WhatIf:
    """Scores of `period` with `rows` as K's matrix, beside the stored inputs' scores. Writes nothing.

    `rows` are the editor's rows (org_unit, role, share, evaluation_kpi, …), validated by the matrix
    service's own rules (`ValidationError` keyed "rows-<i>-<field>" as the editor shows them). `scope`:
    only the scorecards of these org units (a manager's own units); None: every scorecard.
    """
    clean = matrix_rows_clean(list(rows))
    data = data or period_inputs(period)
    proposed = [
        {
            "unit": row.org_unit.pk,
            "role": row.role,
            "share": row.share,
            "eval_kpi": row.evaluation_kpi.pk if row.evaluation_kpi else None,
        }
        for row in clean
    ]
    affected = everywhere = scorecards_with_kpi(data.inputs, kpi.pk)
    if scope is not None:
        cards = _frame(data.inputs.scorecards, ["scorecard", "unit"])
        unit_of = dict(zip(cards["scorecard"].tolist(), cards["unit"].tolist(), strict=True))
        affected = [s for s in affected if not pd.isna(unit_of.get(s)) and int(unit_of[s]) in scope]
    narrowed = PeriodData(
        period=data.period,
        inputs=only_scorecards(data.inputs, affected),
        params=data.params,
        subjects=data.subjects,
    )
    before, after = _compute(narrowed, with_matrix(narrowed.inputs, kpi.pk, proposed))
    result = WhatIf(
        period=period, changes=_labelled(diff_totals(before, after, affected)), scoped=scope is not None
    )
    if not result.changed:
        codes = matrix_reasons(data.inputs, kpi.pk, proposed, affected)
        if codes == [NO_SCORECARD] and everywhere:  # there are some, outside the reader's units
            codes = [NOT_IN_YOUR_UNITS]
        moved = _units_named(list(matrix_moves(data.inputs, kpi.pk, proposed))) if NO_WEIGHT in codes else []
        result.reasons = [reason(code, kpi=kpi, period=period, units=moved) for code in codes]
    cards = _frame(data.inputs.scorecards, ["scorecard", "subject", "unit"])
    carded = {int(u) for u in cards["unit"].dropna().tolist()} if len(cards) else set()
    result.units_without_scorecard = sorted(
        row.org_unit.name for row in clean if row.org_unit.pk not in carded
    )
    return result


def whatif_scorecard(
    scorecard: Scorecard,
    lines: Sequence[Mapping[str, Any]],
    review_weight: Any,
    *,
    data: PeriodData | None = None,
) -> WhatIf:
    """The scorecard's score with `lines` and ρ = `review_weight`, beside its stored-input score. Writes
    nothing. A draft scorecard has no score before (it is not counted until published)."""
    from django.core.exceptions import ValidationError

    errors: dict[str, list[str]] = {}
    try:
        rho = parse_review_weight(review_weight)
    except ValueError as error:
        errors["review_weight"] = [str(error)]
        rho = Decimal("0")
    try:
        clean = scorecard_lines_clean(list(lines))
    except ValidationError as invalid:
        for key, messages in invalid.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        clean = []
    if errors:
        raise ValidationError(errors)
    data = data or period_inputs(scorecard.period)
    data = PeriodData(
        period=data.period,
        inputs=only_scorecards(data.inputs, [scorecard.pk]),
        params=data.params,
        subjects=data.subjects,
    )
    unit = scorecard.org_unit_id if scorecard.org_unit_id is not None else scorecard.position.org_unit_id
    changed_inputs = with_scorecard(
        data.inputs,
        scorecard_id=scorecard.pk,
        subject=scorecard.subject_key,
        unit=unit,
        lines=[
            {"kpi": line.kpi.pk, "weight": line.weight, "role": line.role, "threshold": line.threshold}
            for line in clean
        ],
        rho=float(rho),
    )
    before, after = _compute(data, changed_inputs)
    result = WhatIf(period=scorecard.period, changes=_labelled(diff_totals(before, after, [scorecard.pk])))
    if not result.changed:
        result.reasons = [
            reason(code, kpi=None, period=scorecard.period)
            for code in scorecard_reasons(data.inputs, changed_inputs, scorecard.pk)
        ]
    card = after.scorecard(scorecard.pk)
    names = {line.kpi.pk: f"{line.kpi.code} · {line.kpi.name}" for line in clean}
    result.breakdown_after = [{**row, "kpi_label": names.get(row.get("kpi"), "")} for row in card.breakdown]
    return result


def stored_matrix_rows(kpi: KPI, period: Period) -> list[dict]:
    """The rows of K's matrix in effect for the period, as the what-if form posts them (the form's start)."""
    matrix_id = matrix_effective_ids(period).get(kpi.pk)
    if matrix_id is None:
        return []
    return [
        {
            "org_unit": str(r.org_unit_id),
            "role": r.role,
            "share": f"{r.share.normalize():f}",
            "evaluation_kpi": str(r.evaluation_kpi_id or ""),
            "contribution_dimension": r.contribution_dimension,
            "evaluation_method": r.evaluation_method,
        }
        for r in MatrixRow.objects.filter(matrix_id=matrix_id).order_by("order", "pk")
    ]


def stored_scorecard_lines(scorecard: Scorecard) -> list[dict]:
    """The scorecard's stored lines, as the what-if form posts them."""
    return [
        {
            "kpi": str(line.kpi_id),
            "weight": f"{line.weight.normalize():f}",
            "role": line.role,
            "threshold": "" if line.threshold is None else f"{line.threshold.normalize():f}",
        }
        for line in ScorecardLine.objects.filter(scorecard=scorecard).order_by("order", "pk")
    ]


def default_matrix_period(kpi: KPI, periods: list[Period]) -> Period | None:
    """The period a matrix what-if shows by default: the active one, else the latest open one."""
    active = [p for p in periods if p.status == Period.Status.ACTIVE]
    open_ = [p for p in periods if p.status != Period.Status.CLOSED]
    for candidates in (active, open_, periods):
        if candidates:
            return candidates[-1]
    return None


__all__ = [
    "REASON_CODES",
    "Change",
    "Reason",
    "WhatIf",
    "diff_totals",
    "matrix_reasons",
    "only_scorecards",
    "scorecard_reasons",
    "scorecards_with_kpi",
    "whatif_matrix",
    "whatif_scorecard",
    "with_matrix",
    "with_scorecard",
]

