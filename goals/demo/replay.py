"""Replaying the year: this year's closed periods reopened for the build and closed again after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING

from collab.models import Job, Period

if TYPE_CHECKING:
    from collab.demo import DemoContext


@contextmanager
def year_replayed(ctx: DemoContext) -> Iterator[None]:
    """This year's closed periods open for the block (database and `ctx.periods`), closed again after."""
    closed = [
        period
        for period in ctx.periods.values()
        if period.year == ctx.today.year and period.status == Period.Status.CLOSED
    ]
    Period.objects.filter(pk__in=[p.pk for p in closed]).update(status=Period.Status.ACTIVE)
    for period in closed:
        period.status = Period.Status.ACTIVE
    try:
        yield
    finally:
        # Recomputes queued by the replay's writes for these periods would only be refused once they are
        # closed again; the steps recompute every period they score themselves, so drop those requests.
        Job.objects.filter(
            status=Job.Status.QUEUED, key__in=[f"period:{p.pk}" for p in closed]
        ).delete()
        Period.objects.filter(pk__in=[p.pk for p in closed]).update(status=Period.Status.CLOSED)
        for period in closed:
            period.status = Period.Status.CLOSED


def replaying_the_year(step: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
    @wraps(step)
    def run(ctx: DemoContext) -> None:
        with year_replayed(ctx):
            step(ctx)

    return run
