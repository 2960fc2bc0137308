"""What the scorecard pages share: how a scorecard's subject is named and the tenant's minimum share."""

from __future__ import annotations

from decimal import Decimal

from collab.selectors.org import holder_label, holder_unit_names, repeated_unit_names
from interlock.models import Scorecard


def _subject_label(card: Scorecard, repeated: frozenset[str] | None = None) -> str:
    """The scorecard's subject, its unit told apart from same-named ones (`repeated`: queried if None)."""
    if repeated is None:
        repeated = repeated_unit_names(holder_unit_names([card]))
    return holder_label(card.org_unit, card.position, repeated)


def _minimum(request) -> Decimal:
    return Decimal(request.tenant.min_collaborative_weight)
