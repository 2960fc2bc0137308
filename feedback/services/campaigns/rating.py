"""A rater's work on one assignment: a draft saved as often as they like, and one submit.

Submitting writes a `Rating` without the rater: `rater_key` is an HMAC-SHA256 of "<tenant id>:<employee id>"
under a key derived from `settings.SECRET_KEY` with the fixed salt `RATER_KEY_SALT`
(`django.utils.crypto.salted_hmac`). The same person gets the same key in every campaign of the tenant, so
distinct raters are counted; the key names no one without the secret. Rotating SECRET_KEY changes every
new key: ratings submitted before and after the rotation no longer count as the same person (k counts
them twice at worst, across campaigns only: one campaign's ratings are submitted under one key).

Only a 360 line manager's rating carries the rater (`attributed_rater`); the form says so before submitting.
The audit row of a submit says that a rating was submitted for the campaign — no subject, no content — and
no log line carries content. Drafts are the rater's private work and are not audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import UNSET, Conflict, StaleEditError, atomic_with_retry, lock_for_edit, mark_edited
from collab.text import clean_text
from feedback.models import (
    SCALE,
    AssignmentStatus,
    CampaignStatus,
    RaterAssignment,
    RaterRole,
    Rating,
    RatingDraft,
    RatingScore,
    ReviewDimension,
    ReviewKind,
)

RATER_KEY_SALT = "collab.feedback.rating.rater_key"
COMMENT_LIMIT = 5000


def rater_key(tenant_id: int, employee_id: int) -> str:
    """The pseudonym of a rater (64 hex characters); see the module docstring."""
    return salted_hmac(RATER_KEY_SALT, f"{tenant_id}:{employee_id}", algorithm="sha256").hexdigest()


class AlreadySubmitted(Conflict):
    """The rating of this assignment was submitted already (a double click, a retried request): 409."""

    def __init__(self) -> None:
        super().__init__(_("You have submitted this rating already; it cannot be changed."))


def is_attributed(assignment: RaterAssignment) -> bool:
    """Whether this rater's rating carries their name: only a 360 line manager's."""
    return (
        assignment.campaign.kind == ReviewKind.REVIEW_360 and assignment.rater_role == RaterRole.LINE_MANAGER
    )


def _refuse_unless_open(assignment: RaterAssignment) -> None:
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise AlreadySubmitted()
    campaign = assignment.campaign
    if campaign.status != CampaignStatus.OPEN or campaign.deadline <= timezone.now():
        raise ValidationError({"campaign": [_("This campaign is closed for ratings.")]})


def scores_clean(dimension_ids: list[int], scores: Any, *, complete: bool) -> dict[str, int]:
    """{dimension id (text): 1–5} for the template's dimensions; `complete`: every dimension scored.
    Errors keyed "scores-<dimension id>" ("scores" for the whole)."""
    if scores is None:
        scores = {}
    if not isinstance(scores, Mapping):
        raise ValidationError({"scores": [_("Give a score per dimension.")]})
    known = {str(pk) for pk in dimension_ids}
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for key, value in scores.items():
        key = str(key)
        if key not in known:
            errors.setdefault("scores", []).append(
                _("%(key)s is not a dimension of this review.") % {"key": key[:20]}
            )
        elif value is None or value == "":
            continue
        elif isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            errors[f"scores-{key}"] = [_("Choose a score from 1 to 5.")]
        else:
            clean[key] = value
    if complete and not errors:
        for pk in dimension_ids:
            if str(pk) not in clean:
                errors[f"scores-{pk}"] = [_("Score this dimension.")]
    if errors:
        raise ValidationError(errors)
    return {str(pk): clean[str(pk)] for pk in dimension_ids if str(pk) in clean}


def _comment(value: Any) -> str:
    try:
        return clean_text(value, COMMENT_LIMIT)
    except ValueError as error:
        raise ValidationError({"comment": [str(error)]}) from None


def _dimension_ids(assignment: RaterAssignment) -> list[int]:
    return list(
        ReviewDimension.objects.filter(template_id=assignment.campaign.template_id)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )


def _locked(assignment: RaterAssignment, actor) -> RaterAssignment:
    """The assignment locked for this write. Whose it is was settled by the door that fetched it
    (`feedback.access.access_own_assignment_by_id`: a rater reaches only their own); the demo submits for
    its employees through the same service."""
    locked = (
        RaterAssignment.objects.select_for_update(of=("self",))
        .select_related("campaign", "rater")
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise RaterAssignment.DoesNotExist(f"RaterAssignment {assignment.pk} does not exist")
    return locked


@transaction.atomic
def rating_draft_save(
    *, actor, assignment: RaterAssignment, lock_version: Any, scores: Any = UNSET, comment: Any = UNSET
) -> RatingDraft:
    """Save the rater's unsent work (scores may be partial). The first save states version 0 (no draft yet);
    later ones the draft's version (stale: 409). A save that changes nothing writes nothing."""
    locked = _locked(assignment, actor)
    _refuse_unless_open(locked)
    draft = RatingDraft.objects.filter(assignment=locked).first()
    if draft is None:
        if lock_version not in (0, "0"):
            raise StaleEditError(
                obj=RatingDraft(assignment=locked), changed_by="", changed_at=None, current_version=0
            )
        draft = RatingDraft(
            tenant_id=locked.tenant_id, assignment=locked, scores={}, comment="", lock_version=0
        )
    else:
        draft = lock_for_edit(RatingDraft, draft, lock_version)
    errors: dict[str, list[str]] = {}
    new_scores, new_comment = draft.scores, draft.comment
    if scores is not UNSET:
        try:
            new_scores = scores_clean(_dimension_ids(locked), scores, complete=False)
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if comment is not UNSET:
        try:
            new_comment = _comment(comment)
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    if draft.pk is not None and new_scores == draft.scores and new_comment == draft.comment:
        return draft
    draft.scores, draft.comment = new_scores, new_comment
    mark_edited(draft, actor)
    draft.save()
    return draft


