"""The business calendar page ("工作日历"): a year as twelve month grids and the list of its holidays and
make-up working days with their source; HR admins change the settings there and add, edit and remove the
tenant's own days (an official day too: the company works on a public holiday). Every member reads it —
managers see what their deadlines count."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.access import access_calendar_day_by_id
from collab.forms import attempt_delete, form_status, save_form
from collab.forms.calendar import CalendarDayForm, CalendarSettingsForm
from collab.models import CalendarDayKind
from collab.pages import HR_ONLY, tenant_page
from collab.selectors.calendar import calendar_year, month_grids, special_days
from collab.services import calendar as services
from collab.services.calendar import FIRST_YEAR, LAST_YEAR

WEEK_HEADER = [dt.date(2024, 1, day) for day in range(1, 8)]  # a Monday to Sunday, for the weekday names


def _year(request) -> int:
    text = request.GET.get("year", "")
    if len(text) == 4 and text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    return timezone.localdate().year


def _page_url(request, year: int) -> str:
    return f"{reverse('business-calendar', kwargs={'tenant_slug': request.tenant.slug})}?year={year}"


@tenant_page(write=HR_ONLY)
def business_calendar(request):
    """The year view and, for HR admins, the settings form (posted here)."""
    year = _year(request)
    settings = services.calendar_settings()
    initial = {
        "base": settings.base, "weekend": [str(day) for day in services.weekend_of(settings.weekmask)],
        "day_start": settings.day_start, "day_end": settings.day_end, "lock_version": settings.lock_version,
    }  # fmt: skip
    form = CalendarSettingsForm(request.POST or None, initial=initial)
    saved = save_form(
        request, form,
        lambda data: services.calendar_update(
            actor=request.user, lock_version=data.get("lock_version"), data=form.service_data()
        ),
    )  # fmt: skip
    if saved is not None:
        messages.success(request, _("Business calendar saved."))
        return redirect(_page_url(request, year))
    shown = calendar_year(year)
    context = {
        **shown, "form": form, "grids": month_grids(shown["days"]), "special": special_days(shown["days"]),
        "week_header": WEEK_HEADER, "years": range(max(FIRST_YEAR, year - 3), min(LAST_YEAR, year + 3) + 1),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
    }  # fmt: skip
    status = form_status(form, status=400 if form.is_bound and form.errors else 200)
    return render(request, "collab/calendar/page.html", context, status=status)


def _day_form_page(request, form, *, title: str, action: str, cancel: str):
    context = {"form": form, "title": title, "action": action, "cancel": cancel, "submit": _("Save")}
    status = form_status(form, status=400 if form.is_bound and form.errors else 200)
    return render(request, "collab/org/form.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def calendar_day_create(request):
    """A new day of the tenant's own (`?date=` and `?kind=` prefill it: "override" on an official day)."""
    initial = {"date": request.GET.get("date", ""), "kind": request.GET.get("kind", CalendarDayKind.HOLIDAY)}
    if initial["kind"] not in CalendarDayKind.values:
        initial["kind"] = CalendarDayKind.HOLIDAY
    form = CalendarDayForm(request.POST or None, initial=initial)
    form.fields.pop("lock_version")
    saved = save_form(
        request, form, lambda data: services.calendar_day_create(actor=request.user, data=form.service_data())
    )
    if saved is not None:
        messages.success(request, _("%(date)s added to the calendar.") % {"date": saved.date.isoformat()})
        return redirect(_page_url(request, saved.date.year))
    cancel = _page_url(request, _year(request))
    action = reverse("calendar-day-create", kwargs={"tenant_slug": request.tenant.slug})
    return _day_form_page(request, form, title=_("Add a calendar day"), action=action, cancel=cancel)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def calendar_day_edit(request, pk: int):
    day = access_calendar_day_by_id(request.membership, pk, write=True)
    initial = {"date": day.date, "kind": day.kind, "name": day.name, "note": day.note,
               "lock_version": day.lock_version}  # fmt: skip
    form = CalendarDayForm(request.POST or None, initial=initial)
    saved = save_form(
        request, form,
        lambda data: services.calendar_day_update(
            actor=request.user, day=day, lock_version=data.get("lock_version"), data=form.service_data()
        ),
    )  # fmt: skip
    if saved is not None:
        messages.success(request, _("%(date)s saved.") % {"date": saved.date.isoformat()})
        return redirect(_page_url(request, saved.date.year))
    action = reverse("calendar-day-edit", kwargs={"tenant_slug": request.tenant.slug, "pk": day.pk})
    return _day_form_page(
        request, form, title=_("Edit a calendar day"), action=action, cancel=_page_url(request, day.date.year)
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def calendar_day_delete(request, pk: int):
    day = access_calendar_day_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(
        request,
        lambda version: services.calendar_day_delete(actor=request.user, day=day, lock_version=version),
    )
    if attempt.done:
        messages.success(request, _("%(date)s removed: it follows the official days again.") % {
            "date": day.date.isoformat()})  # fmt: skip
        return redirect(_page_url(request, day.date.year))
    context = {
        "title": _("Remove a calendar day"), "error": attempt.error, "object": day,
        "question": _("Remove “%(name)s” on %(date)s? The date then follows the official days and the weekly "
                      "days off again.") % {"name": day.name, "date": day.date.isoformat()},
        "action": reverse("calendar-day-delete", kwargs={"tenant_slug": request.tenant.slug, "pk": day.pk}),
        "cancel": _page_url(request, day.date.year),
    }  # fmt: skip
    return render(request, "collab/org/confirm.html", context, status=attempt.status)
