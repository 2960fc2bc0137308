"""Writes of single goals and sibling groups: create, update, move, delete, reweight."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    Max,
    ProtectedError,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import (
    UNSET,
    changed_fields,
    edited_columns,
    editor,
    field_values,
    mark_edited,
)
from collab.models import OrgUnit, Period, Position
from goals.models import KPI, Goal
from goals.services.tree.rules import (
    ACTION_CREATE,
    ACTION_DELETE,
    ACTION_MOVE,
    ACTION_REWEIGHT,
    ACTION_UPDATE,
    MAX_DEPTH,
    _audit_after,
    _check_duplicate,
    _check_parent,
    _check_position,
    _check_tenant,
    _edit,
    _fmt,
    _invalid_choice,
    _locked,
    _too_deep,
    clean_weight,
    ensure_tree_open,
)


@transaction.atomic
def goal_create(
    *,
    actor,
    period: Period,
    org_unit: OrgUnit,
    kpi: KPI,
    parent: Goal | None = None,
    position: Position | None = None,
    weight: Any = Decimal("0"),
    order: int | None = None,
) -> Goal:
    """Add a goal under `parent` (or at the top of the period's tree)."""
    _check_tenant(period=period, org_unit=org_unit, kpi=kpi, parent=parent, position=position)
    ensure_tree_open(period)
    if parent is not None:
        parent = _locked(parent)
    _check_parent(parent, period)
    weight = clean_weight(weight)
    _check_position(org_unit, position)
    if not kpi.is_active:
        raise ValidationError({"kpi": _("This KPI is inactive; choose an active one.")})
    depth = parent.depth + 1 if parent is not None else 0
    if depth > MAX_DEPTH:
        raise ValidationError({"parent": _too_deep()})
    if order is None:
        highest = Goal.objects.filter(period=period, parent=parent).aggregate(top=Max("order"))["top"]
        order = 0 if highest is None else highest + 1
    goal = Goal(
        period=period, parent=parent, org_unit=org_unit, position=position, kpi=kpi, weight=weight,
        order=order, path="/", depth=depth, updated_by=editor(actor),
    )
    _check_duplicate(goal=goal)
    goal.save()
    goal.path = f"{parent.path if parent is not None else '/'}{goal.pk}/"
    Goal.objects.filter(pk=goal.pk).update(path=goal.path)
    audit_record(actor=actor, action=ACTION_CREATE, obj=goal, after=_audit_after(goal))
    return goal


@transaction.atomic
def goal_update(
    *,
    actor,
    goal: Goal,
    kpi: KPI = UNSET,
    weight: Any = UNSET,
    org_unit: OrgUnit = UNSET,
    position: Position | None = UNSET,
    order: int = UNSET,
    lock_version: int | None,
) -> Goal:
    """Change a goal's KPI, weight, unit/position or order (moving is `goal_move`)."""
    goal = _edit(goal, lock_version)
    ensure_tree_open(goal.period)
    values = field_values(goal)
    _check_tenant(
        kpi=None if kpi is UNSET else kpi,
        org_unit=None if org_unit is UNSET else org_unit,
        position=None if position is UNSET else position,
    )
    before = _audit_after(goal)
    if kpi is not UNSET:
        if kpi.pk != goal.kpi_id and not kpi.is_active:
            raise ValidationError({"kpi": _("This KPI is inactive; choose an active one.")})
        goal.kpi = kpi
    if weight is not UNSET:
        goal.weight = clean_weight(weight)
    if org_unit is not UNSET:
        goal.org_unit = org_unit
        if position is UNSET and goal.position_id is not None and goal.position.org_unit_id != org_unit.pk:
            raise ValidationError({"position": _("The position must belong to the goal's org unit.")})
    if position is not UNSET:
        goal.position = position
    if order is not UNSET:
        if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 2_147_483_647:
            raise ValidationError({"order": _("Enter a whole number of 0 or more.")})
        goal.order = order
    _check_position(goal.org_unit, goal.position)
    if not changed_fields(goal, values):
        return goal
    _check_duplicate(goal=goal)
    goal.save(update_fields=["kpi", "weight", "org_unit", "position", "order", *mark_edited(goal, actor)])
    audit_record(actor=actor, action=ACTION_UPDATE, obj=goal, before=before, after=_audit_after(goal))
    return goal


@transaction.atomic
def goal_move(
    *,
    actor,
    goal: Goal,
    parent: Goal | None,
    weight: Any = None,
    lock_version: int | None,
) -> Goal:
    """Re-parent a goal (and its whole subtree) within its period; `parent=None` makes it a top goal.

    The subtree's paths and depths are rewritten in one UPDATE.
    """
    goal = _edit(goal, lock_version)
    period = goal.period
    ensure_tree_open(period)
    if parent is not None:
        if parent.tenant_id != goal.tenant_id:
            raise ValidationError({"parent": _invalid_choice()})
        if parent.pk == goal.pk:
            raise ValidationError({"parent": _("A goal cannot be moved under itself.")}, code="cycle")
        parent = _locked(parent)
        _check_parent(parent, period)
        if parent.path.startswith(goal.path):
            raise ValidationError(
                {"parent": _("A goal cannot move under one of its own sub-goals: that would make a loop.")},
                code="cycle",
            )
    new_weight = goal.weight if weight is None else clean_weight(weight)
    new_parent_id = parent.pk if parent is not None else None
    if new_parent_id == goal.parent_id and new_weight == goal.weight:
        return goal
    _check_duplicate(goal=Goal(
        pk=goal.pk, period_id=goal.period_id, parent_id=new_parent_id, org_unit_id=goal.org_unit_id,
        position_id=goal.position_id, kpi_id=goal.kpi_id,
    ))
    old_path = goal.path
    new_path = f"{parent.path if parent is not None else '/'}{goal.pk}/"
    new_depth = parent.depth + 1 if parent is not None else 0
    delta = new_depth - goal.depth
    if delta > 0:
        deepest = Goal.objects.filter(period=period, path__startswith=old_path).aggregate(d=Max("depth"))["d"]
        if deepest + delta > MAX_DEPTH:
            raise ValidationError({"parent": _too_deep()})
    before = _audit_after(goal)
    Goal.objects.filter(pk=goal.pk).update(parent=parent, weight=new_weight, **edited_columns(actor))
    # The whole subtree (the goal included) in one statement: swap the path prefix, shift the depth.
    moved = Goal.objects.filter(period=period, path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + delta,
    )
    goal.refresh_from_db()
    after = _audit_after(goal)
    after["subtree_size"] = moved
    audit_record(actor=actor, action=ACTION_MOVE, obj=goal, before=before, after=after)
    return goal


@transaction.atomic
def goal_delete(*, actor, goal: Goal, subtree: bool = False, lock_version: Any = UNSET) -> int:
    """Delete a goal. A goal with sub-goals is refused unless `subtree=True` (then the branch goes).

    `lock_version`, when given (pages always give it), refuses the delete of a goal changed since.
    Returns the number of goals deleted.
    """
    goal = _locked(goal) if lock_version is UNSET else _edit(goal, lock_version)
    ensure_tree_open(goal.period)
    branch = Goal.objects.filter(period_id=goal.period_id, path__startswith=goal.path)
    size = branch.count()
    if size > 1 and not subtree:
        raise ValidationError(
            _("This goal has %(n)d sub-goals. Move them elsewhere first, or delete the whole branch.")
            % {"n": size - 1},
            code="has_children",
        )
    before = _audit_after(goal)
    try:
        branch.delete()
    except ProtectedError as protected:
        raise ValidationError(
            _("This goal is still used elsewhere (%(n)d references) and cannot be deleted.")
            % {"n": len(protected.protected_objects)},
            code="protected",
        ) from None
    audit_record(
        actor=actor, action=ACTION_DELETE, obj=goal, object_id=before["id"], before=before,
        after={"period": goal.period_id, "deleted": size},
    )
    return size


@transaction.atomic
def siblings_reweight(*, actor, weights: Mapping[int, Any]) -> Decimal:
    """Set the weights of several siblings at once ({goal id: weight}); returns the new sibling sum.

    The ids must be goals of the scoped tenant, of one period and under one parent. The sum need not be
    100 yet (a draft); publication requires it.
    """
    if not weights:
        raise ValidationError({"weights": _("Give at least one weight.")})
    try:
        ids = sorted({int(key) for key in weights})
    except (TypeError, ValueError):
        raise ValidationError({"weights": _("Unknown goal.")}) from None
    cleaned: dict[int, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for key, value in weights.items():
        try:
            cleaned[int(key)] = clean_weight(value, field=str(key))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    goals = list(Goal.objects.select_for_update().select_related("period").filter(pk__in=ids).order_by("pk"))
    if len(goals) != len(ids):
        raise ValidationError({"weights": _("Unknown goal.")})
    if len({(g.period_id, g.parent_id) for g in goals}) != 1:
        raise ValidationError({"weights": _("Reweight one group of siblings (one parent) at a time.")})
    first = goals[0]
    ensure_tree_open(first.period)
    before = {str(g.pk): _fmt(g.weight) for g in goals}
    changed = {g.pk: cleaned[g.pk] for g in goals if g.weight != cleaned[g.pk]}
    if changed:  # a goal whose weight stays the same keeps its lock_version
        Goal.objects.filter(pk__in=list(changed)).update(
            weight=Case(
                *[When(pk=pk, then=Value(weight)) for pk, weight in changed.items()],
                output_field=DecimalField(max_digits=5, decimal_places=2),
            ),
            **edited_columns(actor),
        )
    total = Goal.objects.filter(period_id=first.period_id, parent_id=first.parent_id).aggregate(
        total=Sum("weight")
    )["total"] or Decimal("0")
    if not changed:  # the same weights again: nothing to record
        return total
    audit_record(
        actor=actor,
        action=ACTION_REWEIGHT,
        obj=first.parent,
        object_type="goals.goal",
        object_repr=str(first.parent) if first.parent_id else _("top level of %(p)s") % {"p": first.period},
        before={"period": first.period_id, "parent": first.parent_id, "weights": before},
        after={
            "period": first.period_id,
            "parent": first.parent_id,
            "weights": {str(pk): _fmt(w) for pk, w in cleaned.items()},
            "sum": _fmt(total),
        },
    )
    return total


__all__ = [
    "goal_create",
    "goal_delete",
    "goal_move",
    "goal_update",
    "siblings_reweight",
]
