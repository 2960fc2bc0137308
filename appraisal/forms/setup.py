"""Forms of HR's appraisal set-up pages: the policy, a cycle (header, weights and stage dates), a participant
rule, the progress board's filters and a stage reopening.

The grade scale and the guideline are dynamic rows named "grades-<i>-<field>" and "rules-<i>-<field>"
(`appraisal.services.policy.GRADE_FIELDS`, `RULE_FIELDS`), read by `collab.forms.editors.rows_from_post`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appraisal.models import DATED_STAGES, AppraisalPolicy, CycleStatus, DistributionMode, Stage
from appraisal.services.cycle_checks import WEIGHT_FIELDS
from appraisal.services.stages import ADVANCING
from collab.forms import PeriodChoiceField, StyledForm, lock_version_field, style_widget
from collab.forms.pickers import PositionPickerField, UnitPickerField
from collab.models import OrgUnit, Period, Position

_DATETIME = {"type": "datetime-local"}
_FORMAT = "%Y-%m-%dT%H:%M"


def _moment_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=forms.DateTimeInput(attrs=_DATETIME, format=_FORMAT), **kwargs
    )


class PolicyForm(StyledForm):
    distribution_mode = forms.ChoiceField(
        label=_("Distribution guideline"), choices=DistributionMode.choices,
        help_text=AppraisalPolicy._meta.get_field("distribution_mode").help_text,
    )  # fmt: skip
    departure_bound = forms.IntegerField(
        label=_("Allowed departure from the suggested grade"), min_value=0, max_value=10,
        help_text=AppraisalPolicy._meta.get_field("departure_bound").help_text,
    )  # fmt: skip
    confirmation_days = forms.IntegerField(label=_("Days to confirm or appeal"), min_value=1, max_value=60)
    appeal_manager_days = forms.IntegerField(
        label=_("Days for the manager's manager to answer an appeal"), min_value=1, max_value=60
    )
    appeal_hr_days = forms.IntegerField(label=_("Days for HR to decide an appeal"), min_value=1, max_value=60)
    reminder_days = forms.IntegerField(
        label=_("Remind this many days before a deadline"), min_value=0, max_value=30
    )
    lock_version = lock_version_field()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "lock_version"}


class CycleForm(StyledForm):
    """A cycle's header, its formula and, per dated stage, when it opens and its deadline (in the tenant's
    time zone; a stage left empty is one the cycle skips)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    period = PeriodChoiceField(label=_("Period"), queryset=None)
    weight_scorecard = forms.DecimalField(
        label=_("Scorecard score (%)"), min_value=0, max_value=100, decimal_places=2, initial=50
    )
    weight_review = forms.DecimalField(
        label=_("Review part (%)"), min_value=0, max_value=100, decimal_places=2, initial=20
    )
    weight_manager = forms.DecimalField(
        label=_("Manager's grade (%)"), min_value=0, max_value=100, decimal_places=2, initial=30
    )
    lock_version = lock_version_field()

    def __init__(self, *args, launched: dict | None = None, **kwargs):
        """`launched`: a launched cycle's stored stages by code ({stage: Window}); only the dates still ahead
        stay editable (the service's rule, shown as disabled inputs)."""
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.exclude(status=Period.Status.CLOSED)
        for stage in DATED_STAGES:
            label = Stage(stage).label
            self.fields[f"{stage}_opens"] = _moment_field(
                _("%(stage)s opens") % {"stage": label}, required=False
            )
            self.fields[f"{stage}_deadline"] = _moment_field(
                _("%(stage)s deadline") % {"stage": label}, required=False
            )
            for name in (f"{stage}_opens", f"{stage}_deadline"):
                style_widget(self.fields[name].widget)
                self.fields[name].widget.attrs["aria-label"] = self.fields[name].label
        self._launched = launched
        if launched is not None:
            self._freeze_launched(launched)

    def _freeze_launched(self, launched: dict) -> None:
        now = timezone.now()
        for name in ("name", "period", *WEIGHT_FIELDS):
            self.fields[name].disabled = True
        for stage in DATED_STAGES:
            window = launched.get(stage)
            if window is None or window.opens_at <= now:
                self.fields[f"{stage}_opens"].disabled = True
            if window is None:
                self.fields[f"{stage}_deadline"].disabled = True

    def clean(self):
        cleaned = super().clean()
        for stage in DATED_STAGES:
            opens, deadline = cleaned.get(f"{stage}_opens"), cleaned.get(f"{stage}_deadline")
            if (opens is None) != (deadline is None) and not self.errors.get(f"{stage}_opens"):
                missing = f"{stage}_deadline" if deadline is None else f"{stage}_opens"
                self.add_error(missing, _("Give both dates of the stage, or neither to skip it."))
        return cleaned

    def stage_pairs(self):
        return [
            (Stage(stage).label, self[f"{stage}_opens"], self[f"{stage}_deadline"]) for stage in DATED_STAGES
        ]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "period", *WEIGHT_FIELDS)}

    def stages(self) -> list[dict]:
        return [
            {"stage": stage, "opens_at": self._moment(stage, "opens_at"),
             "deadline": self._moment(stage, "deadline")}
            for stage in DATED_STAGES
            if self.cleaned_data.get(f"{stage}_opens") and self.cleaned_data.get(f"{stage}_deadline")
        ]  # fmt: skip

    def _moment(self, stage: str, name: str):
        """The date given for a stage; for a launched cycle a date shown and sent back unchanged (the input
        holds minutes, the stored date may hold seconds) is the stored one, so it does not count as moved."""
        value = self.cleaned_data[f"{stage}_{'opens' if name == 'opens_at' else 'deadline'}"]
        window = (self._launched or {}).get(stage)
        if window is None:
            return value
        stored = getattr(window, name)
        return stored if _to_the_minute(value) == _to_the_minute(stored) else value


def _to_the_minute(moment: dt.datetime) -> dt.datetime:
    return moment - dt.timedelta(seconds=moment.second, microseconds=moment.microsecond)


# The service's stage errors ("stages-<i>-<field>") land on the form's fields by the stage of row i.
def stage_error_fields(stages: list[dict]) -> dict[str, str]:
    mapping = {}
    for index, row in enumerate(stages):
        mapping[f"stages-{index}-opens_at"] = f"{row['stage']}_opens"
        mapping[f"stages-{index}-deadline"] = f"{row['stage']}_deadline"
        mapping[f"stages-{index}-stage"] = f"{row['stage']}_opens"
    return mapping


class ParticipantRuleForm(StyledForm):
    org_unit = UnitPickerField(label=_("Unit"), queryset=None, required=False)
    include_sub_units = forms.BooleanField(label=_("Include sub-units"), required=False, initial=True)
    position = PositionPickerField(label=_("Position"), queryset=None, required=False)
    job_family = forms.CharField(label=_("Job family"), max_length=100, required=False)
    level = forms.CharField(label=_("Level"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["position"].queryset = Position.objects.order_by("code")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(
            cleaned.get(f) for f in ("org_unit", "position", "job_family", "level")
        ):
            raise ValidationError(_("Name a unit, a position, a job family or a level."))
        return cleaned

    def row(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class CycleFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CycleStatus.choices]
    )


class BoardFilterForm(StyledForm):
    unit = UnitPickerField(label=_("Unit"), queryset=None, required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["stage"].choices = [("", _("Every stage")), *Stage.choices]


class ReopenForm(StyledForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=[(s, Stage(s).label) for s in ADVANCING])
    until = _moment_field(_("New deadline"))
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the audit log; say why this person gets more time."),
    )  # fmt: skip
