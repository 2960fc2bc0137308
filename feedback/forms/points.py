"""Forms of the bonus and penalty point pages (协同加减分)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.forms import (
    PeriodChoiceField,
    ScopedModelChoiceField,
    StyledForm,
    lock_version_field,
)
from collab.forms.pickers import EmployeePickerField, UnitPickerField
from collab.models import Employee, OrgUnit
from collab.routing.ids import parse_id
from feedback.models import (
    ProposerRole,
)
from feedback.selectors.point_events import MAX_CITED_EVENTS


class EventIdsField(forms.Field):
    """The ids of the events ticked in the proposal form's list (`propose.html#evidence_events` renders
    the boxes): well-formed ids only, at most `MAX_CITED_EVENTS`; which may be cited the service decides."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids = [parse_id(item) for item in values]
        if None in ids:
            raise forms.ValidationError(_("Choose events from the list."))
        ids = list(dict.fromkeys(ids))
        if len(ids) > MAX_CITED_EVENTS:
            raise forms.ValidationError(_("Cite at most %(n)d events.") % {"n": MAX_CITED_EVENTS})
        return ids


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
        label=_("Evidence attachment"), required=False,
        help_text=_(
            "One file, at most 5 MB: a document, a spreadsheet, a presentation, an image or a zip file."
        ),
    )  # fmt: skip
    evidence_events = EventIdsField(label=_("Events from the collaboration log"), required=False)

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
            "evidence_events": data["evidence_events"],
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
