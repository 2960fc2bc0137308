"""A period's goal roll-up, computed once per change of its inputs, not once per request.

`period_rollup(period)` answers the vectorised `goals.selectors.scores.period_scores` result with each
sibling group's size and weight sum, cached under (tenant, period, the tenant's `ScoresStamp` token).
Every write to a goal, a measurement or a KPI puts a new random token in the same transaction
(`goals.stamp`, `goals.models.StampedManager`), so a changed input is a new key: a stale roll-up cannot
be read, and nothing has to be deleted. The token is read before the inputs, so what is cached under a
token is never older than the token. A small per-process memo in front of the shared cache saves the
unpickling of a large tenant's roll-up on repeated requests.

Why a cache and not stored results: the roll-up is one vectorised pass (~0.1 s at 20,000 goals) that
only reads; storing it would put that pass inside every measurement write's transaction.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from threading import Lock

from django.core.cache import cache
from django.db.models import Count, Sum

from collab.models import Period
from goals.models import Goal, ScoresStamp
from goals.selectors.scores import PeriodScores, period_scores

CACHE_SECONDS = 24 * 3600
LOCAL_ENTRIES = 8
KEY_VERSION = 1


@dataclass
class PeriodRollup:
    scores: PeriodScores
    goals: int
    # Sibling groups by parent id (None: the top level): how many children, and their weights' sum.
    child_counts: dict[int | None, int] = field(default_factory=dict)
    child_sums: dict[int | None, Decimal] = field(default_factory=dict)

    def off_groups(self) -> list[tuple[int | None, Decimal]]:
        """Sibling groups whose weights do not add up to 100: (parent id or None for the top, sum)."""
        hundred = Decimal("100")
        off = [(parent, total) for parent, total in self.child_sums.items() if total != hundred]
        return sorted(off, key=lambda group: (group[0] is not None, group[0] or 0))


_local: OrderedDict[str, PeriodRollup] = OrderedDict()
_local_lock = Lock()


def scores_token(tenant_id: int) -> str:
    """The tenant's current stamp token (one query; a tenant without one gets one)."""
    token = ScoresStamp.objects.filter(tenant_id=tenant_id).values_list("token", flat=True).first()
    if token is None:
        ScoresStamp.bump({tenant_id})
        token = ScoresStamp.objects.filter(tenant_id=tenant_id).values_list("token", flat=True).first()
    return str(token)


def _compute(period: Period) -> PeriodRollup:
    """The roll-up from the database: the two queries of `period_scores` and one for the sibling groups."""
    counts: dict[int | None, int] = {}
    sums: dict[int | None, Decimal] = {}
    groups = (
        Goal.objects.filter(period_id=period.pk).order_by().values("parent_id")
        .annotate(n=Count("id"), total=Sum("weight")).values_list("parent_id", "n", "total")
    )
    for parent, n, total in groups:
        counts[parent] = n
        sums[parent] = Decimal(total or 0).quantize(Decimal("0.01"))
    scores = period_scores(period)
    return PeriodRollup(scores=scores, goals=sum(counts.values()), child_counts=counts, child_sums=sums)


def period_rollup(period: Period) -> PeriodRollup:
    """The period's roll-up: one query (the token) when cached, four when not."""
    key = f"goals:rollup:{KEY_VERSION}:{period.tenant_id}:{period.pk}:{scores_token(period.tenant_id)}"
    with _local_lock:
        found = _local.get(key)
        if found is not None:
            _local.move_to_end(key)
            return found
    found = cache.get(key)
    if found is None:
        found = _compute(period)
        cache.set(key, found, CACHE_SECONDS)
    with _local_lock:
        _local[key] = found
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
    return found


__all__ = ["PeriodRollup", "period_rollup", "scores_token"]
