"""Telling people about alerts: one message per person per process per check (in the app and by e-mail,
through `collab.services.notifications.notify`, category "Alerts", which the person's notification
settings govern), listing that process's alerts that fired, resolved or escalated to them in this check."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.selectors.alert_recipients import escalation_audience, stage_audience
from collab.models import Notification
from collab.selectors.audit.events import tenant_zone
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant

FIRED, RESOLVED, ESCALATED = "fired", "resolved", "escalated"


def _line(alert: Alert, what: str) -> str:
    kpi = alert.kpi
    value = "–" if alert.value is None else f"{alert.value:g}"
    words = {FIRED: _("fired"), RESOLVED: _("resolved"), ESCALATED: _("escalated, not acknowledged in time")}
    return _("%(what)s · %(severity)s · %(stage)s · %(kpi)s: %(value)s%(unit)s") % {
        "what": words[what], "severity": alert.get_severity_display(), "stage": alert.stage.name,
        "kpi": kpi.name, "value": value, "unit": kpi.unit_label,
    }  # fmt: skip


def alerts_tell(items: Iterable[tuple[Alert, str]]) -> int:
    """Send the grouped messages for `items` ((alert, fired|resolved|escalated)); returns how many."""
    items = list(items)
    if not items:
        return 0
    plain = [a for a, what in items if what != ESCALATED]
    audience = stage_audience(plain) if plain else {}
    by_process: dict[int, dict[int, tuple]] = {}
    for alert, what in items:
        users = (
            escalation_audience(alert, alert.escalation_level) if what == ESCALATED else audience[alert.pk]
        )
        for user in users:
            slot = by_process.setdefault(alert.process_id, {}).setdefault(user.pk, (user, alert.process, []))
            slot[2].append((alert, what))
    tenant = current_tenant()
    zone = tenant_zone(tenant.timezone)
    sent = 0
    for recipients in by_process.values():
        for user, process, lines in recipients.values():
            if not user.is_active:
                continue
            url = reverse("alert-list", kwargs={"tenant_slug": tenant.slug}) + f"?process={process.pk}"
            with recipient_language(user), timezone.override(zone):
                fired = sum(1 for _a, what in lines if what != RESOLVED)
                title = _("Alerts in %(process)s: %(open)d need attention, %(resolved)d resolved") % {
                    "process": process.name,
                    "open": fired,
                    "resolved": len(lines) - fired,
                }
                body = "\n".join(_line(alert, what) for alert, what in lines)
                notify(recipient=user, category=Notification.Category.ALERTS, title=title, body=body, url=url)
            sent += 1
    return sent
