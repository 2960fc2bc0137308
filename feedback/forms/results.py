"""Forms of the review results pages (filters; what a reader may see is the selectors' decision)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.forms import PeriodChoiceField, StyledForm
from collab.models import Period
from feedback.models import CampaignStatus


class ReviewResultFilterForm(StyledForm):
    """The results list's filters (pages); the API takes the same names."""

    period = PeriodChoiceField(label=_("Period"), queryset=None, required=False, empty_label=_("All periods"))
    status = forms.ChoiceField(
        label=_("Campaign"), required=False,
        choices=[("", _("Open and closed")), (CampaignStatus.CLOSED, _("Closed: results released")),
                 (CampaignStatus.OPEN, _("Open: response rate only"))],
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()

    def filters(self) -> dict:
        period = self.cleaned_data.get("period")
        return {"period": period.pk if period else None, "status": self.cleaned_data.get("status", "")}


class ResponseRateFilterForm(StyledForm):
    period = PeriodChoiceField(label=_("Period"), queryset=None, required=False, empty_label=_("All periods"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
