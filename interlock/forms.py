"""Forms of the scorecard pages, the tenant's scoring settings, and the score and ranking filters.

Scorecard lines are a dynamic list named "lines-<i>-<field>" (the keys the service uses for its errors),
read with `collab.forms.editors.rows_from_post`.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import PeriodChoiceField, StyledForm, lock_version_field
from collab.forms.editors import ReferenceField, rows_from_post
from collab.forms.pickers import PickerTextInput, UnitPickerField
from collab.models import OrgUnit, Period, Position
from interlock import engine

LINE_FIELDS = ("kpi", "role", "weight", "threshold")


def lines_from_post(data) -> list[dict[str, str]]:
    return rows_from_post(data, prefix="lines", fields=LINE_FIELDS, ignore_blank=("role",))


class ScorecardCreateForm(StyledForm):
    period = PeriodChoiceField(label=_("Period"), queryset=None)
    org_unit = ReferenceField(
        model=OrgUnit, label=_("Org unit"), required=False,
        help_text=_("A unit's scorecard (type its code or name)…"),
        widget=PickerTextInput("unit"),
    )  # fmt: skip
    position = ReferenceField(
        model=Position, label=_("Position"), required=False,
        help_text=_("…or a position's (not both)."),
        widget=PickerTextInput("position"),
    )  # fmt: skip
    review_weight = forms.DecimalField(
        label=_("Review weight ρ"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        max_digits=4,
        decimal_places=3,
        initial=Decimal("0"),
        help_text=_("Share of the internal-customer review in the base score (0–1)."),
    )
    start = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        choices=[
            ("", _("No lines")),
            ("goals", _("The subject's goals in the goal tree")),
            ("matrices", _("The lines the responsibility matrices imply")),
            ("previous", _("The same subject's scorecard of the previous period")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.exclude(status=Period.Status.CLOSED)

    def clean(self):
        data = super().clean()
        if bool(data.get("org_unit")) == bool(data.get("position")):
            raise ValidationError(_("Choose either an org unit or a position."))
        return data


class ScorecardHeaderForm(StyledForm):
    review_weight = forms.CharField(label=_("Review weight ρ"), max_length=20, required=False)
    lock_version = lock_version_field()


class LockForm(forms.Form):
    lock_version = lock_version_field()


class CopyForm(StyledForm):
    source = PeriodChoiceField(label=_("Copy from"), queryset=None)
    target = PeriodChoiceField(label=_("Into"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Period.objects.all()
        self.fields["target"].queryset = Period.objects.exclude(status=Period.Status.CLOSED)


class ScoringSettingsForm(StyledForm):
    min_collaborative_weight = forms.DecimalField(
        label=_("Minimum collaborative weight (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("50"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Shared lines should weigh at least this much in a published scorecard (0–50)."),
    )
    anonymity_threshold = forms.IntegerField(
        label=_("Anonymity threshold (k)"),
        min_value=3,
        max_value=100,
        help_text=_("Internal-customer reviews count only with at least this many distinct raters."),
    )
    point_cap = forms.DecimalField(
        label=_("Points cap"),
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Approved bonus/penalty points count up to ± this much."),
    )


# ---------------------------------------------------------------------------------- score and ranking filters


FLAG_CHOICES = [
    ("", _("Any flags")),
    (engine.FLAG_SPECIAL_REVIEW, _("Special review")),
    (engine.FLAG_NO_DATA, _("Lines without data")),
    (engine.FLAG_REVIEW, _("Review part not counted")),
    (engine.FLAG_COLLAB_LOW, _("Collaborative share low")),
    (engine.FLAG_POINTS_CLAMPED, _("Points clamped")),
    (engine.FLAG_NO_KPI_DATA, _("No total")),
]


class RankingForm(forms.Form):
    period = PeriodChoiceField(label=_("Period"), queryset=None, required=False)
    subject_type = forms.ChoiceField(
        label=_("Subjects"),
        required=False,
        choices=[
            ("", _("Units and positions")),
            ("unit", _("Units")),
            ("position", _("Positions")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Unit kind"),
        required=False,
        choices=[("", _("Any kind")), *OrgUnit.Kind.choices],
    )
    parent = UnitPickerField(label=_("Within"), required=False, empty_label=_("All units"))
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=FLAG_CHOICES)
    incomplete = forms.ChoiceField(
        label=_("Completeness"),
        required=False,
        choices=[
            ("", _("Complete or not")),
            ("yes", _("Incomplete only")),
            ("no", _("Complete only")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
        self.fields["parent"].queryset = OrgUnit.objects.all()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class ScoreFilterForm(forms.Form):
    period = PeriodChoiceField(queryset=None, required=False, label=_("Period"))
    kind = forms.ChoiceField(
        required=False,
        label=_("Subject"),
        choices=[("", _("Units and positions")), ("unit", _("Org units")),
                 ("position", _("Positions"))],
    )
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    flag = forms.ChoiceField(required=False, choices=FLAG_CHOICES, label=_("Flag"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm" if isinstance(
                field, forms.ChoiceField
            ) else "form-control form-control-sm"

    def clean_q(self):
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError(_("Null characters are not allowed."))
        return value.strip()


class RecomputeForm(forms.Form):
    period = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
