"""Forms of the goals page: a proposal (new goal, weight change, revision) and the manager's answers."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisal.models import ProposalKind
from collab.forms import ScopedModelChoiceField, StyledForm, lock_version_field
from collab.forms.editors import ReferenceField, reference_label
from goals.models import KPI


class PositionGoalField(ScopedModelChoiceField):
    def label_from_instance(self, obj):
        return reference_label(obj.kpi.code, obj.kpi.name)


class PersonalGoalField(ScopedModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(kpi)s (version %(version)s)") % {
            "kpi": reference_label(obj.kpi.code, obj.kpi.name), "version": obj.version,
        }  # fmt: skip


def _number(label, **kwargs):
    return forms.DecimalField(label=label, required=False, max_digits=14, decimal_places=4, **kwargs)


class GoalProposalForm(StyledForm):
    """One form for every kind; which fields a kind needs the service checks (field errors)."""

    kind = forms.ChoiceField(label=_("What you propose"), choices=ProposalKind.choices)
    parent_goal = PositionGoalField(
        label=_("Under your position's goal"), queryset=None, required=False,
        help_text=_("New goals only: the goal of your position that yours contributes to."),
    )  # fmt: skip
    kpi = ReferenceField(
        model=KPI, label=_("KPI"), required=False,
        help_text=_("New goals only: type a code or a name and pick from the library."),
    )  # fmt: skip
    personal_goal = PersonalGoalField(
        label=_("Your agreed goal"), queryset=None, required=False,
        help_text=_("A weight change or a revision: the goal it changes."),
    )  # fmt: skip
    target = _number(_("Target"))
    weight = forms.DecimalField(
        label=_("Weight %"), required=False, min_value=Decimal("0"), max_value=Decimal("100"), max_digits=5,
        decimal_places=2,
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a revision during the period."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def __init__(self, *args, position_goals, personal_goals, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_goal"].queryset = position_goals
        self.fields["personal_goal"].queryset = personal_goals
        choices = [(value, label) for value, label in ProposalKind.choices if value in kinds]
        self.fields["kind"].choices = choices
        self.fields["kind"].widget.attrs["data-weight-kind"] = "1"
        self.fields["weight"].widget.attrs["data-weight-input"] = "1"
        self.fields["personal_goal"].widget.attrs["data-weight-goal"] = "1"
        self.fields["kpi"].widget.attrs["list"] = "kpi-options"

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("lock_version", None)
        return data


class AcceptForm(StyledForm):
    target = _number(_("Agreed target"), help_text=_("Leave empty to accept the proposed target."))
    weight = forms.DecimalField(
        label=_("Agreed weight %"), required=False, min_value=Decimal("0"), max_value=Decimal("100"),
        max_digits=5, decimal_places=2, help_text=_("Leave empty to accept the proposed weight."),
    )  # fmt: skip
    manager_comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lock_version = lock_version_field()


class ReturnForm(StyledForm):
    manager_comment = forms.CharField(
        label=_("Why it goes back"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lock_version = lock_version_field()
