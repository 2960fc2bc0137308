"""The rows of one matrix: parsing a share, the live summary (share sum, leads) and `matrix_rows_clean`,
the row rules every save and the editor's live check share.

Row errors are keyed like form-set fields, "rows-<index>-<field>" (index from 0), whole-matrix errors "rows".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collab.models import OrgUnit
from collab.numbers import parse_number
from collab.routing.ids import coerce_id
from collab.text import clean_text
from goals.models import KPI
from responsibility.models import MatrixRole

HUNDRED = Decimal("100")
SHARE_QUANTUM = Decimal("0.01")
MAX_ROWS = 200
# A matrix row's keys, as the editors post them ("rows-<i>-<field>") and `matrix_rows_clean` reads them.
ROW_FIELDS = (
    "org_unit",
    "role",
    "share",
    "contribution_dimension",
    "evaluation_kpi",
    "evaluation_method",
)
_MISSING = gettext_noop("Choose a valid option; that one does not exist.")


@dataclass(frozen=True)
class CleanRow:
    org_unit: OrgUnit
    role: str
    share: Decimal
    contribution_dimension: str
    evaluation_kpi: KPI | None
    evaluation_method: str


def parse_share(value: Any) -> Decimal:
    """A share in percent: a number > 0 and ≤ 100 with at most two decimals. ValueError with the message."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("Enter a share."))
    share = parse_number(value)
    if share <= 0 or share > HUNDRED:
        raise ValueError(_("Enter a share greater than 0 and at most 100."))
    if share != share.quantize(SHARE_QUANTUM, rounding="ROUND_DOWN"):
        raise ValueError(_("Use at most two decimals."))
    return share.quantize(SHARE_QUANTUM)


def share_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the editor shows while typing: the sum of the shares that parse, the number of leads, and the
    whole-matrix messages (empty when both rules hold). No queries."""
    total = Decimal("0")
    for row in rows:
        try:
            total += parse_share(row.get("share"))
        except ValueError:
            continue
    leads = sum(1 for row in rows if row.get("role") == MatrixRole.LEAD)
    messages = []
    if total != HUNDRED:
        messages.append(
            _("Shares must add up to exactly 100 %%; they add up to %(total)s %%.") % {"total": _fmt(total)}
        )
    if leads != 1:
        messages.append(_("A matrix needs exactly one lead; it has %(count)d.") % {"count": leads})
    return {"total": total, "leads": leads, "ok": not messages, "messages": messages}


def _fmt(number: Decimal) -> str:
    text = f"{number.normalize():f}"
    return text


def matrix_rows_clean(rows: Sequence[Mapping[str, Any]]) -> list[CleanRow]:
    """Validate the rows of one matrix (two queries: the units and the evaluation KPIs, scoped)."""
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise ValidationError({"rows": _("Give the rows as a list.")})
    if not rows:
        raise ValidationError({"rows": _("Add at least one row: the lead unit with its share.")})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": _("A matrix has at most %(max)d rows.") % {"max": MAX_ROWS}})
    errors: dict[str, list[str]] = {}

    def err(index: int, field: str, message: str) -> None:
        errors.setdefault(f"rows-{index}-{field}", []).append(message)

    unit_ids = [coerce_id(row.get("org_unit"), OrgUnit) if isinstance(row, Mapping) else None for row in rows]
    kpi_ids = [
        coerce_id(row.get("evaluation_kpi"), KPI)
        if isinstance(row, Mapping) and row.get("evaluation_kpi")
        else None
        for row in rows
    ]
    units = OrgUnit.objects.in_bulk([i for i in unit_ids if i is not None])
    kpis = KPI.objects.in_bulk([i for i in kpi_ids if i is not None])
    clean: list[CleanRow] = []
    seen: dict[int, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.setdefault("rows", []).append(_("Row %(n)d is not a row.") % {"n": index + 1})
            continue
        unit = units.get(unit_ids[index]) if unit_ids[index] is not None else None
        if unit is None:
            err(index, "org_unit", _(_MISSING))
        elif unit.pk in seen:
            err(index, "org_unit", _("%(unit)s already has a row in this matrix.") % {"unit": unit.name})
        else:
            seen[unit.pk] = index
        role = row.get("role")
        if role not in MatrixRole.values:
            err(index, "role", _("Choose lead, collaborating or support."))
        try:
            share = parse_share(row.get("share"))
        except ValueError as error:
            err(index, "share", str(error))
            share = None
        evaluation_kpi = None
        if row.get("evaluation_kpi") not in (None, ""):
            evaluation_kpi = kpis.get(kpi_ids[index]) if kpi_ids[index] is not None else None
            if evaluation_kpi is None:
                err(index, "evaluation_kpi", _(_MISSING))
        texts = {}
        for field, limit in (("contribution_dimension", 200), ("evaluation_method", 300)):
            try:
                texts[field] = clean_text(row.get(field), limit)
            except ValueError as error:
                err(index, field, str(error))
        if unit is not None and role in MatrixRole.values and share is not None and len(texts) == 2:
            clean.append(
                CleanRow(org_unit=unit, role=role, share=share, evaluation_kpi=evaluation_kpi, **texts)
            )
    summary = share_summary([row for row in rows if isinstance(row, Mapping)])
    if summary["messages"]:
        errors.setdefault("rows", []).extend(summary["messages"])
    if errors:
        raise ValidationError(errors)
    return clean
