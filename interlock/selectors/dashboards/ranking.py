"""The org-wide ranking of a period's scores."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
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
    """The period's current snapshots, filtered, best total first (no total last): the order of
    `scoresnapshot_ranking_idx`, so a page is read from the index, never by ranking every row. Ranks are
    given to the rows shown (`ranking_ranks`). One query when evaluated; pages add a count."""
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
    return (
        rows.select_related("org_unit__parent", "position__org_unit__parent")
        .defer("breakdown")
        .order_by(F("total").desc(nulls_last=True), "subject")
    )


def ranking_ranks(rows: QuerySet, shown: Sequence[ScoreSnapshot], offset: int = 0) -> list[ScoreSnapshot]:
    """Give the `shown` rows of `ranking()` (from place `offset`, 0-based) their rank as `.rank`: 1 + the
    rows with a greater total (ties share a rank; rows without a total come last, tied). The first row's
    rank is one count under the same filters (none on the first page), the others follow from their
    places: no window over the whole period."""
    shown = list(shown)
    if not shown:
        return shown
    first = shown[0]
    if offset == 0:
        rank = 1
    elif first.total is None:
        rank = rows.order_by().filter(total__isnull=False).count() + 1
    else:
        rank = rows.order_by().filter(total__gt=first.total).count() + 1
    previous = None
    for place, snap in enumerate(shown):
        if place and snap.total != previous:
            rank = offset + place + 1
        snap.rank = rank
        previous = snap.total
    return shown


def ranked(rows: Iterable[ScoreSnapshot]) -> Iterator[ScoreSnapshot]:
    """Every row of `ranking()`, in order, with its rank (an export: the rows are read once, in chunks)."""
    rank, previous = 0, None
    for place, snap in enumerate(rows):
        if not place or snap.total != previous:
            rank = place + 1
        snap.rank = rank
        previous = snap.total
        yield snap


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
