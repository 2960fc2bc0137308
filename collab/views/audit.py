"""Audit log pages: browse and filter, one event's before/after side by side, Excel export.

HR admins and auditors read; nobody writes. The pages are read-only (`tenant_page` answers 405 to
every method but GET and HEAD), and the model itself refuses updates and deletes.
"""

from __future__ import annotations

import io
from datetime import datetime

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from collab.models import AuditEvent
from collab.pages import HR_AND_AUDITOR, get_scoped_or_404, paginate, tenant_page
from collab.selectors.audit.diff import DiffRow, audit_diff, audit_events_in_words
from collab.selectors.audit.events import SYSTEM_ACTOR, audit_events, audit_filter_choices, tenant_zone
from collab.selectors.audit.vocabulary import action_label, object_type_label
from collab.selectors.audit.words import SnapshotWords, object_names

EXPORT_MAX_ROWS = 100_000
EXCEL_CELL_MAX = 32_000


def _by_label(codes: list[str], label) -> list[tuple[str, str]]:
    """Choices that filter by code and read in the reader's language, in the order of their words."""
    return sorted(((code, label(code)) for code in codes), key=lambda choice: choice[1])


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("Actor"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    q = forms.CharField(label=_("Object contains"), required=False, max_length=200)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, choices: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("Anyone"))]
        system = SYSTEM_ACTOR
        actors = [(name, _("system") if name == system else name) for name in choices["actors"]]
        self.fields["actor"].choices = everyone + actors
        actions = _by_label(choices["actions"], action_label)
        self.fields["action"].choices = [("", _("Any action"))] + actions
        types = _by_label(choices["object_types"], object_type_label)
        self.fields["object_type"].choices = [("", _("Any type"))] + types
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"audit-{name}")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters only: a bad field is reported on the page and simply not applied."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "actor": data.get("actor") or "",
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "object_id": (data.get("object_id") or "").strip(),
            "text": (data.get("q") or "").strip(),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


def _filtered(request) -> tuple[AuditFilterForm, dict, object]:
    form = AuditFilterForm(request.GET or None, choices=audit_filter_choices())
    filters = form.filters()
    events = audit_events(**filters, timezone_name=request.tenant.timezone)
    return form, filters, events


@tenant_page(read=HR_AND_AUDITOR)
def audit_log(request):
    form, filters, events = _filtered(request)
    page = paginate(request, events)
    page.object_list = list(page.object_list)
    names = object_names(page.object_list)
    for event in page.object_list:
        event.action_label = action_label(event.action)
        event.object_type_label = object_type_label(event.object_type)
        event.object_name = names.get(event.pk, event.object_repr)
    context = {
        "form": form,
        "page": page,
        "events": page.object_list,
        "filtered": any(filters.values()),
    }
    template = "collab/audit/log.html#results" if request.htmx else "collab/audit/log.html"
    return render(request, template, context)


@tenant_page(read=HR_AND_AUDITOR)
def audit_event_detail(request, pk: int):
    event = get_scoped_or_404(AuditEvent, pk)
    words = SnapshotWords([event])
    rows = audit_diff(event.before, event.after, words=words, object_type=event.object_type)
    event.action_label = action_label(event.action)
    event.object_type_label = object_type_label(event.object_type)
    event.object_name = object_names([event], words=words).get(event.pk, event.object_repr)
    only_changes = request.GET.get("changes") == "1"
    context = {
        "event": event,
        "rows": [row for row in rows if row.changed] if only_changes else rows,
        "change_count": sum(1 for row in rows if row.changed),
        "field_count": len(rows),
        "only_changes": only_changes,
    }
    return render(request, "collab/audit/detail.html", context)


def _cell(value: str) -> str:
    """Excel-safe text: never a formula (a leading = + - @ is neutralised), never over the cell limit."""
    value = value.replace("\x00", "")
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        value = "'" + value
    return value[:EXCEL_CELL_MAX]


def _fields(rows: list[DiffRow], side: str) -> str:
    """One "field: value" line per changed field that has a value on this side ("before" or "after")."""
    absent = "added" if side == "before" else "removed"
    return "\n".join(
        _("%(field)s: %(value)s") % {"field": row.label, "value": getattr(row, side) or "—"}
        for row in rows
        if row.status != absent
    )


@tenant_page(read=HR_AND_AUDITOR)
def audit_export(request):
    """The filtered log as an .xlsx file in the page's words and the reader's language (at most
    EXPORT_MAX_ROWS rows, newest first)."""
    _form, _filters, events = _filtered(request)
    zone = tenant_zone(request.tenant.timezone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Audit log"))[:31])
    sheet.append(
        [
            str(_("When")),
            str(_("Actor")),
            str(_("Action")),
            str(_("Object type")),
            str(_("Object id")),
            str(_("Object")),
            str(_("Changed fields")),
            str(_("Before")),
            str(_("After")),
        ]
    )
    written = 0
    for shown in audit_events_in_words(events, limit=EXPORT_MAX_ROWS + 1):
        if written == EXPORT_MAX_ROWS:
            sheet.append(
                [
                    str(
                        _("Only the first %(count)s events are exported: narrow the filters.")
                        % {"count": EXPORT_MAX_ROWS}
                    )
                ]
            )
            break
        event = shown.event
        actor = _("system") if event.actor_name == SYSTEM_ACTOR else event.actor_name
        sheet.append(
            [
                timezone.localtime(event.created_at, zone).replace(tzinfo=None),
                _cell(str(actor)),
                _cell(shown.action),
                _cell(shown.object_type),
                _cell(event.object_id),
                _cell(shown.object_name),
                _cell(", ".join(row.label for row in shown.changes)),
                _cell(_fields(shown.changes, "before")),
                _cell(_fields(shown.changes, "after")),
            ]
        )
        written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = datetime.now(tz=zone).strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-log-{request.tenant.slug}-{stamp}.xlsx"'
    return response
