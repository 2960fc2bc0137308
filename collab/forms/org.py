"""Forms of the organisation pages. They validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.forms import ImportFileForm, ScopedModelChoiceField, StyledForm
from collab.forms.pickers import PickerTextInput, UnitPickerField
from collab.models import Employee, OrgUnit, Period, Position
from collab.routing.ids import parse_id
from collab.selectors import org as selectors


class PositionChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        return f"{obj.title} ({obj.code})"


class OrgUnitForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgUnit.Kind.choices)
    parent = UnitPickerField(label=_("Parent unit"), required=False, empty_label=_("(top level)"))

    def __init__(self, *args, with_parent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_parent:
            self.fields["parent"].queryset = selectors.unit_choices()
        else:
            del self.fields["parent"]


class OrgUnitMoveForm(StyledForm):
    parent = UnitPickerField(label=_("New parent unit"), required=False, empty_label=_("(top level)"))

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        # The search offers every unit; the unit itself or one of its sub-units, if picked, is refused by
        # the service with a message that says why.
        self.fields["parent"].queryset = selectors.unit_choices()


class PositionForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=200)
    org_unit = UnitPickerField(label=_("Org unit"))
    job_family = forms.CharField(label=_("Job family"), max_length=100, required=False)
    level = forms.CharField(label=_("Level"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = selectors.unit_choices()


class EmployeeForm(StyledForm):
    employee_no = forms.CharField(label=_("Employee number"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    org_unit = UnitPickerField(label=_("Org unit"))
    position = PositionChoiceField(
        label=_("Position"), queryset=None, required=False, empty_label=_("(no position)")
    )
    manager_no = forms.CharField(
        label=_("Manager's employee number"),
        max_length=50,
        required=False,
        help_text=_("Leave empty for no manager."),
        widget=PickerTextInput("employee"),  # typed, with suggestions by name or number
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = selectors.unit_choices()
        # Any position validates; the select only lists the chosen unit's positions (refreshed by htmx).
        self.fields["position"].queryset = Position.objects.order_by("code")
        unit_id = self._selected_unit_id()
        self.fields["position"].widget.choices = [("", _("(no position)"))] + [
            (p.pk, f"{p.title} ({p.code})")
            for p in (Position.objects.filter(org_unit_id=unit_id).order_by("code") if unit_id else [])
        ]

    def _selected_unit_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("org_unit")) if self.is_bound else self.initial.get("org_unit")
        if isinstance(raw, OrgUnit):
            return raw.pk
        return parse_id(str(raw or ""))

    def clean_manager_no(self) -> Employee | None:
        number = self.cleaned_data["manager_no"].strip()
        if not number:
            return None
        manager = Employee.objects.filter(employee_no=number).first()
        if manager is None:
            raise forms.ValidationError(_("No employee has the number %(number)s.") % {"number": number})
        return manager


class PeriodForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Period.Kind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", "—")] + [(q, f"Q{q}") for q in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[("", "—")] + [(m, f"{m:02d}") for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class PeriodAdvanceForm(forms.Form):
    to_status = forms.ChoiceField(choices=Period.Status.choices, widget=forms.HiddenInput)


class FilterForm(StyledForm):
    """A list's filters, always bound to request.GET; an invalid filter is ignored, never a 500."""

    def value(self, name: str, default=None):
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return default
        return self.cleaned_data.get(name) or default


SCOPE_CHOICES = [("", _("With sub-units")), ("only", _("This unit only"))]


class UnitFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    unit = UnitPickerField(label=_("Org unit"), required=False, empty_label=_("All units"))
    scope = forms.ChoiceField(label=_("Scope"), required=False, choices=SCOPE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_choices()


class EmployeeFilterForm(UnitFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("active", _("Active")), ("inactive", _("Inactive"))],
    )


class PositionFilterForm(UnitFilterForm):
    pass


class PeriodFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Period.Status.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class TreeSearchForm(FilterForm):
    q = forms.CharField(
        label=_("Find a unit"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or code"), "type": "search"}),
    )


IMPORT_KINDS = (
    ("units", _("Org units")),
    ("positions", _("Positions")),
    ("employees", _("Employees")),
)


class ImportUploadForm(ImportFileForm):
    kind = forms.ChoiceField(label=_("What to import"), choices=IMPORT_KINDS)
    field_order = ["kind", "file"]


class ImportConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=IMPORT_KINDS, widget=forms.HiddenInput)
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
