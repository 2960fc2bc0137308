"""Forms of the collaboration event pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import (
    PeriodChoiceField,
    StyledForm,
    lock_version_field,
)
from collab.forms.pickers import EmployeePickerField, UnitPickerField
from collab.models import Employee, OrgUnit, Period
from feedback.models import (
    EventKind,
)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _when_field(label, *, required: bool = False, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=DateTimeLocalInput(), help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )  # fmt: skip


class EventForm(StyledForm):
    """Record one event (the page's door to `feedback.services.events.event_record`)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    from_unit = UnitPickerField(label=_("From unit"), queryset=None)
    to_unit = UnitPickerField(label=_("To unit"), queryset=None)
    from_employee = EmployeePickerField(label=_("From person"), queryset=None, required=False)
    to_employee = EmployeePickerField(label=_("To person"), queryset=None, required=False)
    occurred_at = _when_field(_("Occurred at"), required=True)
    due_at = _when_field(_("Due at"), help_text=_("Requests and deliverables: when it is due."))
    done_at = _when_field(_("Done at"), help_text=_("When it was done, if it is done already."))
    attended = forms.NullBooleanField(
        label=_("Attended"), required=False,
        widget=forms.Select(choices=[("unknown", _("Not recorded")), ("true", _("Yes")), ("false", _("No"))]),
        help_text=_("Meetings: did the invited unit (to unit) attend?"),
    )  # fmt: skip
    answers = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["to_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["from_employee"].queryset = Employee.objects.order_by("name")
        self.fields["to_employee"].queryset = Employee.objects.order_by("name")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["description"] = data.get("description") or ""
        return data


class EventCompleteForm(StyledForm):
    done_at = _when_field(_("Done at"), required=True)
    lock_version = lock_version_field()


class EventFilterForm(StyledForm):
    """The list's filters (pages and the API's query string)."""

    unit = UnitPickerField(label=_("Unit"), required=False, queryset=None, empty_label=_("Any"))
    employee = EmployeePickerField(label=_("Person"), required=False, queryset=None, empty_label=_("Anyone"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, api: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.api = api
        self.fields["unit"].queryset = OrgUnit.objects.all()
        self.fields["employee"].queryset = Employee.objects.all()

    def full_clean(self):
        super().full_clean()
        if self.api and self.is_bound:  # the API's schema types these parameters: a blank one is no value
            for name in ("unit", "employee", "date_from", "date_to"):
                if name in self.data and self.data.get(name) == "":
                    self.add_error(name, _("Enter a value or leave the parameter out."))

    def clean_q(self):
        value = self.cleaned_data.get("q", "")
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        return value.strip()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end cannot be before the start."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": data["unit"].pk if data.get("unit") else None,
            "employee": data["employee"].pk if data.get("employee") else None,
            "kind": data.get("kind", ""), "date_from": data.get("date_from"), "date_to": data.get("date_to"),
            "q": data.get("q", ""),
        }  # fmt: skip


SUBJECT_CHOICES = [("unit", _("By unit")), ("person", _("By person"))]


class MeasuresFilterForm(StyledForm):
    period = PeriodChoiceField(label=_("Period"), queryset=None, required=False)
    subject = forms.ChoiceField(label=_("Measure by"), required=False, choices=SUBJECT_CHOICES)
    unit = UnitPickerField(label=_("Unit"), required=False, queryset=None, empty_label=_("Any"))
    person = EmployeePickerField(label=_("Person"), required=False, queryset=None, empty_label=_("Anyone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
        self.fields["unit"].queryset = OrgUnit.objects.all()
        self.fields["person"].queryset = Employee.objects.all()


class PersonEventsForm(StyledForm):
    """"What is recorded about me" (or one of a manager's people): the period and the kind of events."""

    period = PeriodChoiceField(label=_("Period"), queryset=None, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
