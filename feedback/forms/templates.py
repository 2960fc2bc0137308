"""Forms of the review template pages.

A template's dimensions are a dynamic list of inputs named "dimensions-<i>-<field>"
(`feedback.services.templates.DIMENSION_FIELDS`), read by `collab.forms.editors.rows_from_post`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import StyledForm, lock_version_field
from feedback.models import ReviewKind


class ReviewTemplateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True,
        help_text=_("An inactive template is kept on record and marked inactive."),
    )  # fmt: skip
    lock_version = lock_version_field()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "kind", "description", "is_active")}


class ReviewTemplateFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ReviewKind.choices]
    )

    def clean_q(self):
        value = self.cleaned_data.get("q", "")
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        return value.strip()
