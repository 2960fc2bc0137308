"""Access by noun for the feedback app (see `collab.access`): missing and another tenant's ids are the same
404, a role that may not is a 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from collab.access import HR_WRITES, access_by_id
from collab.models import ALL_ROLES, WRITE_ROLES, Employee, OrgUnit, Role
from collab.pages import get_scoped_or_404
from collab.routing.ids import parse_id
from collab.selectors.platform import member_linked_employee
from feedback.models import (
    CampaignStatus,
    CampaignSubject,
    CollaborationEvent,
    PointItem,
    PointLedgerEntry,
    PointProjectLead,
    PointProposal,
    RaterAssignment,
    ReviewCampaign,
    ReviewTemplate,
)
from feedback.selectors.points import ledger_readable, proposals_readable
from interlock.access import own_employee

# HR configures reviews; auditors read everything. Raters meet a template through their campaign.
TEMPLATE_READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})
CAMPAIGN_READERS = TEMPLATE_READERS


def access_review_template_by_id(
    membership, pk, *, write: bool = False, lock: bool = False
) -> ReviewTemplate:
    return access_by_id(
        ReviewTemplate.objects.prefetch_related("dimensions"), membership, pk,
        readers=TEMPLATE_READERS, writers=HR_WRITES, write=write, lock=lock,
    )  # fmt: skip


def access_review_campaign_by_id(
    membership, pk, *, write: bool = False, lock: bool = False
) -> ReviewCampaign:
    return access_by_id(
        ReviewCampaign.objects.select_related("template", "period", "updated_by"), membership, pk,
        readers=CAMPAIGN_READERS, writers=HR_WRITES, write=write, lock=lock,
    )  # fmt: skip


def access_own_assignment_by_id(
    membership, pk, *, write: bool = False, lock: bool = False
) -> RaterAssignment:
    """A rater's own assignment (any role may rate; somebody else's is a 404 like a missing one)."""
    user_id = membership.user_id if membership is not None else None
    return access_by_id(
        RaterAssignment.objects.filter(rater__user_id=user_id).select_related(
            "campaign__template", "subject__org_unit", "subject__employee", "rater"
        ),
        membership, pk, readers=ALL_ROLES, writers=ALL_ROLES, write=write, lock=lock,
    )  # fmt: skip


# Points: the catalog is no secret (managers pick from it); HR writes it. A proposal or ledger entry is
# read by whom `feedback.selectors.points.proposals_readable` / `ledger_readable` name; any other answers
# like a missing one. Deciding a proposal is any member's write, checked by the service (the reporting line).
POINT_ITEM_READERS = ALL_ROLES
POINT_WRITERS = WRITE_ROLES


def access_point_item_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> PointItem:
    return access_by_id(
        PointItem.objects.all(), membership, pk, readers=POINT_ITEM_READERS, writers=HR_WRITES, write=write,
        lock=lock,
    )  # fmt: skip


def access_point_proposal_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> PointProposal:
    employee = member_linked_employee(membership) if membership is not None else None
    readable = (
        proposals_readable(membership, employee) if membership is not None else PointProposal.objects.none()
    )
    queryset = readable.select_related(
        "subject_employee", "subject_unit", "item", "period", "proposer", "first_approver", "decided_by",
    )  # fmt: skip
    return access_by_id(
        queryset, membership, pk, readers=ALL_ROLES, writers=POINT_WRITERS, write=write, lock=lock
    )


def access_point_entry_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> PointLedgerEntry:
    employee = member_linked_employee(membership) if membership is not None else None
    readable = (
        ledger_readable(membership, employee) if membership is not None else PointLedgerEntry.objects.none()
    )
    queryset = readable.select_related("employee", "org_unit", "position", "period", "corrects", "proposal")
    return access_by_id(
        queryset, membership, pk, readers=ALL_ROLES, writers=HR_WRITES, write=write, lock=lock
    )


def access_point_lead_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> PointProjectLead:
    return access_by_id(
        PointProjectLead.objects.select_related("employee"), membership, pk, readers=TEMPLATE_READERS,
        writers=HR_WRITES, write=write, lock=lock,
    )  # fmt: skip
# ----------------------------------------------------------------------------------- collaboration events
# People and units see what is recorded about them (feedback, not silent surveillance): HR admins and
# auditors read every event; a manager the events from or to their unit and the units below it; everyone
# the events that name them or their own unit. HR admins record any event, a manager those of their units,
# an employee those that come from them (and complete those that name them).
# The measures of a person: HR admins and auditors read anyone's, a manager those of the people in their
# units, everyone their own.
EVENT_READ_ALL = frozenset({Role.HR_ADMIN, Role.AUDITOR})
EVENT_WRITERS = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE})


@dataclass(frozen=True)
class EventReader:
    everything: bool
    units: frozenset[int]  # units whose events (and measures) the reader sees
    employee: int | None  # the reader's own employee record
    write_units: frozenset[int] | None  # None: any unit; empty: may not record
    manages: bool = False  # reads the measures of the people in `units`
    sender: int | None = None  # records only as this person (an employee who is neither HR nor a manager)
    own_unit: int | None = None  # the reader's own unit (the measures pages open on it)

    @property
    def may_record(self) -> bool:
        return self.write_units is None or bool(self.write_units)

    def visible(self) -> Q:
        if self.everything:
            return Q()
        seen = Q(from_unit_id__in=self.units) | Q(to_unit_id__in=self.units)
        if self.employee is not None:
            seen |= Q(from_employee_id=self.employee) | Q(to_employee_id=self.employee)
        return seen

    def sees_unit(self, unit_id: int) -> bool:
        return self.everything or unit_id in self.units

    def may_write_event(self, event: CollaborationEvent) -> bool:
        """Completing `event`: a recorder of one of its units; an employee only an event naming them."""
        if self.sender is not None:
            return self.sender in (event.from_employee_id, event.to_employee_id)
        return self.write_units is None or bool({event.from_unit_id, event.to_unit_id} & self.write_units)

    def may_answer(self, event: CollaborationEvent) -> bool:
        """Responding to a request: a recorder of the unit asked."""
        return self.write_units is None or event.to_unit_id in self.write_units

    def readable_people(self) -> Q:
        """The employees whose own events and measures the reader sees (a filter on `Employee`)."""
        if self.everything:
            return Q()
        people = Q(pk=self.employee) if self.employee is not None else Q(pk__in=[])
        if self.manages:
            people |= Q(org_unit_id__in=self.units)
        return people


def event_reader(membership, user) -> EventReader:
    """What `membership` (of `user`) reads and records of the event log (two queries at most)."""
    if membership is None:
        raise PermissionDenied
    everything = membership.has_role(*EVENT_READ_ALL)
    employee = Employee.objects.filter(user_id=user.pk).values_list("pk", "org_unit_id").first()
    units: set[int] = set()
    manages = membership.has_role(Role.MANAGER) and employee is not None
    if employee is not None:
        units.add(employee[1])
        if manages:
            path = OrgUnit.objects.filter(pk=employee[1]).values_list("path", flat=True).first() or "/-/"
            units |= set(OrgUnit.objects.filter(path__startswith=path).values_list("pk", flat=True))
    sender = None
    if membership.has_role(Role.HR_ADMIN):
        write_units = None
    elif manages:
        write_units = frozenset(units)
    elif membership.has_role(Role.EMPLOYEE) and employee is not None:
        write_units, sender = frozenset({employee[1]}), employee[0]
    else:
        write_units = frozenset()
    return EventReader(
        everything=everything, units=frozenset(units), employee=employee[0] if employee else None,
        write_units=write_units, manages=manages, sender=sender, own_unit=employee[1] if employee else None,
    )  # fmt: skip


def access_event_by_id(
    reader: EventReader, pk, *, write: bool = False, lock: bool = False
) -> CollaborationEvent:
    """An event the reader sees (any other, another tenant's or a missing one: 404); `write` (completing
    it) needs a recorder of one of its units, or the employee it names (else 403)."""
    queryset = CollaborationEvent.objects.select_related(
        "from_unit", "to_unit", "from_employee", "to_employee", "recorded_by", "answers"
    ).filter(reader.visible())
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    event = get_scoped_or_404(queryset, parse_id(pk) or 0)
    if write and not reader.may_write_event(event):
        raise PermissionDenied
    return event


def access_event_person_by_id(reader: EventReader, pk) -> Employee:
    """A person whose own events and measures the reader sees; anyone else, another tenant's or a missing
    id: 404."""
    people = Employee.objects.select_related("org_unit").filter(reader.readable_people())
    return get_scoped_or_404(people, parse_id(pk) or 0)


def readable_units(reader: EventReader, unit_id: int | None = None) -> set[int] | None:
    """The units whose measures the reader sees (None: every unit), narrowed to `unit_id` when given."""
    units = None if reader.everything else set(reader.units)
    if unit_id is None:
        return units
    return {unit_id} if units is None or unit_id in units else set()


def measured_scope(
    reader: EventReader, *, by: str, unit_id: int | None = None, person_id: int | None = None
) -> tuple[set[int] | None, set[int] | None]:
    """(units, people) whose measures the reader sees `by` unit or person, narrowed to a unit or to one
    person (whom the caller fetched through `access_event_person_by_id`). By person, `units` means the
    people now in those units; (None, None): every unit or everyone."""
    if by != "person":
        return readable_units(reader, unit_id), None
    if person_id is not None:
        return None, {person_id}
    if reader.everything or reader.manages:
        return readable_units(reader, unit_id), None
    if unit_id is not None and unit_id not in reader.units:
        return None, set()
    return None, {reader.employee} if reader.employee is not None else set()
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
