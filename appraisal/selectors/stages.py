"""When each stage of a cycle is open, for everyone and for one person (a reopened stage), and the stage
gates the services check. One rule, read by the services (refusals), pages (what is offered) and the API.

A stage is open from its `opens_at` to its `deadline` (the cycle's `CycleStage`), or until the `until` of its
latest reopening for that person. A stage without a row is one the cycle skips."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from appraisal.models import (
    STAGE_ORDER,
    Appraisal,
    AppraisalCycle,
    CycleStage,
    CycleStatus,
    Stage,
    StageReopening,
)


@dataclass(frozen=True)
class Window:
    stage: str
    opens_at: datetime
    deadline: datetime
    reopened: bool = False

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.deadline

    def has_passed(self, now: datetime) -> bool:
        return now > self.deadline


def cycle_windows(cycle: AppraisalCycle) -> dict[str, Window]:
    """The dated stages of `cycle`, by stage code (one query; prefetched `stages` are used when present)."""
    rows = cycle.stages.all() if _prefetched(cycle, "stages") else CycleStage.objects.filter(cycle=cycle)
    return {row.stage: Window(row.stage, row.opens_at, row.deadline) for row in rows}


def person_window(
    appraisal: Appraisal, stage: str, windows: dict[str, Window] | None = None
) -> Window | None:
    """The window of `stage` for this person: the cycle's, extended by their latest reopening of it."""
    windows = cycle_windows(appraisal.cycle) if windows is None else windows
    window = windows.get(stage)
    reopening = (
        StageReopening.objects.filter(appraisal=appraisal, stage=stage)
        .order_by("-reopened_at", "-id")
        .first()
    )
    if reopening is None:
        return window
    opens_at = window.opens_at if window is not None else reopening.reopened_at
    if window is not None and reopening.until <= window.deadline:
        return window
    return Window(stage, min(opens_at, reopening.reopened_at), reopening.until, reopened=True)


def stage_open(appraisal: Appraisal, stage: str, *, now: datetime | None = None) -> bool:
    """Whether `stage` is open for this person now (the cycle must be active)."""
    if appraisal.cycle.status != CycleStatus.ACTIVE:
        return False
    window = person_window(appraisal, stage)
    return window is not None and window.is_open(now or timezone.now())


def stage_passed(appraisal: Appraisal, stage: str, *, now: datetime | None = None) -> bool:
    """Whether the deadline of `stage` has passed for this person (a stage the cycle does not use has)."""
    window = person_window(appraisal, stage)
    return window is None or window.has_passed(now or timezone.now())


def current_cycle_stage(windows: dict[str, Window], now: datetime) -> str | None:
    """The cycle-wide stage now: the latest dated stage that has opened (None before the first)."""
    opened = [stage for stage in STAGE_ORDER if stage in windows and windows[stage].opens_at <= now]
    return opened[-1] if opened else None


def is_past(appraisal: Appraisal, stage: str) -> bool:
    """Whether this person's appraisal has moved beyond `stage`."""
    return STAGE_ORDER.index(appraisal.stage) > STAGE_ORDER.index(stage)


def manager_may_assess(appraisal: Appraisal, *, now: datetime | None = None) -> bool:
    """The gate of the manager's assessment: the self-assessment was submitted or its deadline passed, and
    the result is not yet beyond the manager (calibrated, released or final)."""
    if appraisal.stage in (Stage.CALIBRATION, Stage.RELEASE, Stage.CONFIRMATION, Stage.FINAL):
        return False
    return appraisal.self_submitted_at is not None or stage_passed(appraisal, Stage.SELF_ASSESSMENT, now=now)


def _prefetched(instance, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})
