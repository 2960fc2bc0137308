"""`{% load collab_periods %}`: the one way a page lists periods in a picker (see
`templates/collab/_period_options.html`)."""

from __future__ import annotations

from django import template

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
