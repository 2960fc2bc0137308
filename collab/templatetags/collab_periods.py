"""`{% load collab_periods %}`: the one way a page lists periods in a picker (see
`templates/collab/_period_options.html`).

A tenant's periods are few and change rarely, but a picker renders every one of them through the template
engine (two milliseconds for three years of months, on every page that has one, twice on some): the
rendering is kept per process under everything it shows — each period's id, year, label and status, the
"no goals" hint, the selection and the language — so a changed period makes a new key, never a stale list."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from collab.selectors.periods import periods_by_year

register = template.Library()


@register.filter
def by_year(periods):
    """[(year, [periods of that year in picker order])], years ascending."""
    return periods_by_year(periods or [])


@register.filter
def without(periods, period):
    """`periods` less `period` (a copy picker never offers the period being copied into)."""
    return [p for p in periods or [] if period is None or p.pk != period.pk]


@register.filter
def having_goals(periods):
    return [p for p in periods or [] if getattr(p, "has_goals", False)]


_RENDERED: OrderedDict[tuple, SafeString] = OrderedDict()
_RENDERED_MAX = 512
_lock = Lock()


@register.simple_tag
def period_options(periods, selected=None, *, bare=False, goals_hint=False) -> SafeString:
    """The <optgroup>s and <option>s of a period picker (`collab/_period_options_rendered.html`)."""
    periods = list(periods or [])
    key = (
        get_language(), getattr(selected, "pk", None), bool(bare), bool(goals_hint),
        tuple((p.pk, p.year, p.label, p.status, bool(getattr(p, "has_goals", False))) for p in periods),
    )  # fmt: skip
    with _lock:
        found = _RENDERED.get(key)
        if found is not None:
            _RENDERED.move_to_end(key)
            return found
    context = {"periods": periods, "selected": selected, "bare": bare, "goals_hint": goals_hint}
    found = render_to_string("collab/_period_options_rendered.html", context)
    if not settings.DEBUG:  # in development an edited template shows at once
        with _lock:
            _RENDERED[key] = found
            while len(_RENDERED) > _RENDERED_MAX:
                _RENDERED.popitem(last=False)
    return found
