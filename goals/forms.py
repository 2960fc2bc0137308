"""Forms of the goals pages. Querysets of foreign keys are built per request from the scoped managers."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.forms import (
    PeriodChoiceField,
    ScopedModelChoiceField,
    StyledForm,
    StyledModelForm,
    lock_version_field,
)
from collab.forms.pickers import UnitPickerField
from collab.models import OrgUnit, Period, Position
from collab.routing.ids import parse_id
from goals.hooks import automatic_data_sources
from goals.models import KPI, Goal, Objective, Perspective, ProcessTag
from goals.services.kpis import AVERAGED_EXACT_UNITS, AVERAGED_NAME_ENDINGS, AVERAGED_UNITS, KPI_FIELDS
from goals.services.measurements.values import NOTE_MAX
from goals.services.objectives import OBJECTIVE_FIELDS

YES_NO_ANY = (("", _("Any")), ("yes", _("Yes")), ("no", _("No")))


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.period} · {obj.name}"





class KPIFilterForm(StyledForm):
    """Filters of the KPI library (pages and the API share it, so bad values answer the same)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    perspective = forms.ChoiceField(label=_("Perspective"), required=False, choices=[("", _("Any"))])
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[("", _("Any"))])
    collaborative = forms.ChoiceField(label=_("Collaborative"), required=False, choices=YES_NO_ANY)
    process_tag = forms.ChoiceField(label=_("End-to-end process"), required=False, choices=[("", _("Any"))])
    owner_unit = UnitPickerField(label=_("Owner unit"), required=False, queryset=None, empty_label=_("Any"))
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


class VersionedModelForm(StyledModelForm):
    """A model form carrying the row's `lock_version`: a stale save is refused instead of overwriting."""

    lock_version = lock_version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class KPIForm(VersionedModelForm):
    owner_unit = UnitPickerField(label=_("Owner unit"), queryset=None)
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
        aggregation = self.fields["aggregation"]
        aggregation.help_text = _(
            "How quarter and year values derive from the months. Percentages, rates, ratios and scores "
            "take the average (adding them up means nothing); counts and money the sum."
        )
        if not self.instance.pk:  # a new KPI: by default the rule decides, from the unit of measure
            aggregation.required = False
            aggregation.choices = [("", _("Automatic (from the unit of measure)")), *KPI.Aggregation.choices]
            aggregation.initial = ""
            aggregation.widget.attrs.update(
                {
                    "data-aggregation-auto": "1",
                    "data-averaged-units": json.dumps(list(AVERAGED_UNITS)),
                    "data-averaged-names": json.dumps(list(AVERAGED_NAME_ENDINGS)),
                    "data-averaged-exact": json.dumps(list(AVERAGED_EXACT_UNITS)),
                    "data-label-average": str(KPI.Aggregation.AVERAGE.label),
                    "data-label-sum": str(KPI.Aggregation.SUM.label),
                    "data-label-auto": str(_("Automatic: %(rule)s")),
                }
            )
        sources = automatic_data_sources()
        if sources and "data_source" in self.fields:
            listed = "; ".join(f"{code} ({label})" for code, label in sources.items())
            self.fields["data_source"].help_text = _(
                "Set it to one of these codes and the actual fills itself from that measure of the owner "
                "unit (the target stays yours): %(sources)s."
            ) % {"sources": listed}
        self.fields["owner_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["objective"].queryset = Objective.objects.select_related("period").order_by(
            "-period__year", "period_id", "perspective", "order", "id"
        )


class ObjectiveForm(VersionedModelForm):
    period = PeriodChoiceField(label=_("Period"), queryset=None)
    owner_unit = UnitPickerField(label=_("Owner unit"), required=False, queryset=None)

    class Meta:
        model = Objective
        fields = OBJECTIVE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["period"].queryset = Period.objects.exclude(status=Period.Status.CLOSED)
        if self.instance.pk and self.instance.period.is_closed:  # its own period, shown but not changed
            self.fields["period"].queryset = Period.objects.filter(pk=self.instance.period_id)


