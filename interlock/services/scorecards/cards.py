"""Writes of one scorecard: create, update ρ, set lines, publish, unpublish, and the editor's save."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import UNSET, changed_fields, field_values
from collab.models import OrgUnit, Period, Position
from collab.services.org.periods import ensure_period_open
from interlock.models import Scorecard
from interlock.services.scorecards.editing import (
    _actor,
    _card_snapshot,
    _current_lines,
    _edit,
    _publish_check,
    _save_edit,
    _saved,
    _scoped,
    _scores_changed,
    _unchanged,
    _write_lines,
)
from interlock.services.scorecards.lines import PublishResult, parse_review_weight, scorecard_lines_clean


@transaction.atomic
def scorecard_create(
    *,
    actor,
    period: Period | int,
    org_unit: OrgUnit | int | None = None,
    position: Position | int | None = None,
    review_weight: Any = Decimal("0"),
    lines: Sequence[Mapping[str, Any]] = (),
) -> Scorecard:
    """A draft scorecard for one subject (an org unit or a position) and period."""
    period = _scoped(Period, period, "period")
    ensure_period_open(period)
    if (org_unit in (None, "")) == (position in (None, "")):
        raise ValidationError({"org_unit": _("Choose either an org unit or a position.")})
    unit = _scoped(OrgUnit, org_unit, "org_unit", required=False)
    post = _scoped(Position, position, "position", required=False)
    try:
        rho = parse_review_weight(review_weight)
    except ValueError as error:
        raise ValidationError({"review_weight": str(error)}) from None
    clash = (
        Scorecard.objects.filter(period=period, org_unit=unit)
        if unit
        else Scorecard.objects.filter(period=period, position=post)
    )
    if clash.exists():
        name = "org_unit" if unit else "position"
        raise ValidationError(
            {
                name: _("%(subject)s already has a scorecard for %(period)s.")
                % {"subject": unit or post, "period": period.label}
            }
        )
    clean = scorecard_lines_clean(lines)
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(
                period=period, org_unit=unit, position=post, review_weight=rho, updated_by=_actor(actor)
            )
    except IntegrityError:  # a concurrent create for the same subject won the race
        name = "org_unit" if unit else "position"
        raise ValidationError(
            {
                name: _("%(subject)s already has a scorecard for %(period)s.")
                % {"subject": unit or post, "period": period.label}
            }
        ) from None
    _write_lines(scorecard, clean)
    audit_record(actor=actor, action="scorecard.create", obj=scorecard, after=_card_snapshot(scorecard))
    return scorecard


@transaction.atomic
def scorecard_update(
    *, actor, scorecard: Scorecard, lock_version: Any, review_weight: Any = UNSET
) -> Scorecard:
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    values = field_values(current)
    if review_weight is not UNSET:
        try:
            current.review_weight = parse_review_weight(review_weight)
        except ValueError as error:
            raise ValidationError({"review_weight": str(error)}) from None
    if not changed_fields(current, values):
        return current
    _saved(current, actor, "review_weight")
    audit_record(
        actor=actor, action="scorecard.update", obj=current, before=before, after=_card_snapshot(current)
    )
    _scores_changed(current, actor=actor)
    return current


@transaction.atomic
def scorecard_lines_set(
    *, actor, scorecard: Scorecard, lock_version: Any, lines: Sequence[Mapping[str, Any]]
) -> PublishResult:
    """Replace the lines (what the line editor saves). A published scorecard must stay publishable."""
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    clean = scorecard_lines_clean(lines)
    if clean == _current_lines(current):
        return _unchanged(current, clean)
    return _save_edit(current, actor=actor, action="scorecard.lines_set", before=before, lines=clean)


@transaction.atomic
def scorecard_publish(*, actor, scorecard: Scorecard, lock_version: Any) -> PublishResult:
    """Publish: own + shared weights must be exactly 100; a low collaborative share only warns."""
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    current.collaborative_warning, warnings = _publish_check(_current_lines(current))
    current.status = Scorecard.Status.PUBLISHED
    current.published_at = timezone.now()
    _saved(current, actor, "status", "published_at", "collaborative_warning")
    audit_record(
        actor=actor, action="scorecard.publish", obj=current, before=before, after=_card_snapshot(current)
    )
    _scores_changed(current, actor=actor)
    return PublishResult(scorecard=current, warnings=warnings)


@transaction.atomic
def scorecard_unpublish(*, actor, scorecard: Scorecard, lock_version: Any) -> Scorecard:
    """Back to draft (its scores drop out of the next recompute)."""
    current = _edit(scorecard, lock_version)
    if current.status == Scorecard.Status.DRAFT:
        return current  # a draft already: nothing changes
    before = _card_snapshot(current)
    current.status = Scorecard.Status.DRAFT
    _saved(current, actor, "status")
    audit_record(
        actor=actor, action="scorecard.unpublish", obj=current, before=before, after=_card_snapshot(current)
    )
    _scores_changed(current, actor=actor, dropped=True)
    return current


@transaction.atomic
def scorecard_save(
    *,
    actor,
    scorecard: Scorecard,
    lock_version: Any,
    review_weight: Any = UNSET,
    lines: Sequence[Mapping[str, Any]] = UNSET,
) -> PublishResult:
    """What the editor saves at once: ρ and/or the lines, one version step (see `scorecard_lines_set`)."""
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    values = field_values(current)
    errors: dict[str, list[str]] = {}
    if review_weight is not UNSET:
        try:
            current.review_weight = parse_review_weight(review_weight)
        except ValueError as error:
            errors["review_weight"] = [str(error)]
    clean = None
    if lines is not UNSET:
        try:
            clean = scorecard_lines_clean(lines)
        except ValidationError as invalid:
            for key, messages in invalid.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    stored_lines = _current_lines(current)
    if clean == stored_lines:
        clean = None  # the same lines again: they stay as they are
    if clean is None and not changed_fields(current, values):
        return _unchanged(current, stored_lines)
    return _save_edit(
        current, actor=actor, action="scorecard.save", before=before, lines=clean, fields=("review_weight",)
    )


__all__ = [
    "scorecard_create",
    "scorecard_lines_set",
    "scorecard_publish",
    "scorecard_unpublish",
    "scorecard_save",
    "scorecard_update",
]
