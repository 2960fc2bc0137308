"""Forms of the feedback pages, on the `collab.forms` base.

A template's dimensions are a dynamic list of inputs named "dimensions-<i>-<field>"
(`feedback.services.templates.DIMENSION_FIELDS`), read by `collab.forms.editors.rows_from_post`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import PeriodChoiceField, ScopedModelChoiceField, StyledForm, lock_version_field
from collab.forms.pickers import EmployeePickerField, UnitPickerField
from collab.models import Employee, OrgUnit, Period
from feedback.models import EventKind, ProposerRole, ReviewKind


class ReviewTemplateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True,
        help_text=_("An inactive template is kept on record and marked inactive."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "kind", "description", "is_active")}


class ReviewTemplateFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ReviewKind.choices]
    )

    def clean_q(self):
        value = self.cleaned_data.get("q", "")
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        return value.strip()


# ------------------------------------------------------------------------------------ points (加减分)


class PointItemForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.CharField(
        label=_("Points"), max_length=20, help_text=_("Signed: +2 for a bonus, −3 for a penalty; never 0.")
    )
    levels = forms.CharField(
        label=_("Management levels"), required=False, max_length=1000,
        help_text=_("Comma-separated, e.g. L3, L4. Empty: every level."),
    )  # fmt: skip
    job_families = forms.CharField(
        label=_("Job families"), required=False, max_length=2000,
        help_text=_("Comma-separated, e.g. engineering, sales. Empty: every family."),
    )  # fmt: skip
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True,
        help_text=_("An inactive item is kept on record and cannot be proposed."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def service_data(self) -> dict:
        names = ("name", "description", "points", "levels", "job_families", "is_active")
        return {name: self.cleaned_data[name] for name in names}


class PointSettingsForm(StyledForm):
    manager_cap = forms.CharField(
        label=_("Line managers' cap per period"), max_length=20,
        help_text=_("The most absolute points one line manager may propose in one period."),
    )  # fmt: skip
    project_lead_cap = forms.CharField(
        label=_("Project leads' cap per period"), max_length=20,
        help_text=_("The most absolute points one project lead may propose in one period."),
    )  # fmt: skip
    second_approval = forms.BooleanField(
        label=_("Second approval level"), required=False,
        help_text=_("A first approval passes the proposal to someone above the first approver."),
    )  # fmt: skip
    lock_version = lock_version_field()


class ProjectLeadForm(StyledForm):
    employee = EmployeePickerField(label=_("Employee"), queryset=None)
    project = forms.CharField(label=_("Project"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = Employee.objects.filter(is_active=True)


class PointProposalForm(StyledForm):
    SUBJECT_KINDS = [("employee", _("An employee")), ("unit", _("A unit"))]

    subject_kind = forms.ChoiceField(
        label=_("Points for"), choices=SUBJECT_KINDS, initial="employee", widget=forms.RadioSelect
    )
    subject_employee = EmployeePickerField(label=_("Employee"), queryset=None, required=False)
    subject_unit = UnitPickerField(label=_("Unit"), queryset=None, required=False)
    item = ScopedModelChoiceField(label=_("Item"), queryset=None)
    period = PeriodChoiceField(label=_("Period"), queryset=None)
    proposer_role = forms.ChoiceField(label=_("You propose as"), choices=ProposerRole.choices)
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.CharField(
        label=_("Evidence link"), required=False, max_length=500,
        help_text=_("A web address of minutes, a ticket or a document."),
    )  # fmt: skip
    evidence_file = forms.FileField(
        label=_("Evidence attachment"), required=False, help_text=_("One file, at most 5 MB.")
    )

    def __init__(self, *args, items, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_employee"].queryset = Employee.objects.filter(is_active=True)
        self.fields["subject_unit"].queryset = OrgUnit.objects.all()
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"{item.name} ({item.points:+g})"
        self.fields["period"].queryset = periods

    def clean(self):
        data = super().clean()
        kind = data.get("subject_kind")
        if kind == "employee" and not data.get("subject_employee"):
            self.add_error("subject_employee", _("Choose the employee."))
        if kind == "unit" and not data.get("subject_unit"):
            self.add_error("subject_unit", _("Choose the unit."))
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        unit_subject = data["subject_kind"] == "unit"
        return {
            "subject_employee": None if unit_subject else data["subject_employee"],
            "subject_unit": data["subject_unit"] if unit_subject else None,
            **{name: data[name] for name in ("item", "period", "proposer_role", "reason", "evidence_link")},
        }


class DecisionForm(StyledForm):
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lock_version = lock_version_field()


class RejectionForm(DecisionForm):
    reason = forms.CharField(
        label=_("Why it is rejected"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(StyledForm):
    points = forms.CharField(
        label=_("Points the correction adds"), max_length=20,
        help_text=_("Signed, e.g. −2 to cancel an entry of +2."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class YearForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    by = forms.ChoiceField(
        label=_("Totals per"), required=False, choices=[("employee", _("Employee")), ("unit", _("Unit"))]
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
# ----------------------------------------------------------------------------------- collaboration events
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


class MeasuresFilterForm(StyledForm):
    period = PeriodChoiceField(label=_("Period"), queryset=None, required=False)
    unit = UnitPickerField(label=_("Unit"), required=False, queryset=None, empty_label=_("Any"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
        self.fields["unit"].queryset = OrgUnit.objects.all()
