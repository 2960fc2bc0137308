"""The goal tree's limits, audit actions and the checks every tree write runs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collab.audit import snapshot
from collab.concurrency import (
    lock_for_edit,
)
from collab.models import OrgUnit, Period, Position
from collab.services.org.periods import ensure_period_open
from collab.tenancy import current_tenant
from goals.models import Goal

MAX_DEPTH = 20  # levels below the top; a path of 20 bigint ids still fits the 1,000-character column
HUNDRED = Decimal("100")
WEIGHT_STEP = Decimal("0.01")

ACTION_CREATE = "goal.create"
ACTION_UPDATE = "goal.update"
ACTION_MOVE = "goal.move"
ACTION_DELETE = "goal.delete"
ACTION_REWEIGHT = "goal.reweight"
ACTION_PUBLISH = "goal_tree.publish"
ACTION_COPY = "goal_tree.copy"
# Every action that changes a period's tree (a publication is stale once one of these follows it).
TREE_CHANGE_ACTIONS = (ACTION_CREATE, ACTION_UPDATE, ACTION_MOVE, ACTION_DELETE, ACTION_REWEIGHT, ACTION_COPY)




@dataclass(frozen=True)
class SiblingGroup:
    """One group of siblings whose weights do not add up to 100 (parent None = the top level)."""

    parent_id: int | None
    parent_label: str
    total: Decimal
    count: int


class TreePublishRefused(ValidationError):
    """Publication refused: `groups` lists every parent whose children's weights are not exactly 100."""

    def __init__(self, groups: list[SiblingGroup]):
        self.groups = groups
        listed = "; ".join(
            _("%(parent)s: %(total)s") % {"parent": g.parent_label, "total": _fmt(g.total)} for g in groups
        )
        super().__init__(
            _("The weights of every group of sibling goals must add up to exactly 100. Fix: %(groups)s")
            % {"groups": listed},
            code="weights",
        )




def _fmt(value: Decimal) -> str:
    return format(value.quantize(WEIGHT_STEP), "f")


def _invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def _too_deep() -> str:
    return _("The tree may be at most %(n)d levels deep.") % {"n": MAX_DEPTH + 1}


def _check_tenant(**related: Any) -> None:
    """Foreign keys must belong to the scoped tenant; another tenant's row reads as a missing one."""
    tenant_id = current_tenant().pk
    errors = {
        name: _invalid_choice()
        for name, value in related.items()
        if value is not None and value.tenant_id != tenant_id
    }
    if errors:
        raise ValidationError(errors)


def ensure_tree_open(period: Period) -> None:
    """A closed period is read-only (the one rule every area shares)."""
    ensure_period_open(period)


def clean_weight(value: Any, field: str = "weight") -> Decimal:
    """A weight between 0 and 100 with at most two decimals, or a field error."""
    if isinstance(value, bool):
        raise ValidationError({field: _("Enter a number between 0 and 100.")})
    try:
        weight = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number between 0 and 100.")}) from None
    if not weight.is_finite() or weight < 0 or weight > HUNDRED:
        raise ValidationError({field: _("Enter a number between 0 and 100.")})
    if weight != weight.quantize(WEIGHT_STEP):
        raise ValidationError({field: _("Use at most two decimal places.")})
    return weight.quantize(WEIGHT_STEP)


def _locked(goal: Goal) -> Goal:
    """The goal's current row, locked for the rest of the transaction (a stale instance has an old path)."""
    try:
        return Goal.objects.select_for_update().select_related("period").get(pk=goal.pk)
    except Goal.DoesNotExist:
        raise ValidationError(_("This goal no longer exists."), code="missing") from None


def _edit(goal: Goal, lock_version: Any) -> Goal:
    """`_locked`, refusing a stale (or missing) `lock_version` with StaleEditError."""
    try:
        return lock_for_edit(Goal, goal, lock_version, queryset=Goal.objects.select_related("period"))
    except Goal.DoesNotExist:
        raise ValidationError(_("This goal no longer exists."), code="missing") from None


def _check_position(org_unit: OrgUnit, position: Position | None) -> None:
    if position is not None and position.org_unit_id != org_unit.pk:
        raise ValidationError({"position": _("The position must belong to the goal's org unit.")})


def _check_parent(parent: Goal | None, period: Period) -> None:
    if parent is None:
        return
    if parent.period_id != period.pk:
        raise ValidationError(
            {"parent": _("The parent goal belongs to another period; a goal stays within its period.")}
        )


def _check_duplicate(*, goal: Goal, exclude: bool = True) -> None:
    """One unit (or position) holds a KPI once under the same parent."""
    duplicates = Goal.objects.filter(
        period_id=goal.period_id, parent_id=goal.parent_id, org_unit_id=goal.org_unit_id,
        position_id=goal.position_id, kpi_id=goal.kpi_id,
    )
    if exclude and goal.pk is not None:
        duplicates = duplicates.exclude(pk=goal.pk)
    if duplicates.exists():
        raise ValidationError(
            {"kpi": _("This unit already holds this KPI under the same parent goal.")}, code="duplicate"
        )


def _audit_after(goal: Goal) -> dict:
    after = snapshot(goal) or {}
    after["period"] = goal.period_id
    after["path"] = goal.path
    after["depth"] = goal.depth
    return after


__all__ = [
    "MAX_DEPTH",
    "SiblingGroup",
    "TreePublishRefused",
    "clean_weight",
    "ensure_tree_open",
]
