"""Forms of the review campaign and rating pages."""

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
from feedback.models import (
    CampaignStatus,
    Frequency,
    RaterRole,
    ReviewKind,
    ReviewTemplate,
)

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
