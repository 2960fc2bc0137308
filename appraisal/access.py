"""Who reads and changes what in the personal cycle: one door for pages, the API and services.

Appraisals are personal. HR admins and auditors read every one; anyone else reads an appraisal only by a
relation to it — their own (the employee), as its assessor (the manager frozen at launch), as the manager's
manager while an appeal is with them, or as a member of the calibration session it belongs to. Any other
appraisal answers 404, exactly like a missing id or another tenant's. What a reader sees *of* an appraisal
(the manager's draft, private notes) is `AppraisalReader.relation`, decided here and nowhere else.

Cycles, their stages and formula, the grade scale and the guideline are no secret inside a tenant (everyone
in a cycle is shown its formula); only HR admins change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    CalibrationSession,
    CheckIn,
    CheckInAction,
    GoalProposal,
)
from collab.access import ORG_READERS, access_by_id
from collab.models import Employee, Role
from collab.pages import get_scoped_or_404
from collab.routing.ids import parse_id

HR = frozenset({Role.HR_ADMIN})
EVERY_READER = frozenset({Role.HR_ADMIN, Role.AUDITOR})


class Relation:
    """How a reader stands to one appraisal (several may hold: an HR admin may also be its manager)."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    UPPER_MANAGER = "upper_manager"
    CALIBRATOR = "calibrator"
    HR = "hr"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class AppraisalReader:
    membership: object
    user: object

    @cached_property
    def employee(self) -> Employee | None:
        user_id = getattr(self.user, "pk", None)
        return Employee.objects.filter(user_id=user_id).first() if user_id else None

    @property
    def reads_everything(self) -> bool:
        return self.membership is not None and self.membership.has_role(*EVERY_READER)

    @property
    def is_hr(self) -> bool:
        return self.membership is not None and self.membership.has_role(*HR)

    def visible(self) -> Q:
        """The appraisals this reader may open."""
        if self.membership is None:
            return Q(pk__in=[])
        if self.reads_everything:
            return Q()
        user_id = getattr(self.user, "pk", None) or 0
        return (
            Q(employee__user_id=user_id)
            | Q(manager__user_id=user_id)
            | Q(appeal__upper_manager__user_id=user_id)
            | Q(calibration_session__members__user_id=user_id)
        )

    def relation(self, appraisal: Appraisal) -> frozenset[str]:
        """Every relation this reader has to `appraisal` (decides which parts of it they see)."""
        user_id = getattr(self.user, "pk", None)
        relations = set()
        if self.membership is not None and self.membership.has_role(Role.HR_ADMIN):
            relations.add(Relation.HR)
        if self.membership is not None and self.membership.has_role(Role.AUDITOR):
            relations.add(Relation.AUDITOR)
        if user_id is None:
            return frozenset(relations)
        if appraisal.employee.user_id == user_id:
            relations.add(Relation.EMPLOYEE)
        if appraisal.manager_id and appraisal.manager.user_id == user_id:
            relations.add(Relation.MANAGER)
        # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr's default.
        appeal = getattr(appraisal, "appeal", None)
        if appeal is not None and appeal.upper_manager_id and appeal.upper_manager.user_id == user_id:
            relations.add(Relation.UPPER_MANAGER)
        if appraisal.calibration_session_id and appraisal.calibration_session.members.filter(
            user_id=user_id
        ).exists():
            relations.add(Relation.CALIBRATOR)
        return frozenset(relations)


def appraisal_reader(membership, user) -> AppraisalReader:
    return AppraisalReader(membership=membership, user=user)


def readable_appraisals(reader: AppraisalReader) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(reader.visible()).distinct()


def access_appraisal_by_id(reader: AppraisalReader, pk, *, lock: bool = False) -> Appraisal:
    """An appraisal the reader has a relation to (any other, another tenant's or a missing one: 404). What the
    reader may *do* with it is the services' stage and relation rules."""
    queryset = Appraisal.objects.select_related(
        "cycle__period", "employee__user", "manager__user", "org_unit", "position", "manager_grade",
        "suggested_grade", "final_grade", "calibration_session",
    ).filter(pk__in=readable_appraisals(reader).values("pk"))  # fmt: skip
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_scoped_or_404(queryset, parse_id(pk) or 0)


def access_cycle_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> AppraisalCycle:
    return access_by_id(
        AppraisalCycle.objects.select_related("period"), membership, pk,
        readers=ORG_READERS, writers=HR, write=write, lock=lock,
    )  # fmt: skip


def calibration_visible(reader: AppraisalReader) -> Q:
    if reader.reads_everything:
        return Q()
    return Q(members__user_id=getattr(reader.user, "pk", None) or 0)


def access_calibration_by_id(
    reader: AppraisalReader, pk, *, write: bool = False, lock: bool = False
) -> CalibrationSession:
    """A calibration session: HR admins and auditors read every one, a member theirs (anyone else: 404);
    changing grades in it needs HR or a member (auditors read only: 403)."""
    queryset = (
        CalibrationSession.objects.select_related("cycle__period", "org_unit")
        .filter(pk__in=CalibrationSession.objects.filter(calibration_visible(reader)).values("pk"))
    )  # fmt: skip
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = get_scoped_or_404(queryset, parse_id(pk) or 0)
    if write and not (reader.is_hr or session.members.filter(user_id=getattr(reader.user, "pk", 0)).exists()):
        raise PermissionDenied
    return session


# goals-checkins: a goal proposal, a check-in and an agreed action are read through their appraisal (whoever
# reads the appraisal reads them; what each may do is the services' rule). Private notes are never read here:
# `appraisal.selectors.check_ins` reads only the reader's own.
def access_goal_proposal_by_id(reader: AppraisalReader, pk) -> GoalProposal:
    queryset = GoalProposal.objects.select_related(
        "appraisal__cycle__period", "appraisal__employee", "appraisal__manager", "kpi", "parent_goal__kpi",
        "personal_goal__kpi",
    ).filter(appraisal__in=readable_appraisals(reader).values("pk"))  # fmt: skip
    return get_scoped_or_404(queryset, parse_id(pk) or 0)


def access_check_in_by_id(reader: AppraisalReader, pk) -> CheckIn:
    queryset = CheckIn.objects.select_related(
        "appraisal__cycle__period", "appraisal__employee", "appraisal__manager", "created_by"
    ).filter(appraisal__in=readable_appraisals(reader).values("pk"))
    return get_scoped_or_404(queryset, parse_id(pk) or 0)


def access_check_in_action_by_id(reader: AppraisalReader, pk) -> CheckInAction:
    queryset = CheckInAction.objects.select_related("owner", "check_in__appraisal").filter(
        check_in__appraisal__in=readable_appraisals(reader).values("pk")
    )
    return get_scoped_or_404(queryset, parse_id(pk) or 0)
