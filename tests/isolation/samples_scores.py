"""Isolation samples of scores and jobs (pages and API; see the isolation contract in the shared brief)."""

from __future__ import annotations

from decimal import Decimal

from collab.models import Period
from tests.factories.interlock import JobFactory, ScoreSnapshotFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory

ORDER = 70


def build(tenant, objects: dict) -> dict:
    unit = objects.get("unit") or OrgUnitFactory()
    period = objects.get("interlock_period") or PeriodFactory(year=2043, status=Period.Status.ACTIVE)
    snapshot = ScoreSnapshotFactory(
        period=period,
        org_unit=unit,
        total=Decimal("90.00"),
        breakdown=[
            {"kind": "line", "line": None, "kpi": None, "role": "own", "weight": 100.0, "value": "90.00",
             "has_data": True, "counts": True},
            {"kind": "review", "rho": 0.0, "rho_effective": 0.0, "review_part": None, "shown": False,
             "value": "0.00"},
            {"kind": "points", "raw": 0.0, "cap": 10.0, "points": 0.0, "value": "0.00"},
        ],
    )  # fmt: skip
    job = JobFactory(key=f"period:{period.pk}")
    return {"snapshot": snapshot, "job": job}


ROUTE_KWARGS = {
    "score-detail": lambda o: {"pk": o["snapshot"].pk},
    "job-detail": lambda o: {"pk": o["job"].pk},
}

API_DETAIL = {
    "api-score": "snapshot",
    "api-job": "job",
}
