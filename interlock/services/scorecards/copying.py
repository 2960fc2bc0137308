"""Copying a period's scorecards into another period."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.models import Period
from collab.page_cache import display_changed
from collab.services.org.periods import ensure_period_open
from collab.tenancy import current_tenant
from interlock.models import Scorecard, ScorecardLine
from interlock.services.scorecards.editing import _actor, _scoped


@transaction.atomic
def scorecards_copy(*, actor, source: Period | int, target: Period | int) -> int:
    """Copy every scorecard of `source` whose subject has none in `target` as a draft with the same ρ and
    lines (a fixed number of queries). Returns how many were created."""
    source = _scoped(Period, source, "source")
    target = _scoped(Period, target, "target")
    if source.pk == target.pk:
        raise ValidationError({"source": _("Choose another period to copy from.")})
    ensure_period_open(target, field="target")
    taken = Scorecard.objects.filter(period=target)
    taken_units = set(taken.exclude(org_unit=None).values_list("org_unit_id", flat=True))
    taken_positions = set(taken.exclude(position=None).values_list("position_id", flat=True))
    originals = [
        card
        for card in Scorecard.objects.filter(period=source).order_by("pk")
        if (card.org_unit_id is not None and card.org_unit_id not in taken_units)
        or (card.position_id is not None and card.position_id not in taken_positions)
    ]
    if not originals:
        return 0
    tenant_id = current_tenant().pk
    created = Scorecard.objects.bulk_create(
        [
            Scorecard(
                tenant_id=tenant_id,
                period=target,
                org_unit_id=card.org_unit_id,
                position_id=card.position_id,
                review_weight=card.review_weight,
                updated_by=_actor(actor),
            )
            for card in originals
        ]
    )
    if any(card.pk is None for card in created):  # backends that do not return ids: read them back
        fresh = {
            (card.org_unit_id, card.position_id): card.pk for card in Scorecard.objects.filter(period=target)
        }
        for card in created:
            card.pk = fresh[(card.org_unit_id, card.position_id)]
    new_id = {original.pk: copy.pk for original, copy in zip(originals, created, strict=True)}
    display_changed(tenant_id)  # a bulk insert sends no post_save
    ScorecardLine.objects.bulk_create(
        [
            ScorecardLine(
                tenant_id=tenant_id,
                scorecard_id=new_id[line.scorecard_id],
                kpi_id=line.kpi_id,
                weight=line.weight,
                role=line.role,
                threshold=line.threshold,
                order=line.order,
            )
            for line in ScorecardLine.objects.filter(scorecard_id__in=list(new_id)).order_by("pk")
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="scorecards.copy",
        object_type="collab.period",
        object_id=target.pk,
        object_repr=target.label,
        after={"source": source.pk, "created": [card.pk for card in created]},
    )
    return len(created)


__all__ = [
    "scorecards_copy",
]
