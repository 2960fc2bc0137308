"""Form helpers shared by every area: scoped choices, service errors shown on the form, a form's save,
the period a filter form shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy

from collab.concurrency import StaleEditError
from collab.routing.ids import parse_id
from collab.selectors.periods import periods_by_year

T = TypeVar("T")


class ScopedModelChoiceField(forms.ModelChoiceField):
    """A model choice whose queryset is set per request (in the form's __init__, inside the tenant scope).

    Declare it with `queryset=None`; non-numeric or out-of-range ids are "not a valid choice" without a query.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = parse_id(str(value))
        if pk is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(pk)


class _PeriodChoiceIterator(forms.models.ModelChoiceIterator):
    """A period picker's options: an <optgroup> a year, in `periods_by_year` order (the year, then its
    quarters and months as the calendar goes)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for year, items in periods_by_year(self.queryset):
            yield (str(year), [self.choice(period) for period in items])


class PeriodChoiceField(ScopedModelChoiceField):
    """Every form's period picker (set `queryset` per request like any `ScopedModelChoiceField`); pages that
    write their own <select> include `collab/_period_options.html`, which lists periods the same way."""

    iterator = _PeriodChoiceIterator


def add_service_errors(
    form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: keyed messages on their field, the rest on top."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            name = field_map.get(key, key)
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def save_form(
    request, form: forms.Form, save: Callable[[dict], T], field_map: dict[str, str] | None = None
) -> T | None:
    """On a POST whose form is valid, `save(cleaned_data)` and return what it saved; None otherwise.

    A service's ValidationError lands on the form (see `add_service_errors`), so the page shows it again; so
    does a StaleEditError (someone saved the object since the form was loaded: the message names who, when).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error, field_map)
        return None
    except StaleEditError as stale:
        note_stale(form, stale)
        return None


STALE_STATUS = 409
"""What a page answers when a save or a delete was stale (as the API does): the form again, the user's input
kept, the message naming who saved last and when."""


def note_stale(form: forms.Form, stale: StaleEditError) -> None:
    """Show a stale save on `form` (the message names who saved last and when, in the tenant's time zone)
    and mark the form so that the page answers 409 (`form_status`)."""
    form.add_error(None, stale.message)
    form.stale_edit = stale


def form_status(*forms_: forms.Form | None, status: int = 200) -> int:
    """The status of a page showing `forms_`: 409 when one of them was refused as stale (`note_stale`,
    `save_form`), else `status`. htmx swaps a 409 like a 200 (base.html's `responseHandling`)."""
    if any(getattr(form, "stale_edit", None) is not None for form in forms_ if form is not None):
        return STALE_STATUS
    return status


@dataclass
class DeleteAttempt:
    """What a page's delete form came to: `done` (with the service's `result`), or the `error` to show
    with its `status` (400 a refusal, 409 a stale delete; 200 when nothing was posted)."""

    done: bool = False
    result: Any = None
    error: str = ""
    status: int = 200
    stale: StaleEditError | None = None


def attempt_delete(request, delete: Callable[[Any], T]) -> DeleteAttempt:
    """On a POST, `delete(lock_version)` with the `lock_version` the confirm form carried (a hidden field,
    `{% include "collab/_lock_version.html" with object=… %}`); the service refuses a missing or stale one
    (StaleEditError: nothing deleted, 409 with who saved last and when) and its own rules (400)."""
    if request.method != "POST":
        return DeleteAttempt()
    lock_version = request.POST.get("lock_version")
    try:
        result = delete(lock_version)
    except ValidationError as refused:
        return DeleteAttempt(error=" ".join(refused.messages), status=400)
    except StaleEditError as stale:
        return DeleteAttempt(error=stale.message, status=STALE_STATUS, stale=stale)
    return DeleteAttempt(done=True, result=result)


class StyledMixin:
    """Bootstrap's classes on every visible widget (`form-select` on selects, `form-check-input` on check
    boxes, `form-control` on the rest) and `is-invalid` on every field with an error — also one a service
    refusal adds after validation (`add_error`). The one base of every page form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field.widget)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", "").split():
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def style_widget(widget: forms.Widget) -> None:
    """Bootstrap's class for one widget (a field added after the form was built gets it the same way)."""
    if isinstance(widget, forms.HiddenInput):
        return
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if css not in widget.attrs.get("class", "").split():
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledMixin, forms.Form):
    pass


class StyledModelForm(StyledMixin, forms.ModelForm):
    pass


class ImportFileForm(StyledForm):
    """The upload of every import page: one Excel workbook or CSV file."""

    file = forms.FileField(
        label=gettext_lazy("Excel (.xlsx) or CSV file"),
        help_text=gettext_lazy(
            "The first sheet is read; the first non-empty row holds the column headers. CSV files are UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def show_period(form: forms.Form, period) -> None:
    """Let the period select show the period the page chose when the request named none (not a blank)."""
    if not form.is_bound:
        form.initial["period"] = period.pk
    elif not form.data.get("period"):
        form.data = form.data.copy()
        form.data["period"] = str(period.pk)


def lock_version_field() -> forms.CharField:
    """The hidden `lock_version` every edit form carries (the version the page showed). Left out or
    tampered with, the service refuses the save like a stale one, naming who saved last."""
    return forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


__all__ = [
    "STALE_STATUS",
    "DeleteAttempt",
    "ImportFileForm",
    "PeriodChoiceField",
    "ScopedModelChoiceField",
    "StyledForm",
    "StyledMixin",
    "StyledModelForm",
    "add_service_errors",
    "attempt_delete",
    "form_status",
    "lock_version_field",
    "note_stale",
    "save_form",
    "show_period",
    "style_widget",
]
