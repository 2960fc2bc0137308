"""`{% load collab_pickers %}`: a hand-written <select> becomes a searchable picker (see
`collab.forms.pickers`): `<select name="unit" {% picker_attrs "unit" %}>` holding only the chosen option."""

from __future__ import annotations

from django import template
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from collab.forms.pickers import picker_attrs as _picker_attrs
from collab.selectors.org import unit_picker_label

register = template.Library()


@register.simple_tag(takes_context=True)
def picker_attrs(context, kind: str):
    """The data-* attributes of a `kind` picker ("unit", "position", "person") for the page's tenant."""
    tenant = context.get("tenant")
    return mark_safe(flatatt(_picker_attrs(kind, slug=getattr(tenant, "slug", None))).strip())  # noqa: S308 (flatatt escaped them)


@register.filter
def unit_picker(unit) -> str:
    """A chosen unit as the picker shows it ("parent › name (code)"; select_related the parent)."""
    return unit_picker_label(unit) if unit is not None else ""
