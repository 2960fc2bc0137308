"""Forms of the process KPI pages: a KPI (its stage chosen among its process's stages) and one point entered
by hand. Numbers travel as text to the services, which parse them (`collab.numbers.parse_number`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Granularity, KpiDirection
from collab.forms import StyledForm, lock_version_field


class ProcessKpiForm(StyledForm):
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_label = forms.CharField(
        label=_("Unit of measure"), max_length=20, required=False, help_text=_("e.g. h, %, days")
    )
    granularity = forms.ChoiceField(label=_("Granularity"), choices=Granularity.choices,
                                    initial=Granularity.MONTHLY)  # fmt: skip
    direction = forms.ChoiceField(label=_("Direction"), choices=KpiDirection.choices)
    amber = forms.CharField(
        label=_("Amber line"), max_length=30, required=False,
        help_text=_("Optional; on the bad side of the KPI. None when either way is bad."),
    )  # fmt: skip
    red = forms.CharField(
        label=_("Red line"), max_length=30, required=False,
        help_text=_("Optional; at or beyond the amber line on the bad side."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    lock_version = lock_version_field()

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(stage.pk, f"{stage.order}. {stage.name}") for stage in stages]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "lock_version"}


class KpiPointForm(StyledForm):
    at = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of the period: the day; a weekly KPI's Monday; a monthly KPI's 1st."),
    )  # fmt: skip
    value = forms.CharField(label=_("Value"), max_length=30)
