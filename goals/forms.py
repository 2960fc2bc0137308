"""Forms of the goals pages. Querysets of foreign keys are built per request from the scoped managers."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import lock_version_field
from collab.models import OrgUnit, Period
from goals.models import KPI, Objective, Perspective, ProcessTag
from goals.services.kpis import KPI_FIELDS
from goals.services.objectives import OBJECTIVE_FIELDS

YES_NO_ANY = (("", _("Any")), ("yes", _("Yes")), ("no", _("No")))


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors (also service errors)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in list(self.errors):
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                self.fields[name].widget.attrs["class"] += " is-invalid"


def _unit_label(unit: OrgUnit) -> str:
    return f"{'— ' * unit.depth}{unit.code} · {unit.name}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _unit_label(obj)


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.period} · {obj.name}"


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: known fields on the field, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message if target or name == NON_FIELD_ERRORS else f"{name}: {message}")


class KPIFilterForm(BootstrapMixin, forms.Form):
    """Filters of the KPI library (pages and the API share it, so bad values answer the same)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    perspective = forms.ChoiceField(label=_("Perspective"), required=False, choices=[("", _("Any"))])
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[("", _("Any"))])
    collaborative = forms.ChoiceField(label=_("Collaborative"), required=False, choices=YES_NO_ANY)
    process_tag = forms.ChoiceField(label=_("End-to-end process"), required=False, choices=[("", _("Any"))])
    owner_unit = UnitChoiceField(label=_("Owner unit"), required=False, queryset=None, empty_label=_("Any"))
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=(("", _("Any")), ("yes", _("Active")), ("no", _("Inactive"))),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perspective"].choices = [("", _("Any")), *Perspective.choices]
        self.fields["direction"].choices = [("", _("Any")), *KPI.Direction.choices]
        self.fields["process_tag"].choices = [("", _("Any")), *ProcessTag.choices]
        self.fields["owner_unit"].queryset = OrgUnit.objects.order_by("path")

    def search_kwargs(self) -> dict:
        """Arguments of `kpi_search` from valid data (call after is_valid())."""
        data = self.cleaned_data
        flag = {"yes": True, "no": False}
        return {
            "q": data.get("q", "").strip(),
            "perspective": data.get("perspective", ""),
            "direction": data.get("direction", ""),
            "collaborative": flag.get(data.get("collaborative", "")),
            "process_tag": data.get("process_tag", ""),
            "owner_unit": data.get("owner_unit"),
            "active": flag.get(data.get("active", "")),
        }


class VersionedModelForm(BootstrapMixin, forms.ModelForm):
    """A model form carrying the row's `lock_version`: a stale save is refused instead of overwriting."""

    lock_version = lock_version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class KPIForm(VersionedModelForm):
    owner_unit = UnitChoiceField(label=_("Owner unit"), queryset=None)
    objective = ObjectiveChoiceField(label=_("Objective"), required=False, queryset=None)

    class Meta:
        model = KPI
        fields = KPI_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "cap": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["objective"].queryset = Objective.objects.select_related("period").order_by(
            "-period__year", "period_id", "perspective", "order", "id"
        )


class ObjectiveForm(VersionedModelForm):
    period = forms.ModelChoiceField(label=_("Period"), queryset=None)
    owner_unit = UnitChoiceField(label=_("Owner unit"), required=False, queryset=None)

    class Meta:
        model = Objective
        fields = OBJECTIVE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["period"].queryset = Period.objects.exclude(status=Period.Status.CLOSED).order_by(
            "-year", "kind", "quarter", "month"
        )


class ObjectiveLinkForm(BootstrapMixin, forms.Form):
    cause = forms.ModelChoiceField(label=_("Cause"), queryset=None)
    effect = forms.ModelChoiceField(label=_("Effect"), queryset=None)

    def __init__(self, *args, period: Period, **kwargs):
        super().__init__(*args, **kwargs)
        objectives = Objective.objects.filter(period=period).order_by("perspective", "order", "id")
        self.fields["cause"].queryset = objectives
        self.fields["effect"].queryset = objectives
        labels = dict(Perspective.choices)
        for name in ("cause", "effect"):
            self.fields[name].label_from_instance = lambda obj, labels=labels: (
                f"{labels.get(obj.perspective, obj.perspective)} · {obj.name}"
            )


class KPIImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel (.xlsx) or CSV file"),
        help_text=_("The first sheet is read; the first non-empty row holds the column headers."),
    )
