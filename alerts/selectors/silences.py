"""Silences: the list (the page's and the API's: every silence, the latest end first, so none is forgotten)
and which alerts a set of silences mutes at a moment (`alerts.engine.silences.silence_holds`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from alerts.engine.silences import silence_holds
from alerts.models import Alert, Silence, SilenceScope
from collab.selectors.audit.events import tenant_zone
from collab.tenancy import current_tenant


def silences(*, current_only: bool = False, now: dt.datetime | None = None) -> QuerySet[Silence]:
    queryset = Silence.objects.select_related("rule__kpi", "stage", "process", "created_by")
    if current_only:
        queryset = queryset.filter(ends_at__gt=now or timezone.now())
    return queryset.order_by("-ends_at", "-id")


class Muting:
    """The silences that could hold at `now`, asked alert by alert without more queries."""

    def __init__(self, now: dt.datetime):
        self.now = timezone.localtime(now, tenant_zone(current_tenant().timezone))
        self.rows = list(Silence.objects.filter(starts_at__lte=now, ends_at__gt=now))

    def _holds(self, silence: Silence) -> bool:
        return silence_holds(
            self.now, starts_at=silence.starts_at, ends_at=silence.ends_at, weekdays=silence.weekdays or (),
            window_start=silence.window_start, window_end=silence.window_end,
        )  # fmt: skip

    def mutes(self, alert: Alert) -> bool:
        for silence in self.rows:
            matches = (
                silence.scope == SilenceScope.TENANT
                or (silence.scope == SilenceScope.PROCESS and silence.process_id == alert.process_id)
                or (silence.scope == SilenceScope.STAGE and silence.stage_id == alert.stage_id)
                or (silence.scope == SilenceScope.RULE and silence.rule_id == alert.rule_id)
            )
            if matches and self._holds(silence):
                return True
        return False