@atomic_with_retry
def rating_submit(*, actor, assignment: RaterAssignment, scores: Any = UNSET, comment: Any = UNSET) -> None:
    """Submit the rating once: every dimension scored (from `scores`/`comment`, else the draft). The
    assignment is locked; a second submit (double click, retry, a concurrent request) is `AlreadySubmitted`
    and the unique constraint `rating_once_per_rater` is the last guard. Nothing is returned: the rater
    cannot read their submitted rating back."""
    locked = _locked(assignment, actor)
    _refuse_unless_open(locked)
    draft = RatingDraft.objects.filter(assignment=locked).first()
    given_scores = scores if scores is not UNSET else (draft.scores if draft else {})
    given_comment = comment if comment is not UNSET else (draft.comment if draft else "")
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    try:
        clean = scores_clean(_dimension_ids(locked), given_scores, complete=True)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    try:
        text = _comment(given_comment)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    campaign = locked.campaign
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                tenant_id=locked.tenant_id, campaign=campaign, subject_id=locked.subject_id,
                rater_key=rater_key(locked.tenant_id, locked.rater_id), rater_role=locked.rater_role,
                rater_unit_id=locked.rater_unit_id, rater_business_line_id=locked.rater_business_line_id,
                rater_level=locked.rater_level,
                attributed_rater_id=locked.rater_id if is_attributed(locked) else None,
                comment=text,
            )  # fmt: skip
    except IntegrityError:
        raise AlreadySubmitted() from None
    RatingScore.objects.bulk_create(
        [RatingScore(tenant_id=locked.tenant_id, rating=rating, dimension_id=int(pk), value=value)
         for pk, value in clean.items()]
    )  # fmt: skip
    RatingDraft.objects.filter(assignment=locked).delete()
    locked.status = AssignmentStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, action="rating.submit", obj=campaign)
