"""Demo data of interlocked scorecards (动态互锁) and their scores.

`scorecards_build(ctx)` is the interlock area's demo step (`DEMO_STEPS`, run by `collab.demo` after the
goals and responsibility steps: it uses their KPIs and matrices). Everything goes through the services
(`scorecard_create`, `scorecard_publish`, `scores_recompute`) as the demo HR admin, replaying the year like
the goals step (see `goals.demo.replay.year_replayed`): the scorecards exist for the year and for each
quarter so far, and every one of those periods is recomputed, so dashboards have a current score and a trend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from collab.demo.plans import BATCH_SIZE
from goals.demo.mining import MINING_SUBSIDIARIES
from goals.demo.replay import replaying_the_year
from goals.demo.scale import split_100
from interlock.models import LineRole, Scorecard, ScorecardLine
from interlock.services.scorecards.cards import scorecard_create, scorecard_publish
from interlock.services.scores import scores_recompute

if TYPE_CHECKING:
    from collab.demo.scale import ScaleContext
    from collab.demo.steps import DemoContext


@dataclass(frozen=True)
class CardPlan:
    unit: str
    rho: str
    lines: str  # "KPI-CODE role weight [threshold], …"
    position: str | None = None  # title: a scorecard of that position of `unit` (a manager's contract)


# --- the technology company: the seed tables ----------------------------------------------------------

TECH_CARDS = (
    CardPlan("TEC-SAL", "0.2", "CUST-RET own 35, KA-RENEW own 20, SALES-REV own 25, AR-DSO shared 20"),
    CardPlan(
        "TEC-CS", "0.2",
        "CS-COMPLAINT own 30, CS-CSAT own 20, CS-RESPONSE own 15, CUST-RET shared 20, KA-RENEW shared 15",
    ),
    CardPlan(
        "TEC-RND", "0", "RD-AVAIL own 45, RD-INCIDENTS own 35, KA-RENEW shared 20, CUST-RET reference 0 95"
    ),
    CardPlan("TEC-DLV", "0", "DLV-MILESTONE own 40, DLV-ACCEPT own 35, KA-RENEW shared 25"),
    CardPlan("TEC-FIN", "0.2", "AR-DSO own 50, FIN-OPEX own 30, FIN-MARGIN own 20"),
    CardPlan("TEC-HR", "0", "HR-TTH own 60, HR-TRAIN own 40"),
    # Performance contracts: the sales director above the minimum collaborative share, the customer
    # service manager under it (flagged).
    CardPlan("TEC-SAL", "0", "SALES-REV own 40, KA-RENEW own 30, AR-DSO shared 30", "Sales Director"),
    CardPlan(
        "TEC-CS", "0", "CS-COMPLAINT own 50, CS-CSAT own 40, CUST-RET shared 10", "Customer Service Manager"
    ),
)


# --- the mining group: per subsidiary ------------------------------------------------------------------


def _mining_cards() -> tuple[CardPlan, ...]:
    cards = []
    for sub in MINING_SUBSIDIARIES:
        cards += [
            CardPlan(
                f"{sub}-PROD", "0.2",
                f"MIN-FPY own 25, MIN-SUP own 15, MIN-TRN own 10, {sub}-UPT shared 20, {sub}-ACC shared 15, "
                f"{sub}-UC shared 15",
            ),
            CardPlan(
                f"{sub}-EQP", "0", f"{sub}-UPT own 40, MIN-DT own 20, MIN-DIG own 15, {sub}-ACC shared 25"
            ),
            CardPlan(f"{sub}-SAFE", "0.2", f"{sub}-ACC own 55, MIN-RECT own 45, {sub}-CAP reference 0 90"),
            CardPlan(
                f"{sub}-PUR", "0", f"MIN-OTD own 50, MIN-PCR own 20, {sub}-UPT shared 15, {sub}-UC shared 15"
            ),
            CardPlan(f"{sub}-FIN", "0", f"{sub}-UC own 60, MIN-BUD own 40, MIN-GM reference 0 95"),
        ]
    # Performance contracts of two managers of 晋北: production (collaborative share 30 %) and
    # equipment (10 %, under the minimum: flagged).
    cards += [
        CardPlan("MIN-JB-PROD", "0", "MIN-JB-CAP own 40, MIN-FPY own 30, MIN-JB-UPT shared 30", "生产部经理"),
        CardPlan("MIN-JB-EQP", "0", "MIN-JB-UPT own 50, MIN-DT own 40, MIN-JB-ACC shared 10", "设备部经理"),
    ]
    return tuple(cards)


CARD_PLANS: dict[str, Callable[[], tuple[CardPlan, ...]]] = {
    "mining": _mining_cards,
    "tech": lambda: TECH_CARDS,
}


# --------------------------------------------------------------------------------------------- steps


def scored_periods(ctx: DemoContext) -> list:
    """This year and its quarters up to the current one."""
    year = ctx.today.year
    quarter = (ctx.today.month - 1) // 3 + 1
    return [ctx.periods[str(year)], *(ctx.periods[f"{year} Q{q}"] for q in range(1, quarter + 1))]


def _lines(specs: str, kpis: dict) -> list[dict]:
    lines = []
    for spec in specs.split(","):
        code, role, weight, *rest = spec.split()
        threshold = rest[0] if rest else None
        lines.append({"kpi": kpis[code], "role": role, "weight": weight, "threshold": threshold})
    return lines


@replaying_the_year
def scorecards_build(ctx: DemoContext) -> None:
    """Published scorecards of departments and two managers' positions for the year and each quarter so
    far, then a recompute of each of those periods."""
    factory = CARD_PLANS.get(ctx.plan.slug)
    if factory is None or "kpis" not in ctx.extra:
        return
    kpis, actor = ctx.extra["kpis"], ctx.hr_user
    plans = factory()
    periods = scored_periods(ctx)
    for period in periods:
        for plan in plans:
            card = scorecard_create(
                actor=actor,
                period=period,
                org_unit=None if plan.position else ctx.units[plan.unit],
                position=ctx.positions[(plan.unit, plan.position)] if plan.position else None,
                review_weight=plan.rho,
                lines=_lines(plan.lines, kpis),
            )
            scorecard_publish(actor=actor, scorecard=card, lock_version=card.lock_version)
    for period in periods:
        scores_recompute(period=period, actor=actor)


DEMO_STEPS = [scorecards_build]


# --------------------------------------------------------------------------------------------- seed_scale


def _card_lines(
    ctx: ScaleContext, unit_id: int, own_kpi: int | None, kpi_ids: list[int]
) -> list[tuple[int, str]]:
    """(KPI id, role) of one scorecard: the unit's matrix KPIs shared (at most three), its own KPI, the rest
    drawn from the library; distinct KPIs."""
    shared = list(dict.fromkeys(ctx.extra.get("matrix_kpis", {}).get(unit_id, [])))[:3]
    picked = dict.fromkeys(shared)
    if own_kpi is not None:
        picked.setdefault(own_kpi)
    target = min(ctx.sizes.lines_per_card, len(kpi_ids))
    while len(picked) < target:
        picked.setdefault(kpi_ids[ctx.rng.randrange(len(kpi_ids))])
    return [(kpi, LineRole.SHARED if kpi in shared else LineRole.OWN) for kpi in list(picked)[:target]]


def scorecards_scale(ctx: ScaleContext) -> None:
    """seed_scale's scorecards (`SCALE_STEPS`): this year, one published scorecard a unit and one for its
    head's position, `lines_per_card` lines each (weights adding up to exactly 100; the collaborative
    warning as publishing sets it), then a recompute of the year, so the dashboards have scores."""
    kpis = ctx.extra.get("kpis")
    if not kpis:
        return
    kpi_ids = [kpi.pk for kpi in kpis]
    own = {}
    for kpi in kpis:
        own.setdefault(kpi.owner_unit_id, kpi.pk)
    minimum = Decimal(ctx.tenant.min_collaborative_weight)
    now = timezone.now()
    cards, plans = [], []
    for index, unit in enumerate(ctx.units):
        for subject in ("unit", "position"):
            lines = _card_lines(ctx, unit.pk, own.get(unit.pk), kpi_ids)
            weights = split_100(len(lines))
            shared = sum(
                (w for w, (_kpi, role) in zip(weights, lines, strict=True) if role == LineRole.SHARED),
                Decimal(0),
            )
            cards.append(
                Scorecard(
                    tenant=ctx.tenant,
                    period=ctx.year,
                    status=Scorecard.Status.PUBLISHED,
                    published_at=now,
                    org_unit_id=unit.pk if subject == "unit" else None,
                    position=ctx.head_positions[unit.pk] if subject == "position" else None,
                    review_weight=Decimal("0.2") if subject == "unit" and index % 3 == 0 else Decimal(0),
                    collaborative_warning=shared < minimum,
                )
            )
            plans.append(list(zip(lines, weights, strict=True)))
    Scorecard.objects.bulk_create(cards, batch_size=BATCH_SIZE)
    rows, count = [], 0
    for card, plan in zip(cards, plans, strict=True):
        for order, ((kpi, role), weight) in enumerate(plan):
            rows.append(
                ScorecardLine(
                    tenant_id=ctx.tenant.pk, scorecard_id=card.pk, kpi_id=kpi, role=role, weight=weight,
                    order=order,
                )
            )
        if len(rows) >= 10 * BATCH_SIZE:
            ScorecardLine.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            count, rows = count + len(rows), []
    ScorecardLine.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    ctx.counts.update(scorecards=len(cards), scorecard_lines=count + len(rows))
    result = scores_recompute(period=ctx.year, actor=ctx.hr_user)
    ctx.counts["snapshots"] = result.snapshots


SCALE_STEPS = [scorecards_scale]