class ObjectiveLinkForm(StyledForm):
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


# --------------------------------------------------------------------------------------------- goal tree


class KPIChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj):
        marker = f" · {_('collaborative')}" if obj.is_collaborative else ""
        return f"{obj.code} · {obj.name}{marker}"


class GoalForm(StyledForm):
    org_unit = UnitPickerField(label=_("Org unit"), queryset=None)
    position = ScopedModelChoiceField(
        label=_("Position"), queryset=None, required=False,
        empty_label=_("— the unit itself —"),
        help_text=_("Leave empty for a unit goal, or choose one of the unit's positions."),
    )
    kpi = KPIChoiceField(label=_("KPI"), queryset=None)
    weight = forms.DecimalField(
        label=_("Weight among its siblings (%)"), min_value=Decimal("0"), max_value=Decimal("100"),
        max_digits=5, decimal_places=2, initial=Decimal("0"),
    )
    lock_version = lock_version_field()

    def __init__(self, *args, unit_id: int | None = None, current_kpi: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("path")
        kpis = KPI.objects.filter(is_active=True)
        if current_kpi is not None:
            kpis = KPI.objects.filter(is_active=True) | KPI.objects.filter(pk=current_kpi)
        self.fields["kpi"].queryset = kpis.order_by("code")
        raw_unit = self.data.get("org_unit") if self.is_bound else unit_id
        unit = parse_id(str(raw_unit or ""))
        self.fields["position"].queryset = (
            Position.objects.filter(org_unit_id=unit).order_by("title") if unit else Position.objects.none()
        )
        self.fields["org_unit"].widget.attrs["data-positions"] = "1"


class MoveForm(StyledForm):
    parent = ScopedModelChoiceField(
        label=_("New parent goal"), queryset=None, required=False,
        empty_label=_("— top level of the period —"),
    )
    weight = forms.DecimalField(
        label=_("Weight under the new parent (%)"), required=False, min_value=Decimal("0"),
        max_value=Decimal("100"), max_digits=5, decimal_places=2,
    )
    lock_version = lock_version_field()

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        # Validation only: another period's, another tenant's or an unknown id is "not a valid choice";
        # the service refuses the goal's own subtree with a clear message.
        self.fields["parent"].queryset = Goal.objects.filter(period_id=goal.period_id)


class DeleteForm(forms.Form):
    subtree = forms.BooleanField(label=_("Also delete every sub-goal"), required=False)
    lock_version = lock_version_field()


class CopyForm(StyledForm):
    source = PeriodChoiceField(label=_("Copy from"), queryset=None)

    def __init__(self, *args, target: Period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Period.objects.exclude(pk=target.pk)


# --------------------------------------------------------------------------------------------- measurements


class MeasurementForm(StyledForm):
    """One grid row. Values are text so "1,234.5" works; the service parses and validates them."""

    target = forms.CharField(label=_("Target"), required=False, max_length=60)
    actual = forms.CharField(label=_("Actual"), required=False, max_length=60)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)
    lock_version = lock_version_field()

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["id"] = f"{prefix_id}{name}"
            if name != "lock_version":
                field.widget.attrs["class"] += " form-control-sm"
            if name in ("target", "actual"):
                field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        for name in ("target", "actual", "note"):
            if "\x00" in (self.data.get(name) or ""):
                self.add_error(name, _("Null characters are not allowed."))
        return cleaned


class MeasurementFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    perspective = forms.ChoiceField(label=_("Perspective"), required=False)
    missing = forms.BooleanField(label=_("Only KPIs without an actual"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perspective"].choices = [("", _("All perspectives")), *Perspective.choices]
        placeholder = _("Code or name")
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": placeholder})
        self.fields["q"].widget.attrs["class"] += " form-control-sm"
        self.fields["perspective"].widget.attrs["class"] += " form-select-sm"

    def filters(self) -> dict:
        """The valid filters only: a bad value is simply not applied."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": (data.get("q") or "").replace("\x00", "").strip(),
            "perspective": data.get("perspective"),
            "missing": bool(data.get("missing")),
        }
