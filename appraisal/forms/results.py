"""Page forms of the released result: release, result meeting, the employee's appeal, an appeal decision,
a development note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisal.models import AppealStepDecision, DevelopmentKind, GradeChangeReason
from collab.forms import ScopedModelChoiceField, StyledForm, lock_version_field

DECISION_CHOICES = [
    (AppealStepDecision.UPHOLD, _("Uphold the result")),
    (AppealStepDecision.CHANGE, _("Change the grade")),
    (AppealStepDecision.ESCALATE, _("Pass to HR")),
]


class MeetingForm(StyledForm):
    lock_version = lock_version_field()
    held_at = forms.DateTimeField(
        label=_("Held on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("What was discussed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(StyledForm):
    lock_version = lock_version_field()
    reason = forms.CharField(
        label=_("Why you appeal"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.MultipleChoiceField(
        label=_("Evidence"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your scores, events and review results of the period that you can read."),
    )

    def __init__(self, *args, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(item.key, item.label) for item in evidence]

    def cited(self) -> list[dict]:
        out = []
        for key in self.cleaned_data.get("evidence", []):
            kind, _sep, pk = key.partition(":")
            out.append({"kind": kind, "id": pk})
        return out


class DecisionForm(StyledForm):
    lock_version = lock_version_field()
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect)
    grade = ScopedModelChoiceField(label=_("New grade"), queryset=None, required=False)
    reason_code = forms.ChoiceField(
        label=_("Reason code"), choices=[("", "—"), *GradeChangeReason.choices], required=False
    )
    note = forms.CharField(label=_("Explanation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, grades=None, hr_level=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = grades
        if hr_level:
            self.fields["decision"].choices = DECISION_CHOICES[:2]


class DevelopmentNoteForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DevelopmentKind.choices)
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
