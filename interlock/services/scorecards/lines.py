"""Scorecard lines and ρ as people type them: parsing, the weights rule and the clean lines a write stores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collab.numbers import parse_number
from collab.routing.ids import coerce_id
from collab.tenancy import current_tenant
from goals.models import KPI
from interlock.models import LineRole, Scorecard

HUNDRED = Decimal("100")
MAX_LINES = 200
MISSING_CHOICE = gettext_noop("Choose a valid option; that one does not exist.")


@dataclass(frozen=True)
class CleanLine:
    kpi: KPI
    weight: Decimal
    role: str
    threshold: Decimal | None


@dataclass(frozen=True)
class PublishResult:
    scorecard: Scorecard
    warnings: list[str] = field(default_factory=list)




def _decimal(
    value: Any, *, places: int, low: Decimal, high: Decimal, required: bool = True
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(_("This value is required."))
        return None
    number = parse_number(value)
    if number < low or number > high:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum, rounding="ROUND_DOWN"):
        raise ValueError(_("Use at most %(places)d decimals.") % {"places": places})
    return number.quantize(quantum)


def parse_review_weight(value: Any) -> Decimal:
    return _decimal(value, places=3, low=Decimal("0"), high=Decimal("1"))


def weights_summary(lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Live totals for the editor (no queries): own + shared weight, collaborative share, publish messages."""
    weighted = Decimal("0")
    shared = Decimal("0")
    for line in lines:
        if line.get("role") == LineRole.REFERENCE:
            continue
        try:
            weight = _decimal(line.get("weight"), places=2, low=Decimal("0"), high=HUNDRED)
        except ValueError:
            continue
        weighted += weight
        if line.get("role") == LineRole.SHARED:
            shared += weight
    minimum = Decimal(current_tenant().min_collaborative_weight)
    messages = []
    if weighted != HUNDRED:
        messages.append(
            _("Own and shared weights must add up to exactly 100 %%; they add up to %(total)s %%.")
            % {"total": f"{weighted.normalize():f}"}
        )
    warnings = []
    if shared < minimum:
        warnings.append(
            _("The collaborative share is %(share)s %%, under the minimum of %(minimum)s %%.")
            % {"share": f"{shared.normalize():f}", "minimum": f"{minimum.normalize():f}"}
        )
    return {
        "total": weighted,
        "collaborative_share": shared,
        "minimum": minimum,
        "publishable": not messages,
        "messages": messages,
        "warnings": warnings,
    }


def scorecard_lines_clean(lines: Sequence[Mapping[str, Any]]) -> list[CleanLine]:
    """Validate a scorecard's lines (one query: the KPIs, scoped)."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise ValidationError({"lines": _("Give the lines as a list.")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("A scorecard has at most %(max)d lines.") % {"max": MAX_LINES}})
    errors: dict[str, list[str]] = {}

    def err(index: int, name: str, message: str) -> None:
        errors.setdefault(f"lines-{index}-{name}", []).append(message)

    ids = [coerce_id(line.get("kpi"), KPI) if isinstance(line, Mapping) else None for line in lines]
    kpis = KPI.objects.in_bulk([i for i in ids if i is not None])
    seen: set[int] = set()
    clean: list[CleanLine] = []
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            errors.setdefault("lines", []).append(_("Line %(n)d is not a line.") % {"n": index + 1})
            continue
        kpi = kpis.get(ids[index]) if ids[index] is not None else None
        if kpi is None:
            err(index, "kpi", _(MISSING_CHOICE))
        elif kpi.pk in seen:
            err(index, "kpi", _("%(kpi)s is already a line of this scorecard.") % {"kpi": kpi.name})
        else:
            seen.add(kpi.pk)
        role = line.get("role")
        if role not in LineRole.values:
            err(index, "role", _("Choose own, shared or reference."))
        is_reference = role == LineRole.REFERENCE
        try:
            weight = _decimal(
                line.get("weight"), places=2, low=Decimal("0"), high=HUNDRED, required=not is_reference
            )
        except ValueError as error:
            err(index, "weight", str(error))
            weight = None
        threshold = None
        try:
            threshold = _decimal(
                line.get("threshold"), places=2, low=Decimal("0"), high=Decimal("1000"), required=False
            )
        except ValueError as error:
            err(index, "threshold", str(error))
        else:
            if is_reference and threshold is None:
                err(index, "threshold", _("Set the score under which a special review starts."))
            elif role in LineRole.values and not is_reference and threshold is not None:
                err(index, "threshold", _("Only reference lines have a threshold."))
        if is_reference:
            if weight:
                err(index, "weight", _("Reference lines carry no weight; set it to 0."))
            weight = Decimal("0.00")
        line_ok = not any(key.startswith(f"lines-{index}-") for key in errors)
        if line_ok and kpi is not None and weight is not None:
            clean.append(CleanLine(kpi=kpi, weight=weight, role=role, threshold=threshold))
    if errors:
        raise ValidationError(errors)
    return clean


__all__ = [
    "PublishResult",
    "scorecard_lines_clean",
    "weights_summary",
]
