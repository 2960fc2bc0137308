"""Reads of check-ins (绩效沟通): an appraisal's check-ins with their goal notes, actions and — only — the
reader's own private note; the manager home's "Not talked to this period"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q, QuerySet

from appraisal.models import (
    Appraisal,
    CheckIn,
    CheckInAction,
    CheckInGoal,
    CheckInPrivateNote,
    CycleStatus,
    Stage,
)
from collab.models import Period

# A period longer than a quarter (a year): "this period" on the manager home is the last 90 days of it.
RECENT_DAYS = 90


def check_ins_of(appraisal: Appraisal, user) -> QuerySet[CheckIn]:
    """The appraisal's check-ins, latest first, each with its goal notes, its actions and `my_notes`: the
    reader's own private note (a list of at most one) — never anyone else's."""
    user_id = getattr(user, "pk", None) or 0
    return (
        CheckIn.objects.filter(appraisal=appraisal)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("goal_notes", queryset=CheckInGoal.objects.select_related("personal_goal__kpi")),
            Prefetch("actions", queryset=CheckInAction.objects.select_related("owner")),
            Prefetch("private_notes", queryset=CheckInPrivateNote.objects.filter(author_id=user_id),
                     to_attr="my_notes"),
        )  # fmt: skip
        .order_by("-held_on", "-id")
    )


def own_private_notes(check_ins: QuerySet[CheckIn], user) -> QuerySet[CheckInPrivateNote]:
    """The API's rule too: only the reader's own notes."""
    return CheckInPrivateNote.objects.filter(check_in__in=check_ins, author_id=getattr(user, "pk", None) or 0)


def period_first_day(period: Period) -> dt.date:
    if period.kind == Period.Kind.MONTH:
        return dt.date(period.year, period.month or 1, 1)
    if period.kind == Period.Kind.QUARTER:
        return dt.date(period.year, 3 * (period.quarter or 1) - 2, 1)
    return dt.date(period.year, 1, 1)


def talk_since(period: Period, today: dt.date) -> dt.date:
    """Where "this period" starts for the manager home: the period's first day, or for a year the last
    `RECENT_DAYS` days (a check-in in January says little about talking in November)."""
    start = period_first_day(period)
    if period.kind == Period.Kind.YEAR:
        return max(start, today - dt.timedelta(days=RECENT_DAYS))
    return start


@dataclass(frozen=True)
class NotTalkedTo:
    appraisal: Appraisal
    since: dt.date
    last_held_on: dt.date | None


@dataclass(frozen=True)
class NotTalkedPanel:
    rows: list[NotTalkedTo]
    reports: int  # the manager's appraisals in active cycles (0: the panel is not shown)
    more: int  # not listed beyond the limit


def not_talked_panel(manager, today: dt.date, *, limit: int = 10) -> NotTalkedPanel:
    """The manager home's panel "Not talked to this period" (one query)."""
    rows, reports = _not_talked(manager, today)
    return NotTalkedPanel(rows[:limit], reports, max(0, len(rows) - limit))


def not_talked_to(manager, today: dt.date, *, limit: int = 20) -> list[NotTalkedTo]:
    """The manager's reports in active cycles (not final) with no check-in since `talk_since` (one query:
    the appraisals with their latest check-in date, nothing per person)."""
    return _not_talked(manager, today)[0][:limit]


def _not_talked(manager, today: dt.date) -> tuple[list[NotTalkedTo], int]:
    if manager is None:
        return [], 0
    rows = (
        Appraisal.objects.filter(manager_id=manager.pk, cycle__status=CycleStatus.ACTIVE)
        .exclude(stage=Stage.FINAL)
        .select_related("employee", "cycle__period")
        .annotate(last_held_on=Max("check_ins__held_on", filter=Q(check_ins__held_on__lte=today)))
        .order_by("cycle_id", "id")
    )
    out = []
    rows = list(rows)
    for appraisal in rows:
        since = talk_since(appraisal.cycle.period, today)
        if appraisal.last_held_on is None or appraisal.last_held_on < since:
            out.append(NotTalkedTo(appraisal, since, appraisal.last_held_on))
    out.sort(key=lambda row: (row.last_held_on or dt.date.min, row.appraisal.employee.name))
    return out, len(rows)
