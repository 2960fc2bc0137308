"""Whether a silence holds at a moment, pure. A silence runs from its start to its end (always an end); with
weekdays it holds only on those days (0 Monday … 6 Sunday) within its daily window (a window whose end is
before its start runs over midnight, and belongs to the day it starts). Moments are in the tenant's zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def silence_holds(
    now: dt.datetime,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    weekdays: Sequence[int] = (),
    window_start: dt.time | None = None,
    window_end: dt.time | None = None,
) -> bool:
    if not starts_at <= now < ends_at:
        return False
    if not weekdays:
        return True
    start = window_start or dt.time(0, 0)
    end = window_end or dt.time(0, 0)
    clock = now.time().replace(tzinfo=None)
    if start < end:
        return now.weekday() in weekdays and start <= clock < end
    if end == start:  # the whole day
        return now.weekday() in weekdays
    if clock >= start:  # over midnight: the evening part, on a listed day
        return now.weekday() in weekdays
    return clock < end and (now.weekday() - 1) % 7 in weekdays
