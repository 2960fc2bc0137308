"""Forms of the check-ins page: a check-in (its goal notes and actions are rows, `collab.forms.editors`),
the private note, an action's done box."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.forms import StyledForm, lock_version_field
from collab.forms.editors import rows_from_post

SPARE_ACTION_ROWS = 3
ACTION_FIELDS = ("id", "description", "owner", "due_on")


class CheckInForm(StyledForm):
    held_on = forms.DateField(
        label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    progress = forms.CharField(
        label=_("Progress"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    obstacles = forms.CharField(
        label=_("Obstacles"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    private_note = forms.CharField(
        label=_("My private note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only you ever read it: not the other side, not HR."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def service_data(self, post) -> dict:
        names = ("held_on", "progress", "obstacles", "private_note")
        data = {name: self.cleaned_data[name] for name in names}
        data["goal_notes"] = rows_from_post(
            post, fields=("personal_goal", "progress"), prefix="goalnotes", ignore_blank=("personal_goal",)
        )
        data["actions"] = rows_from_post(
            post, fields=ACTION_FIELDS, prefix="actions", ignore_blank=("id", "owner")
        )
        return data


class PrivateNoteForm(StyledForm):
    text = forms.CharField(
        label=_("My private note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only you ever read it. Leave empty to remove it."),
    )  # fmt: skip


class ActionDoneForm(StyledForm):
    done = forms.BooleanField(required=False)
    lock_version = lock_version_field()
