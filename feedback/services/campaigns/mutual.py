"""Department mutual reviews generated from the responsibility matrices: units that appear together in a
matrix in effect for the campaign's period work with each other, so each rates the others — never itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.concurrency import lock_for_edit
from collab.models import OrgUnit
from feedback.models import RaterRole, ReviewCampaign, ReviewKind
from feedback.selectors.campaigns import mutual_pairs
from feedback.services.campaigns.checks import refuse_unless_draft
from feedback.services.campaigns.setup import campaign_update


@transaction.atomic
def campaign_generate_mutual(
    *, actor, campaign: ReviewCampaign, lock_version: Any, units: Sequence[OrgUnit] = ()
) -> int:
    """For a department mutual review: subjects and rules from the units that share responsibility matrices
    in the campaign's period — each unit rates the units it works with, never itself. Replaces the draft's
    subjects and rules; `units` narrows the units considered. Returns the number of rules."""
    current = lock_for_edit(ReviewCampaign, campaign, lock_version)
    refuse_unless_draft(current)
    if current.kind != ReviewKind.MUTUAL:
        raise ValidationError({"kind": _("Only a department mutual review is generated from the matrices.")})
    pairs = mutual_pairs(units, current.period)
    if not pairs:
        raise ValidationError(
            {
                "subjects": _("No units share a responsibility matrix in %(period)s.")
                % {"period": current.period}
            }
        )
    found = {u.pk: u for u in OrgUnit.objects.filter(pk__in=pairs)}
    subjects = [{"org_unit": found[pk], "employee": None} for pk in sorted(found)]
    rules = [
        {"subject_unit": found[subject], "subject_employee": None, "rater_role": RaterRole.INTERNAL_CUSTOMER,
         "rater_unit": found[rater], "include_sub_units": False, "rater_employee": None}
        for subject in sorted(found) for rater in sorted(pairs[subject])
        if rater in found and rater != subject
    ]  # fmt: skip
    campaign_update(
        actor=actor,
        campaign=current,
        lock_version=current.lock_version,
        data={},
        subjects=subjects,
        rules=rules,
    )
    return len(rules)
