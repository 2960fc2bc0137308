"""Reminders to raters with open assignments (the daily task): in the app and by e-mail, in the rater's
language, through `collab.services.notifications.notify`.

A rater is reminded once per open campaign on the first run after launch, then on the days `CADENCE_DAYS`
before the deadline (in the tenant's time zone) and on the day itself — never twice on one day. Raters who
have submitted everything of a campaign are left alone; the rated side is never notified per rating.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collab.models import Membership, Notification
from collab.selectors.audit.events import tenant_zone
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant
from feedback.models import AssignmentStatus, CampaignStatus, RaterAssignment, ReviewCampaign

CADENCE_DAYS = (7, 3, 1, 0)


def reminder_due(*, days_left: int, last: dt.date | None, today: dt.date) -> bool:
    """Whether a rater is reminded today: never reminded yet, or a cadence day not reminded on yet."""
    if last is not None and last >= today:
        return False
    return last is None or days_left in CADENCE_DAYS


@transaction.atomic
def campaign_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the raters of the tenant in scope who have open assignments; the number of reminders."""
    now = now or timezone.now()
    tenant = current_tenant()
    zone = tenant_zone(tenant.timezone)
    today = now.astimezone(zone).date()
    campaigns = list(ReviewCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__gt=now))
    if not campaigns:
        return 0
    pending = (
        RaterAssignment.objects.filter(campaign__in=campaigns, status=AssignmentStatus.PENDING)
        .select_related("rater__user")
        .order_by("campaign_id", "rater_id", "id")
    )
    members = set(Membership.objects.filter(is_active=True).values_list("user_id", flat=True))
    groups: dict[tuple[int, int], list[RaterAssignment]] = {}
    for assignment in pending:
        groups.setdefault((assignment.campaign_id, assignment.rater_id), []).append(assignment)
    by_id = {c.pk: c for c in campaigns}
    url = reverse("rating-list", kwargs={"tenant_slug": tenant.slug})
    sent = 0
    for (campaign_id, _rater_id), assignments in groups.items():
        user = assignments[0].rater.user
        if user is None or not user.is_active or user.pk not in members:
            continue
        campaign = by_id[campaign_id]
        stamps = [a.last_reminded_at for a in assignments if a.last_reminded_at]
        last = max(stamps).astimezone(zone).date() if stamps else None
        days_left = (campaign.deadline.astimezone(zone).date() - today).days
        if not reminder_due(days_left=days_left, last=last, today=today):
            continue
        with recipient_language(user), timezone.override(zone):
            title = _("Ratings to give: %(name)s") % {"name": campaign.name}
            body = ngettext(
                "You have %(n)d rating to give in “%(name)s”, due %(deadline)s.",
                "You have %(n)d ratings to give in “%(name)s”, due %(deadline)s.",
                len(assignments),
            ) % {
                "n": len(assignments), "name": campaign.name,
                "deadline": formats.date_format(timezone.localtime(campaign.deadline), "DATETIME_FORMAT"),
            }  # fmt: skip
        notify(recipient=user, category=Notification.Category.REVIEWS, title=title, body=body, url=url)
        RaterAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(
            reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
        )
        sent += 1
    return sent
