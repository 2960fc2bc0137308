"""Page forms of calibration: a new session, a grade change, a potential, a member, closing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisal.models import GradeChangeReason, Potential
from collab.forms import ScopedModelChoiceField, StyledForm, lock_version_field
from collab.forms.pickers import EmployeePickerField, UnitPickerField
from collab.models import Employee, OrgUnit

LEVELS_MAX = 20


class CalibrationForm(StyledForm):
    cycle = ScopedModelChoiceField(label=_("Cycle"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    org_unit = UnitPickerField(
        label=_("Unit"), required=False, help_text=_("The people of this unit and its sub-units.")
    )
    levels = forms.CharField(
        label=_("Levels"), required=False, max_length=300,
        help_text=_("A level group instead of (or within) a unit, separated by commas, e.g. M1, M2."),
    )  # fmt: skip
    include_managers = forms.BooleanField(
        label=_("The managers of the people calibrated take part"), required=False, initial=True
    )
    member = EmployeePickerField(
        label=_("Another member"), required=False,
        help_text=_("E.g. a committee member; more can be added on the session's page."),
    )  # fmt: skip

    def __init__(self, *args, cycles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["member"].queryset = Employee.objects.filter(is_active=True)

    def clean_levels(self) -> list[str]:
        levels = [part.strip() for part in self.cleaned_data["levels"].split(",") if part.strip()]
        if len(levels) > LEVELS_MAX:
            raise forms.ValidationError(_("At most %(n)d levels.") % {"n": LEVELS_MAX})
        return levels

    def clean_member(self):
        employee = self.cleaned_data["member"]
        if employee is not None and employee.user_id is None:
            raise forms.ValidationError(_("This person has no user account."))
        return employee


class GradeChangeForm(StyledForm):
    appraisal = forms.CharField(widget=forms.HiddenInput, max_length=20)
    lock_version = lock_version_field()
    grade = ScopedModelChoiceField(label=_("New grade"), queryset=None)
    reason_code = forms.ChoiceField(label=_("Reason code"), choices=GradeChangeReason.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, grades=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = grades


class PotentialForm(StyledForm):
    appraisal = forms.CharField(widget=forms.HiddenInput, max_length=20)
    lock_version = lock_version_field()
    potential = forms.ChoiceField(
        label=_("Potential"), choices=[("", "—"), *Potential.choices], required=False
    )


class MemberForm(StyledForm):
    member = EmployeePickerField(label=_("Add a member"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Employee.objects.filter(is_active=True)

    def clean_member(self):
        employee = self.cleaned_data["member"]
        if employee is not None and employee.user_id is None:
            raise forms.ValidationError(_("This person has no user account."))
        return employee


class CloseForm(StyledForm):
    lock_version = lock_version_field()
    attended = forms.MultipleChoiceField(
        label=_("Who attended"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note on the guideline"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the grades are outside the guideline and the policy warns."),
    )  # fmt: skip

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(m.user_id), m.label) for m in members]
