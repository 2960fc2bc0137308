"""Forms of the process pages: the process's header (its stages are dynamic rows named
"stages-<i>-<field>", `alerts.services.process_checks.STAGE_FIELDS`, read by
`collab.forms.editors.rows_from_post`) and the list's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import ProcessKind
from collab.forms import StyledForm, lock_version_field
from collab.forms.pickers import EmployeePickerField, UnitPickerField
from collab.models import Employee, OrgUnit


class ProcessForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProcessKind.choices, initial=ProcessKind.CUSTOM)
    owner_unit = UnitPickerField(label=_("Owner unit"), queryset=None)
    owner = EmployeePickerField(
        label=_("Process owner"), queryset=None, required=False,
        help_text=_("The person answerable for the whole process (optional)."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    lock_version = lock_version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = OrgUnit.objects.all()
        self.fields["owner"].queryset = Employee.objects.all()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "lock_version"}


class ProcessFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Every kind")), *ProcessKind.choices]
    )
