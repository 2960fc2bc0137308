"""Template filters of the process-mining pages."""

from django import template

from alerts.selectors.event_logs import duration_text

register = template.Library()


@register.filter
def duration(seconds):
    """Seconds as people read them ("3.5 h"), "—" for none."""
    return duration_text(seconds)


@register.filter
def percent(share):
    """A share (0–1) as a percentage, "—" for none."""
    return "—" if share is None else f"{share * 100:.1f} %"
