"""Writes of the goal decomposition tree (目标分解树): every change is atomic, audited and refused
in a closed period.

The tree of one period is stored as `Goal` rows with a materialised `path` ("/1/4/9/") and `depth`:
a subtree is one `path__startswith` filter, and a move rewrites the whole subtree in one UPDATE.
Invariants that need other rows live here: a parent is in the same period (and so the same tenant),
a goal never moves under itself or its own descendant, the tree stays at most `MAX_DEPTH` deep, and a
tree is published only when the weights of every sibling group (the top level included) add up to
exactly 100.

Publication is recorded as an audit event (`goal_tree.publish`) on the period: the goals model has no
publication flag, and the audit log already says who published what and when. Every tree write
carries the period id in its audit `after`, so "changed since publication" is one query
(`goals.selectors.tree.periods.tree_publication`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Max,
    OuterRef,
    ProtectedError,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Substr
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import (
    UNSET,
    changed_fields,
    edited_columns,
    editor,
    field_values,
    lock_for_edit,
    mark_edited,
)
from collab.models import OrgUnit, Period, Position
from collab.services.org import ensure_period_open
from collab.tenancy import current_tenant
from goals.models import KPI, Goal

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


# --------------------------------------------------------------------------------------------- checks


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


# --------------------------------------------------------------------------------------------- nodes


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


# --------------------------------------------------------------------------------------------- whole tree


def sibling_groups_off(period: Period) -> list[SiblingGroup]:
    """Every sibling group of the period whose weights do not add up to exactly 100 (two queries)."""
    groups = (
        Goal.objects.filter(period=period)
        .values("parent_id")
        .annotate(total=Sum("weight"), count=Count("id"))
        .order_by()
    )
    off = [g for g in groups if (g["total"] or Decimal("0")).quantize(WEIGHT_STEP) != HUNDRED]
    parents = {
        row["pk"]: row
        for row in Goal.objects.filter(pk__in=[g["parent_id"] for g in off if g["parent_id"]]).values(
            "pk", "path", "org_unit__name", "position__title", "kpi__code", "kpi__name"
        )
    }
    result = []
    for group in off:
        parent = parents.get(group["parent_id"])
        if parent is None:
            label = _("Top level")
        else:
            holder = parent["org_unit__name"]
            if parent["position__title"]:
                holder += f" / {parent['position__title']}"
            label = f"{holder} · {parent['kpi__code']} {parent['kpi__name']}"
        result.append(
            SiblingGroup(
                parent_id=group["parent_id"], parent_label=label, total=group["total"] or Decimal("0"),
                count=group["count"],
            )
        )
    result.sort(key=lambda g: (g.parent_id is not None, parents.get(g.parent_id, {}).get("path", "")))
    return result


@transaction.atomic
def period_tree_publish(*, actor, period: Period) -> int:
    """Publish the period's tree; refused unless every sibling group's weights sum to exactly 100.

    Returns the number of goals published.
    """
    _check_tenant(period=period)
    period = Period.objects.select_for_update().get(pk=period.pk)
    ensure_tree_open(period)
    count = Goal.objects.filter(period=period).count()
    if count == 0:
        raise ValidationError(_("This period has no goals yet: add goals or copy last period's tree first."))
    off = sibling_groups_off(period)
    if off:
        raise TreePublishRefused(off)
    audit_record(
        actor=actor, action=ACTION_PUBLISH, obj=period, after={"period": period.pk, "goals": count}
    )
    return count


@transaction.atomic
def period_tree_copy(*, actor, source: Period, target: Period) -> int:
    """Copy the whole tree of `source` into the empty period `target`, keeping its structure.

    Bulk inserts level by level (the new ids of one level are the parents of the next); each level's
    paths are then set by one UPDATE from the parents' paths. Returns the number of goals copied.
    """
    _check_tenant(source=source, target=target)
    if source.pk == target.pk:
        raise ValidationError({"source": _("Choose a different period to copy from.")})
    target = Period.objects.select_for_update().get(pk=target.pk)
    ensure_tree_open(target)
    if Goal.objects.filter(period=target).exists():
        raise ValidationError(
            {"target": _("Period %(p)s already has goals; copy only into an empty period.") % {"p": target}}
        )
    rows = list(
        Goal.objects.filter(period=source)
        .order_by("depth", "path")
        .values_list("id", "parent_id", "depth", "org_unit_id", "position_id", "kpi_id", "weight", "order")
    )
    if not rows:
        raise ValidationError({"source": _("Period %(period)s has no goals to copy.") % {"period": source}})
    tenant = current_tenant()
    new_ids: dict[int, int] = {}
    parent_path = Goal.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
    start = 0
    while start < len(rows):
        depth = rows[start][2]
        end = start
        while end < len(rows) and rows[end][2] == depth:
            end += 1
        level = rows[start:end]
        created = Goal.objects.bulk_create(
            [
                Goal(
                    tenant=tenant, period=target, parent_id=new_ids.get(parent_id) if parent_id else None,
                    org_unit_id=unit_id, position_id=position_id, kpi_id=kpi_id, weight=weight, order=order,
                    path="", depth=depth,
                )
                for (_id, parent_id, depth, unit_id, position_id, kpi_id, weight, order) in level
            ],
            batch_size=1000,
        )
        for old, new in zip(level, created, strict=True):
            new_ids[old[0]] = new.pk
        prefix = Value("/") if depth == 0 else Subquery(parent_path, output_field=CharField())
        Goal.objects.filter(period=target, depth=depth).update(
            path=Concat(prefix, Cast("id", CharField()), Value("/"), output_field=CharField())
        )
        start = end
    audit_record(
        actor=actor, action=ACTION_COPY, obj=target,
        after={"period": target.pk, "source": source.pk, "goals": len(rows)},
    )
    return len(rows)


__all__ = [
    "MAX_DEPTH",
    "SiblingGroup",
    "TreePublishRefused",
    "UNSET",
    "clean_weight",
    "ensure_tree_open",
    "goal_create",
    "goal_delete",
    "goal_move",
    "goal_update",
    "period_tree_copy",
    "period_tree_publish",
    "sibling_groups_off",
    "siblings_reweight",
]
