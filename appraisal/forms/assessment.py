"""Page forms of the assessment part: the list's filters, the self-assessment and the manager's assessment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisal.models import Stage
from appraisal.models.assessment import SELF_RATING_MAX
from appraisal.selectors.assessment import GoalRow
from collab.forms import StyledForm, lock_version_field, style_widget
from collab.forms.pickers import UnitPickerField
from collab.models import OrgUnit

TEXT_LIMIT = 5000
RATINGS = [("", _("No rating")), *[(str(value), str(value)) for value in range(1, SELF_RATING_MAX + 1)]]


class AppraisalFilterForm(StyledForm):
    """HR's and auditors' filters over one cycle (the cycle itself is chosen from a short list)."""

    cycle = forms.TypedChoiceField(label=_("Cycle"), required=False, coerce=int, empty_value=None)
    unit = UnitPickerField(label=_("Unit (with its sub-units)"), queryset=None, required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )

    def __init__(self, *args, cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(cycle.pk, f"{cycle.name} · {cycle.period}") for cycle in cycles]
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")


class SelfAssessmentForm(StyledForm):
    """A comment and an optional rating per personal goal (fields goal_<id>_comment / goal_<id>_rating),
    and the overall summary."""

    summary = forms.CharField(
        label=_("Overall summary"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you achieved in the period, what helped and what got in the way."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def __init__(self, *args, goals: list[GoalRow] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_rows = list(goals)
        for row in self.goal_rows:
            pk = row.goal.pk
            self.fields[f"goal_{pk}_comment"] = forms.CharField(
                label=_("Comment"), required=False, max_length=TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )  # fmt: skip
            self.fields[f"goal_{pk}_rating"] = forms.TypedChoiceField(
                label=_("Your rating (optional)"), required=False, choices=RATINGS, coerce=int,
                empty_value=None,
            )  # fmt: skip
            if row.assessment is not None and not self.is_bound:
                self.initial[f"goal_{pk}_comment"] = row.assessment.self_comment
                self.initial[f"goal_{pk}_rating"] = row.assessment.self_rating or ""
            style_widget(self.fields[f"goal_{pk}_comment"].widget)
            style_widget(self.fields[f"goal_{pk}_rating"].widget)

    def goal_fields(self):
        return [(row, self[f"goal_{row.goal.pk}_comment"], self[f"goal_{row.goal.pk}_rating"])
                for row in self.goal_rows]  # fmt: skip

    def service_goals(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            row.goal.pk: {"comment": data.get(f"goal_{row.goal.pk}_comment", ""),
                          "rating": data.get(f"goal_{row.goal.pk}_rating")}
            for row in self.goal_rows
        }  # fmt: skip

    @staticmethod
    def field_of(key: str) -> str:
        """A service error key (goals-<id>-comment) as this form's field name."""
        if key.startswith("goals-"):
            _prefix, pk, name = (key.split("-", 2) + ["", ""])[:3]
            return f"goal_{pk}_{name}"
        return key


class ManagerAssessmentForm(StyledForm):
    grade = forms.TypedChoiceField(label=_("Grade"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(
        label=_("Reason for the grade"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required: what the grade rests on (results, behaviour, evidence)."),
    )  # fmt: skip
    departure_reason = forms.CharField(
        label=_("Why the grade departs from the suggested one"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the grade is not the one the score suggests."),
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Comments for the employee"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the employee when the results are released."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grades = {grade.pk: grade for grade in grades}
        self.fields["grade"].choices = [("", _("Choose a grade")), *[
            (grade.pk, f"{grade.code} · {grade.name}") for grade in grades
        ]]  # fmt: skip

    def chosen_grade(self):
        return self.grades.get(self.cleaned_data.get("grade"))
