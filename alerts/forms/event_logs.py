"""The event-log pages' forms: the upload, and the column mapping of a CSV or Excel log."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Process
from alerts.services.event_logs import MAPPED_FIELDS, REQUIRED_FIELDS
from collab.forms import StyledForm

FIELD_LABELS = {
    "case": _("Case id"),
    "activity": _("Activity"),
    "timestamp": _("Timestamp (completed)"),
    "start_timestamp": _("Start timestamp"),
    "unit": _("Unit (department)"),
    "resource": _("Resource (who did it)"),
    "lifecycle": _("Lifecycle transition (start / complete)"),
}


class EventLogUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Event log file"),
        help_text=_("CSV or Excel with one row per event, or XES (.xes, .xes.gz) as mining tools export it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.xes,.gz"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Leave empty to use the file's name."))  # fmt: skip
    process = forms.ModelChoiceField(
        label=_("Designed process"), queryset=None, required=False,
        help_text=_("Activities named like its stages are checked against their designed order."),
    )  # fmt: skip
    naive_zone = forms.CharField(
        label=_("Time zone of timestamps without one"), max_length=64, required=False,
        help_text=_("Leave empty for the company's time zone; timestamps with an offset keep it."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.order_by("name", "id")


class EventLogMappingForm(StyledForm):
    """One select per field, offering the file's headers."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(header, header) for header in headers]
        for field in MAPPED_FIELDS:
            self.fields[field] = forms.ChoiceField(
                label=FIELD_LABELS[field], choices=choices, required=field in REQUIRED_FIELDS,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
