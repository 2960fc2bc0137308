"""The tenant's business calendar (DESIGN.md §5): which days are working days, for every deadline, SLA clock
and seasonal model of every app.

`CalendarSettings` (one a tenant, created with the defaults on first use) names the base — the official
public holidays and make-up working days (调休) it starts from, `collab.calendar.official` — the weekly days
off and the working hours of a day. `CalendarDay` is the tenant's own word on one date: a day off (a company
holiday, or a public holiday moved) or a working day (a make-up day, or work on a public holiday). The
effective calendar is the base with the overrides applied: an override of a date wins.

`revision` moves with every calendar write (settings or a day) in the writing transaction, so what is cached
under it (`collab.selectors.calendar`) is never read stale; `lock_version` guards the settings form alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned

MONDAY_TO_FRIDAY = "1111100"


class CalendarBase(models.TextChoices):
    CN = "CN", _("Mainland China: official public holidays and make-up working days")
    NONE = "none", _("None: the weekly days off only")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKDAY = "workday", _("Working day")


class CalendarSettings(TenantOwned, LockVersioned):
    base = models.CharField(_("official days"), max_length=10, choices=CalendarBase.choices,
                            default=CalendarBase.CN)  # fmt: skip
    # Seven characters, Monday first: "1" a working weekday, "0" a weekly day off.
    weekmask = models.CharField(_("working weekdays"), max_length=7, default=MONDAY_TO_FRIDAY)
    day_start = models.TimeField(_("working day starts"), default=dt.time(9, 0))
    day_end = models.TimeField(_("working day ends"), default=dt.time(18, 0))
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="calendar_settings_one_per_tenant")]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return str(_("Business calendar"))


class CalendarDay(TenantOwned, LockVersioned):
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        # The unique index (tenant, date) serves the list's order.
        constraints = [models.UniqueConstraint(fields=["tenant", "date"], name="calendar_day_unique_date")]
        ordering = ["date", "id"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
