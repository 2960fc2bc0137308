"""The org-wide ranking of a period's scores."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Rank
from django.utils.translation import gettext as _

from collab.models import OrgUnit, Period, Position
from collab.selectors.org import unit_label
from interlock.models import ScoreSnapshot
from interlock.selectors.scores import snapshots_latest

# --------------------------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class RankingFilters:
    subject_type: str = ""  # "" | "unit" | "position"
    kind: str = ""
    parent: OrgUnit | None = None
    flag: str = ""
    incomplete: str = ""  # "" | "yes" | "no"


def ranking(period: Period, filters: RankingFilters | None = None) -> QuerySet:
    """The period's current snapshots, filtered, ranked by total (best first; no total last). One query
    when evaluated; pages add a count."""
    filters = filters or RankingFilters()
    rows = snapshots_latest(period)  # one row per subject (a partial recompute leaves mixed versions)
    if filters.subject_type == "unit":
        rows = rows.filter(org_unit__isnull=False)
    elif filters.subject_type == "position":
        rows = rows.filter(position__isnull=False)
    if filters.kind:
        rows = rows.filter(Q(org_unit__kind=filters.kind) | Q(position__org_unit__kind=filters.kind))
    if filters.parent is not None:
        path = filters.parent.path
        rows = rows.filter(Q(org_unit__path__startswith=path) | Q(position__org_unit__path__startswith=path))
    if filters.flag:
        rows = rows.filter(flags__icontains=f'"{filters.flag}"')
    if filters.incomplete == "yes":
        rows = rows.filter(incomplete=True)
    elif filters.incomplete == "no":
        rows = rows.filter(incomplete=False)
    order = [F("total").desc(nulls_last=True), "subject"]
    return (
        rows.select_related("org_unit__parent", "position__org_unit__parent")
        .annotate(rank=Window(Rank(), order_by=F("total").desc(nulls_last=True)))
        .order_by(*order)
    )


def ranking_label(snap: ScoreSnapshot, repeated: frozenset[str]) -> tuple[str, str, str]:
    """(subject name, type, unit name) of a ranking row (no query: related rows are selected); a unit whose
    name repeats in the tenant (`repeated_unit_names`) is named with its parent."""
    if snap.org_unit_id is not None:
        name = unit_label(snap.org_unit, repeated)
        return name, _("Org unit"), name
    position: Position = snap.position
    return position.title, _("Position"), unit_label(position.org_unit, repeated)


def flag_codes(snap: ScoreSnapshot) -> list[str]:
    return sorted({f.get("code") for f in snap.flags or () if f.get("code")})
