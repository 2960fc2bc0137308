"""Access by noun for the feedback app (see `collab.access`): missing and another tenant's ids are the same
404, a role that may not is a 403."""

from __future__ import annotations

from collab.access import HR_WRITES, access_by_id
from collab.models import ALL_ROLES, WRITE_ROLES, Role
from collab.selectors.platform import member_linked_employee
from feedback.models import (
    PointItem,
    PointLedgerEntry,
    PointProjectLead,
    PointProposal,
    RaterAssignment,
    ReviewCampaign,
    ReviewTemplate,
)
from feedback.selectors.points import ledger_readable, proposals_readable

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
