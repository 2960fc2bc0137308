"""Access by noun for the feedback app (see `collab.access`): missing and another tenant's ids are the same
404, a role that may not is a 403."""

from __future__ import annotations

from collab.access import HR_WRITES, access_by_id
from collab.models import Role
from feedback.models import ReviewTemplate

# HR configures reviews; auditors read everything. Raters meet a template through their campaign.
TEMPLATE_READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})


def access_review_template_by_id(
    membership, pk, *, write: bool = False, lock: bool = False
) -> ReviewTemplate:
    return access_by_id(
        ReviewTemplate.objects.prefetch_related("dimensions"), membership, pk,
        readers=TEMPLATE_READERS, writers=HR_WRITES, write=write, lock=lock,
    )  # fmt: skip
