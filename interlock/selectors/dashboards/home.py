"""The role homes' own scores: the unit's and the position's."""

from __future__ import annotations

from dataclasses import dataclass

from collab.selectors.periods import period_order
from goals.selectors.scores import BAND_CSS
from interlock.models import ScoreSnapshot, subject_key
from interlock.selectors.dashboards.common import (
    band_of,
)


@dataclass(frozen=True)
class HomeScore:
    snapshot: ScoreSnapshot
    band: str  # css class of the total's band


def home_scores(*, org_unit_id: int | None, position_id: int | None) -> dict[str, HomeScore]:
    """The unit's and the position's score ({"unit": …, "position": …}) in the latest period where either has
    one, for the role homes (one query: the tenant-and-subject index)."""
    subjects = [
        subject_key(org_unit_id=org_unit_id) if org_unit_id else None,
        subject_key(position_id=position_id) if position_id else None,
    ]
    snaps = list(
        ScoreSnapshot.objects.filter(subject__in=[s for s in subjects if s]).select_related("period").defer(
            "breakdown"
        )
    )
    if not snaps:
        return {}
    latest = max(snaps, key=lambda snap: period_order(snap.period)).period_id
    return {
        "position" if snap.position_id else "unit": HomeScore(snap, BAND_CSS[band_of(snap.total)])
        for snap in snaps
        if snap.period_id == latest
    }
