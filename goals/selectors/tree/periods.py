"""Which periods have a goal tree, and whether and when a period's tree was published."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from collab.models import AuditEvent, Period
from collab.selectors.periods import period_order
from goals.models import Goal
from goals.services.tree.rules import ACTION_PUBLISH, TREE_CHANGE_ACTIONS


def tree_periods() -> list[Period]:
    """Every period, newest first, each with `has_goals` (one query)."""
    return list(Period.objects.annotate(has_goals=Exists(Goal.objects.filter(period_id=OuterRef("pk")))))


def periods_with_goals(periods: list[Period]) -> set[int]:
    """The ids of `periods` (from `tree_periods`) that have a goal tree: a goal page's `with_data`."""
    return {p.pk for p in periods if p.has_goals}


def previous_period_with_goals(period: Period, periods: list[Period]) -> Period | None:
    """The latest earlier period of the same kind that has a tree (what "copy last period" copies)."""
    earlier = [
        p for p in periods if p.kind == period.kind and p.has_goals and period_order(p) < period_order(period)
    ]
    return max(earlier, key=period_order) if earlier else None


@dataclass(frozen=True)
class Publication:
    published_at: object | None
    published_by: str
    goals: int
    changed_since: bool


def tree_publication(period: Period) -> Publication | None:
    """The period's last publication and whether the tree changed after it (two queries)."""
    event = (
        AuditEvent.objects.filter(
            action=ACTION_PUBLISH, object_type="collab.period", object_id=str(period.pk)
        )
        .order_by("-id")
        .values("id", "created_at", "actor_name", "after")
        .first()
    )
    if event is None:
        return None
    changed = AuditEvent.objects.filter(
        id__gt=event["id"], action__in=TREE_CHANGE_ACTIONS, after__period=period.pk
    ).exists()
    return Publication(
        published_at=event["created_at"],
        published_by=event["actor_name"],
        goals=(event["after"] or {}).get("goals", 0),
        changed_since=changed,
    )


__all__ = [
    "periods_with_goals",
    "previous_period_with_goals",
    "tree_periods",
    "tree_publication",
]
