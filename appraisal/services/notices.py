"""What people are told when a result moves: its release (the employee, who now confirms or appeals), an
appeal waiting for an answer (the manager's manager, or HR's admins once it is with HR) and an appeal decided
(the employee). In-app notifications, and e-mail where the person wants it, through
`collab.services.notifications.notify` in the recipient's language and the tenant's time zone, category
"Reviews and points" like the cycle's reminders. Called by the services after their write."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from appraisal.models import Appeal, AppealStatus, Appraisal
from collab.models import Membership, Notification, Role
from collab.selectors.audit.events import tenant_zone
from collab.selectors.platform import holding_role
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant


def result_url(appraisal: Appraisal) -> str:
    return reverse("appraisal-result", kwargs={"tenant_slug": current_tenant().slug, "pk": appraisal.pk})


def _tell(users: Iterable, appraisal: Appraisal, title, body) -> None:
    """`title` and `body` are callables, so each recipient reads them in their own language."""
    zone = tenant_zone(current_tenant().timezone)
    for user in users:
        if user is None or not user.is_active:
            continue
        with recipient_language(user), timezone.override(zone):
            notify(recipient=user, category=Notification.Category.REVIEWS, title=title(), body=body(),
                   url=result_url(appraisal))  # fmt: skip


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def results_released(appraisals: Iterable[Appraisal]) -> None:
    """Each person whose result was released: their grade is there, to confirm or appeal by the deadline."""
    for appraisal in appraisals:
        _tell(
            [getattr(appraisal.employee, "user", None)], appraisal,
            lambda a=appraisal: _("Your result is released: %(cycle)s") % {"cycle": a.cycle.name},
            lambda a=appraisal: _("Read your grade and your manager's comments, then confirm it or appeal by "
                                  "%(deadline)s; without an answer it is confirmed then.")
            % {"deadline": _when(a.confirm_by)},
        )  # fmt: skip


def appeal_waiting(appeal: Appeal) -> None:
    """Whoever answers `appeal` now: the manager's manager, or every active HR admin once it is with HR."""
    appraisal = appeal.appraisal
    if appeal.status == AppealStatus.AT_UPPER_MANAGER and appeal.upper_manager_id:
        users = [getattr(appeal.upper_manager, "user", None)]
    elif appeal.status == AppealStatus.AT_HR:
        users = [m.user for m in Membership.objects.filter(holding_role(Role.HR_ADMIN), is_active=True)
                 .select_related("user").order_by("pk")]  # fmt: skip
    else:
        return
    _tell(
        users, appraisal,
        lambda: _("An appeal to answer: %(person)s, %(cycle)s") % {
            "person": appraisal.employee.name, "cycle": appraisal.cycle.name},
        lambda: _("Uphold the result, change the grade or pass it on by %(deadline)s.")
        % {"deadline": _when(appeal.level_deadline)},
    )  # fmt: skip


def appeal_decided(appeal: Appeal) -> None:
    """The person who appealed: the outcome and the grade it leaves."""
    appraisal = appeal.appraisal
    grade = appraisal.final_grade
    _tell(
        [getattr(appraisal.employee, "user", None)], appraisal,
        lambda: _("Your appeal is decided: %(cycle)s") % {"cycle": appraisal.cycle.name},
        lambda: _("Your grade is %(grade)s. %(outcome)s") % {
            "grade": f"{grade.code} · {grade.name}" if grade else "–", "outcome": appeal.outcome},
    )  # fmt: skip
