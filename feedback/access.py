"""Access by noun for the feedback app (see `collab.access`): missing and another tenant's ids are the same
404, a role that may not is a 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from collab.access import HR_WRITES, access_by_id
from collab.models import Role
from collab.pages import get_scoped_or_404
from collab.routing.ids import parse_id
from feedback.models import CampaignStatus, CampaignSubject, ReviewTemplate
from interlock.access import own_employee

# HR configures reviews; auditors read everything. Raters meet a template through their campaign.
TEMPLATE_READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})


def access_review_template_by_id(
    membership, pk, *, write: bool = False, lock: bool = False
) -> ReviewTemplate:
    return access_by_id(
        ReviewTemplate.objects.prefetch_related("dimensions"), membership, pk,
        readers=TEMPLATE_READERS, writers=HR_WRITES, write=write, lock=lock,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------- results
# Review results (issue 10 §2–3). HR admins and auditors read every subject's; a manager reads the units
# they lead (their own unit and those below it) and the 360s of the people who report to them; everyone
# reads their own unit's whole results (no breakdown by rater group, no comments) and their own 360. A
# subject outside that answers like a missing one. Whatever a reader may see, the anonymity rule applies
# to it: below k raters nothing is shown to anyone.
RESULTS_ALL = frozenset({Role.HR_ADMIN, Role.AUDITOR})
RESPONSE_RATE_READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})
FULL = "full"  # every shown slice, the distribution, released comments
OVERALL = "overall"  # the whole campaign's means and rater count only


def readable_result_subjects(subjects: QuerySet, *, membership, user) -> QuerySet:
    """The campaign subjects of `subjects` whose results the member may read (any detail)."""
    if membership is None:
        return subjects.none()
    if membership.has_role(*RESULTS_ALL):
        return subjects
    employee = own_employee(user)
    if employee is None:
        return subjects.none()
    readable = Q(org_unit_id=employee.org_unit_id) | Q(employee_id=employee.pk)
    if membership.has_role(Role.MANAGER):
        readable |= Q(org_unit__path__startswith=employee.org_unit.path) | Q(employee__manager_id=employee.pk)
    return subjects.filter(readable)


def result_detail_level(subject: CampaignSubject, *, membership, user) -> str:
    """How much of a readable subject's results the member sees (FULL or OVERALL)."""
    if membership.has_role(*RESULTS_ALL):
        return FULL
    employee = own_employee(user)
    if employee is None:
        return OVERALL
    if subject.employee_id is not None:
        return FULL  # the person or their line manager (readable_result_subjects let no one else in)
    if membership.has_role(Role.MANAGER) and subject.org_unit.path.startswith(employee.org_unit.path):
        return FULL
    return OVERALL


def sees_attributed_rating(subject: CampaignSubject, *, membership, user) -> bool:
    """The line manager's 360 rating is attributed: the subject, their line manager and HR/auditors see it."""
    if subject.employee_id is None:
        return False
    if membership.has_role(*RESULTS_ALL):
        return True
    employee = own_employee(user)
    return employee is not None and employee.pk in (subject.employee_id, subject.employee.manager_id)


def access_result_subject_by_id(membership, user, pk) -> CampaignSubject:
    """A rated subject of an open or closed campaign whose results the member may read; another tenant's,
    a draft campaign's, a missing one or one outside the reader's part: the same 404."""
    if membership is None:
        raise PermissionDenied
    subjects = CampaignSubject.objects.select_related(
        "campaign", "campaign__template", "campaign__period", "org_unit", "employee", "employee__org_unit"
    ).exclude(campaign__status=CampaignStatus.DRAFT)
    readable = readable_result_subjects(subjects, membership=membership, user=user)
    return get_scoped_or_404(readable, parse_id(pk) or 0)
