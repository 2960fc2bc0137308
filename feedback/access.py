"""Access by noun for the feedback app (see `collab.access`): missing and another tenant's ids are the same
404, a role that may not is a 403."""

from __future__ import annotations

from collab.access import HR_WRITES, access_by_id
from collab.models import ALL_ROLES, Role
from feedback.models import RaterAssignment, ReviewCampaign, ReviewTemplate

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
