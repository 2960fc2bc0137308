"""Forms of the feedback pages, on the `collab.forms` base.

A template's dimensions are a dynamic list of inputs named "dimensions-<i>-<field>"
(`feedback.services.templates.DIMENSION_FIELDS`), read by `collab.forms.editors.rows_from_post`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import (
    PeriodChoiceField,
    ScopedModelChoiceField,
    StyledForm,
    lock_version_field,
    style_widget,
)
from collab.forms.pickers import EmployeePickerField, UnitPickerField
from collab.models import Employee, OrgUnit, Period
from feedback.models import CampaignStatus, Frequency, ProposerRole, RaterRole, ReviewKind, ReviewTemplate


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


# ------------------------------------------------------------------------------------------ campaigns

WEIGHT_FIELDS = {f"weight_{role}": role for role in RaterRole.values}


class ReviewCampaignForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    template = ScopedModelChoiceField(
        label=_("Review template"), queryset=None,
        help_text=_("Its kind becomes the campaign's: internal-customer, 360 or department mutual review."),
    )  # fmt: skip
    period = PeriodChoiceField(label=_("Period"), queryset=None)
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=Frequency.choices, initial=Frequency.ONCE,
        help_text=_("A repeating campaign opens its next round in the next period when it closes."),
    )  # fmt: skip
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the organisation's time zone. The campaign closes and releases its results then."),
    )  # fmt: skip
    comment_minimum = forms.IntegerField(
        label=_("Minimum raters for comments"), min_value=3, max_value=100, initial=5,
        help_text=_("Free-text comments are released only from at least this many raters, when the campaign "
                    "closes."),
    )  # fmt: skip
    weight_line_manager = forms.IntegerField(
        label=_("Line manager"), min_value=0, max_value=100, required=False
    )
    weight_project_lead = forms.IntegerField(
        label=_("Project lead"), min_value=0, max_value=100, required=False
    )
    weight_internal_customer = forms.IntegerField(
        label=_("Internal customer"), min_value=0, max_value=100, required=False
    )
    weight_peer = forms.IntegerField(label=_("Peer"), min_value=0, max_value=100, required=False)
    lock_version = lock_version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = ReviewTemplate.objects.filter(is_active=True)
        self.fields["template"].queryset = templates.order_by("name", "id")
        self.fields["period"].queryset = Period.objects.exclude(status=Period.Status.CLOSED)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in
                ("name", "template", "period", "frequency", "deadline", "comment_minimum")}  # fmt: skip
        data["role_weights"] = {
            role: self.cleaned_data[field]
            for field, role in WEIGHT_FIELDS.items()
            if self.cleaned_data.get(field)
        }
        return data


class ReviewCampaignFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CampaignStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ReviewKind.choices]
    )

    def clean_q(self):
        value = self.cleaned_data.get("q", "")
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        return value.strip()


class CampaignSubjectForm(StyledForm):
    org_unit = UnitPickerField(label=_("Rated unit"), queryset=None, required=False)
    employee = EmployeePickerField(label=_("Rated person"), queryset=None, required=False)
    lock_version = lock_version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["employee"].queryset = Employee.objects.filter(is_active=True)


class RaterRuleForm(StyledForm):
    rater_role = forms.ChoiceField(label=_("Rater role"), choices=RaterRole.choices)
    rater_unit = UnitPickerField(label=_("Rater unit"), queryset=None, required=False)
    include_sub_units = forms.BooleanField(label=_("Include sub-units"), required=False, initial=True)
    rater_employee = EmployeePickerField(label=_("Rater (a named person)"), queryset=None, required=False)
    subject = forms.ChoiceField(label=_("For"), required=False)
    lock_version = lock_version_field()

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rater_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["rater_employee"].queryset = Employee.objects.filter(is_active=True)
        self.fields["subject"].choices = [("", _("Every rated subject")), *subjects]


class RatingForm(StyledForm):
    """A score (1–5, each point with its anchor) per dimension and a comment; a draft may leave scores out."""

    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Facts and examples help most. Comments are shown only in aggregate, after the campaign "
                    "closes, and only with enough raters."),
    )  # fmt: skip
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, dimensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        for dimension in self.dimensions:
            self.fields[f"score_{dimension.pk}"] = forms.TypedChoiceField(
                label=dimension.name, required=False, coerce=int, empty_value=None,
                choices=[(point, f"{point} · {anchor}") for point, anchor in enumerate(dimension.anchors, 1)],
                widget=forms.RadioSelect, help_text=dimension.description,
            )  # fmt: skip
            style_widget(self.fields[f"score_{dimension.pk}"].widget)

    def scores(self) -> dict[str, int]:
        return {
            str(d.pk): self.cleaned_data[f"score_{d.pk}"]
            for d in self.dimensions
            if self.cleaned_data.get(f"score_{d.pk}") is not None
        }

    def score_fields(self):
        return [(dimension, self[f"score_{dimension.pk}"]) for dimension in self.dimensions]
