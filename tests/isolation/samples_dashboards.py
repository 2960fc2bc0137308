"""Isolation samples of the dashboards (see the isolation contract in the shared brief).

The dashboards read B's snapshots and matrices; the only route with an id in its path is a unit's
dashboard (and, in the API, a unit's matrix numbers). What-if takes its ids in the POST body (scorecard,
matrix, kpi, period), so the central test covers it by slug; `tests/interlock/test_dashboards_pages.py`
posts B's ids with A's slug (404)."""

from __future__ import annotations

from decimal import Decimal

from tests.factories.interlock import ScoreSnapshotFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory

ORDER = 80


def build(tenant, objects: dict) -> dict:
    unit = objects.get("unit") or OrgUnitFactory()
    period = objects.get("period") or PeriodFactory(year=2051)
    snapshot = ScoreSnapshotFactory(
        period=period, org_unit=unit, total=Decimal("77.00"), breakdown=[], flags=[]
    )
    return {"dashboard_snapshot": snapshot}


ROUTE_KWARGS = {
    "dashboard-unit-detail": lambda o: {"pk": o["unit"].pk},
}

# A unit's matrix numbers (the dashboard's, through the API): B's unit reads as missing.
API_DETAIL = {"api-unit-matrix-scores": "unit"}
