"""What every scorecard write shares: look-ups, locking, snapshots, writing lines, the save tail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import lock_for_edit, mark_edited
from collab.routing.ids import coerce_id
from collab.services.org.periods import ensure_period_open
from interlock.models import Scorecard, ScorecardLine
from interlock.services.scorecards.lines import MISSING_CHOICE, CleanLine, PublishResult, weights_summary


def _scoped(model, obj, name: str, *, required: bool = True):
    if obj is None or obj == "":
        if required:
            raise ValidationError({name: _("This field is required.")})
        return None
    pk = coerce_id(obj, model)
    found = model.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({name: _(MISSING_CHOICE)})
    return found


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _lines_snapshot(scorecard: Scorecard) -> list[dict[str, Any]]:
    return [
        {
            "kpi": line.kpi_id,
            "weight": str(line.weight),
            "role": line.role,
            "threshold": None if line.threshold is None else str(line.threshold),
        }
        for line in ScorecardLine.objects.filter(scorecard=scorecard).order_by("order", "pk")
    ]


def _card_snapshot(scorecard: Scorecard) -> dict[str, Any]:
    data = snapshot(scorecard) or {}
    data["lines"] = _lines_snapshot(scorecard)
    return data


def _write_lines(scorecard: Scorecard, lines: list[CleanLine]) -> None:
    ScorecardLine.objects.filter(scorecard=scorecard).delete()
    ScorecardLine.objects.bulk_create(
        [
            ScorecardLine(
                tenant_id=scorecard.tenant_id,
                scorecard=scorecard,
                kpi=line.kpi,
                weight=line.weight,
                role=line.role,
                threshold=line.threshold,
                order=index,
            )
            for index, line in enumerate(lines)
        ]
    )


def _publish_check(lines: list[CleanLine]) -> tuple[bool, list[str]]:
    """(collaborative warning, warnings); raises ValidationError when the lines cannot be published."""
    summary = weights_summary([{"role": line.role, "weight": line.weight} for line in lines])
    if summary["messages"]:
        raise ValidationError({"lines": summary["messages"]})
    return bool(summary["warnings"]), summary["warnings"]


def _current_lines(scorecard: Scorecard) -> list[CleanLine]:
    return [
        CleanLine(kpi=line.kpi, weight=line.weight, role=line.role, threshold=line.threshold)
        for line in ScorecardLine.objects.filter(scorecard=scorecard).select_related("kpi")
    ]


def _edit(scorecard: Scorecard, lock_version: Any) -> Scorecard:
    current = _scoped(Scorecard, scorecard, "scorecard")
    current = lock_for_edit(Scorecard, current, lock_version)
    ensure_period_open(current.period)
    return current


def _scores_changed(scorecard: Scorecard, *, actor, dropped: bool = False) -> None:
    """Queue the recompute of this scorecard's score (sent on commit); drafts have none unless dropped."""
    if scorecard.is_published or dropped:
        from interlock.recompute import scores_recompute_request

        scores_recompute_request(
            period=scorecard.period_id, scorecard_ids=[scorecard.pk], reason="scorecard", actor=actor
        )


def _saved(current: Scorecard, actor, *fields: str) -> None:
    """Save a change as the next version (callers return early when nothing changed)."""
    current.save(update_fields=[*fields, *mark_edited(current, actor)])


def _unchanged(current: Scorecard, clean: list[CleanLine]) -> PublishResult:
    """The answer to a save that changes nothing: no new version, no audit row, no recompute."""
    warnings = _publish_check(clean)[1] if current.is_published else []
    return PublishResult(scorecard=current, warnings=warnings)


def _save_edit(
    current: Scorecard,
    *,
    actor,
    action: str,
    before: dict[str, Any],
    lines: list[CleanLine] | None,
    fields: Sequence[str] = (),
) -> PublishResult:
    """The tail of an editor save that changes something: new `lines` (None: kept) must leave a published
    scorecard publishable; then the next version, its audit row and the recompute of its score."""
    warnings: list[str] = []
    fields = list(fields)
    if lines is not None:
        if current.is_published:
            current.collaborative_warning, warnings = _publish_check(lines)
            fields.append("collaborative_warning")
        _write_lines(current, lines)
    _saved(current, actor, *fields)
    audit_record(actor=actor, action=action, obj=current, before=before, after=_card_snapshot(current))
    _scores_changed(current, actor=actor)
    return PublishResult(scorecard=current, warnings=warnings)
