"""Forms of the alert pages: the list's filter, the alert's actions (a comment), a rule's parameters and a
silence."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import (
    AlertRule,
    AlertStatus,
    NoDataPolicy,
    Process,
    ProcessKpi,
    ProcessStage,
    RuleKind,
    Severity,
    SilenceScope,
)
from alerts.services.rules import RULE_FIELDS
from collab.forms import ScopedModelChoiceField, StyledForm, StyledModelForm, lock_version_field

STATUS_CHOICES = [("open", _("Open (firing or acknowledged)")), ("", _("Every status")), *AlertStatus.choices]
WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]  # fmt: skip


class AlertFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    process = ScopedModelChoiceField(label=_("Process"), queryset=None, required=False,
                                     empty_label=_("Every process"))  # fmt: skip
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("Every severity")), *Severity.choices])  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.order_by("name")


class AlertActionForm(StyledForm):
    ACTIONS = [("acknowledge", _("Acknowledge")), ("resolve", _("Resolve")),
               ("not_anomaly", _("Not an anomaly"))]  # fmt: skip
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class RuleForm(StyledModelForm):
    kpi = ScopedModelChoiceField(label=_("KPI"), queryset=None)
    lock_version = lock_version_field()

    class Meta:
        model = AlertRule
        fields = ["kpi", *RULE_FIELDS]
        widgets = {"kind": forms.Select(choices=RuleKind.choices),
                   "no_data": forms.Select(choices=NoDataPolicy.choices)}  # fmt: skip

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = ProcessKpi.objects.select_related("stage__process").order_by("code")
        if editing:
            self.fields["kpi"].disabled = True
            self.fields["kpi"].required = False
        else:
            del self.fields["lock_version"]

    def _post_clean(self):  # the service checks the rule (field errors come back through save_form)
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in RULE_FIELDS}


class SilenceForm(StyledForm):
    scope = forms.ChoiceField(label=_("Applies to"), choices=SilenceScope.choices)
    rule = ScopedModelChoiceField(label=_("Rule"), queryset=None, required=False)
    stage = ScopedModelChoiceField(label=_("Stage"), queryset=None, required=False)
    process = ScopedModelChoiceField(label=_("Process"), queryset=None, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Recurs on"), choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for one stretch from start to end; tick days for a weekly window."),
    )  # fmt: skip
    window_start = forms.TimeField(label=_("Daily from"), required=False,
                                   widget=forms.TimeInput(attrs={"type": "time"}))  # fmt: skip
    window_end = forms.TimeField(label=_("Daily until"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = AlertRule.objects.select_related("kpi").order_by("kpi__code", "kind")
        self.fields["rule"].label_from_instance = lambda r: f"{r.kpi.code} · {r.get_kind_display()}"
        self.fields["stage"].queryset = ProcessStage.objects.select_related("process").order_by(
            "process__name", "order"
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.process.name} › {s.name}"
        self.fields["process"].queryset = Process.objects.order_by("name")

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
