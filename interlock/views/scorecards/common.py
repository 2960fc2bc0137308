"""What the scorecard pages share: how a scorecard's subject is named and the tenant's minimum share."""

from __future__ import annotations

from decimal import Decimal

from collab.selectors.org import holder_label, repeated_unit_names
from interlock.models import Scorecard


def _subject_label(card: Scorecard, repeated: frozenset[str] | None = None) -> str:
    """The scorecard's subject, its unit told apart from same-named ones (`repeated`: queried if None)."""
    return holder_label(card.org_unit, card.position, repeated_unit_names() if repeated is None else repeated)


def _minimum(request) -> Decimal:
    return Decimal(request.tenant.min_collaborative_weight)
