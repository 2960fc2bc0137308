"""The home page's "My appraisal" panel: the person's appraisal in an active cycle, the stage it is at, what
they are to do now (if anything) and by when. A fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.models import Appraisal, Confirmation, CycleStatus, Stage
from appraisal.selectors.stages import cycle_windows, person_window
from collab.tenancy import current_tenant


@dataclass
class MyAppraisal:
    appraisal: Appraisal
    todo: str  # what the person is to do now, or where things stand
    due: datetime | None
    url: str
    is_action: bool  # True when the next step is theirs


def my_appraisal_panel(employee) -> MyAppraisal | None:
    """The latest appraisal of `employee` in an active cycle (None when they take part in none)."""
    appraisal = (
        Appraisal.objects.filter(employee=employee, cycle__status=CycleStatus.ACTIVE)
        .select_related("cycle", "cycle__period")
        .order_by("-cycle__launched_at", "-pk")
        .first()
    )
    if appraisal is None:
        return None
    slug = current_tenant().slug
    pages = {name: reverse(f"appraisal-{name}", kwargs={"tenant_slug": slug, "pk": appraisal.pk})
             for name in ("detail", "goals", "check-ins", "result")}  # fmt: skip
    now = timezone.now()
    window = person_window(appraisal, appraisal.stage, cycle_windows(appraisal.cycle))
    due = window.deadline if window is not None and window.is_open(now) else None
    stage = appraisal.stage
    if stage == Stage.GOAL_SETTING:
        return MyAppraisal(appraisal, _("Propose your goals and agree them with your manager."), due,
                           pages["goals"], True)  # fmt: skip
    if stage == Stage.CHECK_INS:
        return MyAppraisal(appraisal, _("Talk about your goals with your manager during the period."), due,
                           pages["check-ins"], False)  # fmt: skip
    if stage == Stage.SELF_ASSESSMENT and appraisal.self_submitted_at is None and due is not None:
        return MyAppraisal(appraisal, _("Write your self-assessment (optional)."), due, pages["detail"], True)
    if stage == Stage.CONFIRMATION and appraisal.confirmation == Confirmation.AWAITING:
        todo = _("Your result is released: confirm it or appeal.")
        return MyAppraisal(appraisal, todo, appraisal.confirm_by, pages["result"], True)
    if stage == Stage.CONFIRMATION:
        return MyAppraisal(appraisal, appraisal.get_confirmation_display(), None, pages["result"], False)
    return MyAppraisal(appraisal, _("Your manager assesses, then HR calibrates and releases the results."),
                       None, pages["detail"], False)  # fmt: skip
