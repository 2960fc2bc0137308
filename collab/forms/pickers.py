"""Searchable pickers of units, positions and people: the one way a form chooses from a list that grows
with the tenant (issue 9: never a <select> of every unit).

The page renders only the chosen option; `static/js/pickers.js` turns the <select> into a Tom Select that
asks the JSON API's list endpoint for a page of matches as the user types (`?q=`: `org-units/`,
`positions/`, `directory/` — one truth, two doors, under the API's access rule). Whatever is posted, the
field validates the id through the tenant scope: a malformed id or another tenant's is "not a valid choice".

Declare a field with `queryset=None` and set the queryset per request, like any `ScopedModelChoiceField`.
A hand-written <select> (a filter bar) carries the same attributes with `{% picker_attrs "unit" %}`
(`{% load collab_pickers %}`) and renders its chosen option itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms.utils import flatatt
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from collab.forms import ScopedModelChoiceField
from collab.models import Employee, OrgUnit, Position
from collab.routing.ids import parse_id
from collab.selectors.org import unit_picker_label
from collab.tenancy import current_tenant_or_none

# What each picker searches: the API list route whose `?q=` answers a page of matches.
PICKER_SOURCES = {
    "unit": "org-unit-list",
    "position": "api-position-list",
    "person": "api-directory-list",
    # HR's employee records (numbers): the suggestions of a typed employee number, for HR admins' forms.
    "employee": "api-employee-list",
}


def picker_attrs(kind: str, *, slug: str | None = None) -> dict[str, str]:
    """The data-* attributes `pickers.js` reads: what to search, where, and its words in the reader's
    language."""
    if kind not in PICKER_SOURCES:
        raise ValueError(f"Unknown picker {kind!r}")
    if slug is None:
        tenant = current_tenant_or_none()
        slug = tenant.slug if tenant is not None else None
    try:
        url = reverse(PICKER_SOURCES[kind], kwargs={"tenant_slug": slug}) if slug else ""
    except NoReverseMatch:
        url = ""
    return {
        "data-picker": kind,
        "data-picker-url": url,
        "data-picker-placeholder": gettext("Type to search…"),
        "data-picker-empty": gettext("Nothing matches."),
    }


def position_picker_label(position: Position) -> str:
    return f"{position.title} ({position.code}) · {position.org_unit.name}"


def person_picker_label(employee: Employee) -> str:
    parts = [employee.name, employee.org_unit.name]
    if employee.position_id is not None:
        parts.append(employee.position.title)
    return " · ".join(parts)


class PickerWidget(forms.Select):
    """A <select> holding only the empty choice and the chosen one(s); `pickers.js` searches the rest."""

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(picker_attrs(self.kind))
        return context

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)
        chosen = [pk for pk in (parse_id(str(v)) for v in value if v not in (None, "")) if pk is not None]
        choices: list[tuple[object, str]] = []
        if field is not None and field.empty_label is not None:
            choices.append(("", field.empty_label))
        if field is not None and chosen:
            choices.extend(field.picked_choices(chosen))
        selected = {str(v) for v in value}
        return [
            (None, [self.create_option(name, key, label, str(key) in selected, index, attrs=attrs)], index)
            for index, (key, label) in enumerate(choices)
        ]


class PickerTextInput(forms.TextInput):
    """A typed reference (a code or an employee number) with suggestions: the input points its `list=` at
    a <datalist> rendered beside it, which `pickers.js` fills with the search's matches as the user types.
    The text stays what the form validates, so it works the same without JavaScript."""

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        options = f"{attrs.get('id') or 'id_' + name}-picker"
        attrs.update({"list": options, "autocomplete": "off"})
        datalist = format_html("<datalist id=\"{}\"{}></datalist>", options, flatatt(picker_attrs(self.kind)))
        return super().render(name, value, attrs, renderer) + datalist


class PickerField(ScopedModelChoiceField):
    """A searchable choice of one row (see the module's docstring); `kind` names what it searches."""

    kind = ""

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("widget", PickerWidget(self.kind))
        super().__init__(queryset=queryset, **kwargs)

    def picked_choices(self, pks: Iterable[int]) -> list[tuple[int, str]]:
        """(id, label) of the chosen rows that exist in the tenant (one query)."""
        return [(obj.pk, self.label_from_instance(obj)) for obj in self.picked(list(pks))]

    def picked(self, pks: list[int]):
        return self.queryset.filter(pk__in=pks)


class UnitPickerField(PickerField):
    kind = "unit"

    def picked(self, pks: list[int]):
        return OrgUnit.objects.filter(pk__in=pks).select_related("parent")

    def label_from_instance(self, obj: OrgUnit) -> str:
        return unit_picker_label(obj)


class PositionPickerField(PickerField):
    kind = "position"

    def picked(self, pks: list[int]):
        return Position.objects.filter(pk__in=pks).select_related("org_unit")

    def label_from_instance(self, obj: Position) -> str:
        return position_picker_label(obj)


class EmployeePickerField(PickerField):
    """A person: searched in the people directory (active employees, by name), shown with their unit and
    position."""

    kind = "person"

    def picked(self, pks: list[int]):
        return Employee.objects.filter(pk__in=pks).select_related("org_unit", "position")

    def label_from_instance(self, obj: Employee) -> str:
        return person_picker_label(obj)


__all__ = [
    "PICKER_SOURCES",
    "EmployeePickerField",
    "PickerField",
    "PickerTextInput",
    "PickerWidget",
    "PositionPickerField",
    "UnitPickerField",
    "picker_attrs",
]
