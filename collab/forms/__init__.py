"""Form helpers shared by every area: scoped choices, service errors shown on the form, a form's save,
the period a filter form shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from collab.concurrency import StaleEditError
from collab.routing import parse_id

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
        form.add_error(None, stale.message)
        return None


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


__all__ = ["ScopedModelChoiceField", "add_service_errors", "lock_version_field", "save_form", "show_period"]
