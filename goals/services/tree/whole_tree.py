"""Writes of a period's whole goal tree: the sibling groups off 100, publication and copying."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.models import Period
from collab.tenancy import current_tenant
from goals.models import Goal
from goals.services.tree.rules import (
    ACTION_COPY,
    ACTION_PUBLISH,
    HUNDRED,
    WEIGHT_STEP,
    SiblingGroup,
    TreePublishRefused,
    _check_tenant,
    ensure_tree_open,
)


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
    "period_tree_copy",
    "period_tree_publish",
    "sibling_groups_off",
]
