"""Forms of the business calendar page: the settings (base, weekly days off, working hours) and one of the
tenant's own days. The services check everything again (`collab.services.calendar`)."""

from __future__ import annotations

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from collab.forms import StyledForm, lock_version_field
from collab.models import CalendarBase, CalendarDayKind

# ISO weekday numbers (1 Monday … 7 Sunday) with Django's translated names (WEEKDAYS counts from 0).
WEEKDAY_CHOICES = [(str(number + 1), name) for number, name in sorted(WEEKDAYS.items())]


class CalendarSettingsForm(StyledForm):
    base = forms.ChoiceField(label=_("Official days"), choices=CalendarBase.choices)
    weekend = forms.MultipleChoiceField(
        label=_("Weekly days off"), choices=WEEKDAY_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    day_start = forms.TimeField(
        label=_("Working day starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    day_end = forms.TimeField(
        label=_("Working day ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Time limits in working hours count only these hours of working days."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["weekend"] = [int(day) for day in data["weekend"]]
        data.pop("lock_version", None)
        return data


class CalendarDayForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("The day is"), choices=CalendarDayKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("Shown on the calendar, such as “Company anniversary” or “Make-up working day”."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    lock_version = lock_version_field()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("date", "kind", "name", "note")}
