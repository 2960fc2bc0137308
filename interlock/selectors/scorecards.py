"""Reads of the scorecard pages: the list with its weight sums and latest totals, a scorecard's lines, the
holders a contract names. Every function runs a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from collab.models import Employee, Period
from collab.selectors.periods import period_ids_with
from interlock.models import LineRole, Scorecard, ScorecardLine, ScoreSnapshot

KINDS = ("unit", "position")
SHOWN_FLAGS = {
    "special_review": gettext_lazy("special review"),
    "no_kpi_data": gettext_lazy("no KPI data"),
    "review_not_counted": gettext_lazy("review not counted"),
    "points_clamped": gettext_lazy("points capped"),
}


def scorecard_queryset() -> QuerySet[Scorecard]:
    """Scorecards with what their labels and pages need selected."""
    return Scorecard.objects.select_related(
        "org_unit__parent", "position__org_unit__parent", "period", "updated_by"
    )


def periods_with_scorecards() -> set[int]:
    """Ids of the periods that have scorecards: one probe of `scorecard_list_idx` a period (a tenant has
    tens of periods and tens of thousands of scorecards), never a DISTINCT over every scorecard."""
    return period_ids_with(Scorecard.objects.all(), "org_unit_id")


def scorecard_search(period: Period | None, *, kind: str = "", status: str = "", query: str = "") -> QuerySet:
    """The period's scorecards, filtered by subject kind, status and a word of the subject, in list order."""
    if period is None:
        return Scorecard.objects.none()
    cards = scorecard_queryset().filter(period=period)
    if kind == "unit":
        cards = cards.filter(org_unit__isnull=False)
    elif kind == "position":
        cards = cards.filter(position__isnull=False)
    if status:
        cards = cards.filter(status=status)
    if query:
        cards = cards.filter(
            Q(org_unit__name__icontains=query)
            | Q(org_unit__code__icontains=query)
            | Q(org_unit__parent__name__icontains=query)
            | Q(position__title__icontains=query)
            | Q(position__code__icontains=query)
        )
    # Units' scorecards (by unit), then positions': the order `scorecard_list_idx` serves, so the list
    # pages by keyset (collab.keyset) without sorting the period's scorecards on each page.
    return cards.order_by("org_unit_id", "position_id", "pk")


def weight_sums(card_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """{scorecard id: (own + shared weight, shared weight)} for one page of scorecards (one query)."""
    rows = (
        ScorecardLine.objects.filter(scorecard_id__in=card_ids)
        .values("scorecard_id")
        .annotate(
            total=Sum("weight", filter=~Q(role=LineRole.REFERENCE)),
            shared=Sum("weight", filter=Q(role=LineRole.SHARED)),
        )
        .order_by()
    )
    return {
        row["scorecard_id"]: (row["total"] or Decimal("0"), row["shared"] or Decimal("0")) for row in rows
    }


def latest_totals(card_ids: list[int]) -> dict[int, dict]:
    """{scorecard id: {"total", "incomplete", "flags": [labels]}} from the latest snapshots (one query)."""
    out: dict[int, dict] = {}
    rows = ScoreSnapshot.objects.filter(scorecard_id__in=card_ids).order_by("scorecard_id", "version")
    for card_id, total, incomplete, flags in rows.values_list("scorecard_id", "total", "incomplete", "flags"):
        codes = [f.get("code") if isinstance(f, dict) else f for f in (flags or [])]
        out[card_id] = {
            "total": total,
            "incomplete": incomplete,
            "flags": [SHOWN_FLAGS[code] for code in codes if code in SHOWN_FLAGS],
        }
    return out


def line_rows(card: Scorecard) -> list[dict]:
    """The scorecard's lines as the line editor posts them."""
    return [
        {
            "kpi": str(line.kpi_id),
            "role": line.role,
            "weight": f"{line.weight.normalize():f}",
            "threshold": "" if line.threshold is None else f"{line.threshold.normalize():f}",
        }
        for line in ScorecardLine.objects.filter(scorecard=card).order_by("order", "id")
    ]


def lines_with_kpis(card: Scorecard) -> list[ScorecardLine]:
    return list(ScorecardLine.objects.filter(scorecard=card).select_related("kpi").order_by("order", "id"))


def contract_holders(card: Scorecard, *, limit: int = 20) -> list[Employee]:
    """The active people in the scorecard's position (a unit's contract names none)."""
    if not card.position_id:
        return []
    return list(
        Employee.objects.filter(position_id=card.position_id, is_active=True)
        .select_related("manager")
        .order_by("name")[:limit]
    )


def scorecard_ids_of_subjects(period: Period | int, *, units=(), positions=()) -> list[int]:
    """Ids of the scorecards of `period` whose subject is one of these units or positions (any status): what
    an upper area names to `interlock.recompute.scores_recompute_request` when its inputs of those subjects
    change (ratings released, points approved)."""
    subjects = Q(org_unit_id__in=sorted(set(units))) | Q(position_id__in=sorted(set(positions)))
    return sorted(Scorecard.objects.filter(subjects, period=period).values_list("pk", flat=True))
