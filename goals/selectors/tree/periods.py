"""Which periods have a goal tree, and whether and when a period's tree was published."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from collab.models import AuditEvent, Period
from collab.selectors.periods import first_of_period, period_order
from goals.models import Goal
from goals.services.tree.rules import ACTION_PUBLISH, TREE_CHANGE_ACTIONS
from goals.services.tree.whole_tree import sibling_groups_off


def tree_periods() -> list[Period]:
    """Every period, newest first, each with `has_goals` (one query: an index probe a period)."""
    periods = list(Period.objects.annotate(first_goal=first_of_period(Goal.objects.all(), "kpi_id")))
    for period in periods:
        period.has_goals = period.first_goal is not None
    return periods


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


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a period's tree does, for the confirmation page (numbers as of now)."""

    period: Period
    goals: int
    top_level: int
    units: int
    positions: int
    off_groups: int  # sibling groups whose weights do not add up to 100: publishing is refused
    previous: Publication | None

    @property
    def publishable(self) -> bool:
        return self.goals > 0 and self.off_groups == 0 and not self.period.is_closed


def tree_publish_preview(period: Period) -> PublishPreview:
    """How many goals, top-level goals, units and positions a publication covers, whether it can go
    ahead, and the publication it follows (four queries)."""
    counts = Goal.objects.filter(period=period).aggregate(
        goals=Count("id"),
        top_level=Count("id", filter=Q(parent__isnull=True)),
        units=Count("org_unit", distinct=True),
        positions=Count("position", distinct=True),
    )
    return PublishPreview(
        period=period,
        goals=counts["goals"] or 0,
        top_level=counts["top_level"] or 0,
        units=counts["units"] or 0,
        positions=counts["positions"] or 0,
        off_groups=len(sibling_groups_off(period)) if counts["goals"] else 0,
        previous=tree_publication(period),
    )
