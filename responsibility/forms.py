"""Forms of the responsibility matrix pages.

The header (KPI, effective period, note, lock version) is a Django form; the rows are a dynamic list of
inputs named "rows-<i>-<field>" (`responsibility.services.rows.ROW_FIELDS`), read by
`collab.forms.editors.rows_from_post`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collab.forms import PeriodChoiceField, ScopedModelChoiceField, StyledForm, lock_version_field
from collab.models import Period
from goals.models import KPI
from responsibility.services.periods import matrix_period_options


class KPIChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class EffectivePeriodSelect(forms.Select):
    """Periods a version may not take effect from stay in the list, disabled, their reason beside them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks: dict[int, object] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        check = self.checks.get(getattr(value, "value", value))
        if check is not None and not check.allowed:
            option["attrs"]["disabled"] = True
            option["label"] = _("%(period)s (not available)") % {"period": label}
        elif check is not None and check.kept:
            option["label"] = _("%(period)s (open periods only)") % {"period": label}
        return option


class EffectivePeriodField(PeriodChoiceField):
    """The period a version takes effect from: `matrix_period_check`'s verdicts set by the form."""

    widget = EffectivePeriodSelect

    def validate(self, value):
        super().validate(value)
        check = self.widget.checks.get(getattr(value, "pk", None))
        if check is not None and not check.allowed:
            raise ValidationError(check.reason)


class MatrixForm(StyledForm):
    """The header of a matrix version. `mode`: "create" (KPI + period), "version" (period), "edit" (note)."""

    kpi = KPIChoiceField(label=_("KPI"), queryset=None)
    effective_from = EffectivePeriodField(
        label=_("Effective from"),
        queryset=None,
        help_text=_("The first period scored with this version; earlier periods keep the version they had."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lock_version = lock_version_field()

    def __init__(self, *args, mode: str = "create", matrix=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == "create":
            self.fields["kpi"].queryset = KPI.objects.filter(is_active=True).order_by(
                "-is_collaborative", "code"
            )
        else:
            del self.fields["kpi"]
        if mode in ("create", "version"):
            # One rule with the save: the periods it would refuse are shown disabled, with the reason.
            self.period_options = matrix_period_options(kpi=matrix.kpi_id if matrix is not None else None)
            field = self.fields["effective_from"]
            field.queryset = Period.objects.exclude(status=Period.Status.CLOSED)
            field.widget.checks = {check.period.pk: check for check in self.period_options}
        else:
            self.period_options = []
            del self.fields["effective_from"]


class MatrixFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    period = PeriodChoiceField(queryset=None, required=False)
    scope = forms.ChoiceField(
        required=False,
        choices=[("", _("All collaborative KPIs")), ("with", _("With a matrix")), ("without", _("Without"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()

    def clean_q(self):
        value = self.cleaned_data.get("q", "")
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        return value.strip()
