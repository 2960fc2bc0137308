"""Reminders of the personal cycle, as in-app notifications (and e-mail where the person wants it) through
`collab.services.notifications.notify`, in the recipient's language.

Who is reminded follows the stage: the employee for goal setting, the self-assessment and the confirmation of
a released result; the manager for the manager's assessment. One notification a recipient and stage names
how many people it is about. A person (an appraisal) is reminded at most once a day
(`Appraisal.last_reminded_at`, the tenant's calendar day), whoever asks: HR's one-click reminders and the
daily run alike. The daily run reminds once a stage (`CycleStage.reminded_at`) when its deadline comes
within the policy's `reminder_days`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appraisal.audit import AppraisalAuditAction
from appraisal.models import Appraisal, AppraisalCycle, CycleStage, CycleStatus, Stage
from appraisal.selectors.board import pending
from appraisal.selectors.stages import person_window
from appraisal.services.policy import policy_of_tenant
from collab.audit import audit_record
from collab.models import Membership, Notification
from collab.selectors.audit.events import tenant_zone
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant

# The stages a reminder is about, and who owes their action.
REMINDED_STAGES = (Stage.GOAL_SETTING, Stage.SELF_ASSESSMENT, Stage.MANAGER_ASSESSMENT, Stage.CONFIRMATION)


def _recipient(appraisal: Appraisal):
    person = appraisal.manager if appraisal.stage == Stage.MANAGER_ASSESSMENT else appraisal.employee
    return getattr(person, "user", None) if person is not None else None


def appraisal_url(appraisal: Appraisal) -> str:
    """Where a notification about `appraisal` leads: its page."""
    return reverse("appraisal-detail", kwargs={"tenant_slug": current_tenant().slug, "pk": appraisal.pk})


def _text(stage: str, cycle: AppraisalCycle, count: int, deadline: dt.datetime | None) -> tuple[str, str]:
    when = formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT") if deadline else ""
    name = cycle.name
    if stage == Stage.GOAL_SETTING:
        title = _("Agree your goals: %(name)s") % {"name": name}
        body = _("Propose your personal goals and agree them with your manager by %(deadline)s.")
    elif stage == Stage.SELF_ASSESSMENT:
        title = _("Your self-assessment: %(name)s") % {"name": name}
        body = _("Submit your self-assessment by %(deadline)s.")
    elif stage == Stage.MANAGER_ASSESSMENT:
        title = _("Assessments to give: %(name)s") % {"name": name}
        body = ngettext(
            "%(n)d person's assessment is waiting for you, due %(deadline)s.",
            "%(n)d people's assessments are waiting for you, due %(deadline)s.",
            count,
        )
    else:
        title = _("Confirm your result: %(name)s") % {"name": name}
        body = _("Confirm your result or appeal by %(deadline)s.")
    return title, body % {"n": count, "deadline": when or "—"}


def appraisals_remind(
    *, actor, appraisals: Iterable[Appraisal], now: dt.datetime | None = None, audit: bool = True
) -> int:
    """Remind whoever owes the action of each appraisal's current stage (those not reminded today and
    with a login); the number of appraisals reminded."""
    now = now or timezone.now()
    tenant = current_tenant()
    zone = tenant_zone(tenant.timezone)
    today = now.astimezone(zone).date()
    members = set(Membership.objects.filter(is_active=True).values_list("user_id", flat=True))
    groups: dict[tuple[int, str, int], list[Appraisal]] = {}
    for appraisal in appraisals:
        if appraisal.stage not in REMINDED_STAGES:
            continue
        if appraisal.last_reminded_at and appraisal.last_reminded_at.astimezone(zone).date() >= today:
            continue
        user = _recipient(appraisal)
        if user is None or not user.is_active or user.pk not in members:
            continue
        groups.setdefault((user.pk, appraisal.stage, appraisal.cycle_id), []).append(appraisal)
    reminded: list[int] = []
    for (_user_id, stage, _cycle_id), rows in groups.items():
        first = rows[0]
        user = _recipient(first)
        if stage == Stage.CONFIRMATION:
            deadline = first.confirm_by
        else:
            window = person_window(first, stage)
            deadline = window.deadline if window is not None else None
        with recipient_language(user), timezone.override(zone):
            title, body = _text(stage, first.cycle, len(rows), deadline)
        category = Notification.Category.REVIEWS
        notify(recipient=user, category=category, title=title, body=body, url=appraisal_url(first))
        reminded += [row.pk for row in rows]
    if reminded:
        Appraisal.objects.filter(pk__in=reminded).update(last_reminded_at=now)
        if audit:
            audit_record(
                actor=actor, action=AppraisalAuditAction.REMIND, object_type="appraisal.appraisalcycle",
                object_id=first.cycle_id, object_repr=first.cycle.name,
                after={"appraisals": sorted(reminded)},
            )  # fmt: skip
    return len(reminded)


def _due_rows(cycle: AppraisalCycle, stage: str):
    return (
        Appraisal.objects.filter(cycle=cycle, stage=stage)
        .filter(pending(stage))
        .select_related("cycle", "employee__user", "manager__user")
        .order_by("employee_id")
    )


@transaction.atomic
def stage_reminders_send(*, cycle: AppraisalCycle, now: dt.datetime | None = None) -> int:
    """The daily run's reminders for `cycle`: for each open dated stage whose deadline comes within the
    policy's `reminder_days` and that was not reminded of yet, everyone at that stage who owes its action.
    Once a stage; the number of appraisals reminded."""
    now = now or timezone.now()
    if cycle.status != CycleStatus.ACTIVE:
        return 0
    lead = dt.timedelta(days=policy_of_tenant().reminder_days)
    stages = CycleStage.objects.select_for_update().filter(
        cycle=cycle, stage__in=REMINDED_STAGES, reminded_at__isnull=True, opens_at__lte=now,
        deadline__gte=now, deadline__lte=now + lead,
    )  # fmt: skip
    count = 0
    for row in stages:
        count += appraisals_remind(actor=None, appraisals=_due_rows(cycle, row.stage), now=now)
        row.reminded_at = now
        row.save(update_fields=["reminded_at"])
    return count
