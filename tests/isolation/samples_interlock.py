"""Isolation samples of the responsibility matrices and scorecards (pages and API; see the isolation
contract in the shared brief). Builds on the org and goals samples when they are there."""

from __future__ import annotations

from decimal import Decimal

from collab.models import Period
from interlock.models import LineRole
from tests.factories.goals import KPIFactory
from tests.factories.interlock import (
    MatrixFactory,
    MatrixRowFactory,
    PositionScorecardFactory,
    ScorecardFactory,
    ScorecardLineFactory,
)
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory

ORDER = 60


def build(tenant, objects: dict) -> dict:
    unit = objects.get("unit") or OrgUnitFactory()
    partner = OrgUnitFactory()
    period = PeriodFactory(year=2041, status=Period.Status.ACTIVE)
    later = PeriodFactory(year=2042, status=Period.Status.PLANNING)
    kpi = objects.get("kpi") or KPIFactory(owner_unit=unit, is_collaborative=True)
    matrix = MatrixFactory(kpi=kpi, effective_from=period, version=1)
    row = MatrixRowFactory(matrix=matrix, org_unit=unit, role="lead", share=Decimal("60"))
    MatrixRowFactory(matrix=matrix, org_unit=partner, role="collaborating", share=Decimal("40"))
    matrix_v2 = MatrixFactory(kpi=kpi, effective_from=later, version=2)
    MatrixRowFactory(matrix=matrix_v2, org_unit=unit, role="lead", share=Decimal("100"))
    scorecard = ScorecardFactory(org_unit=unit, period=period)
    line = ScorecardLineFactory(scorecard=scorecard, kpi=kpi, weight=Decimal("100"), role=LineRole.OWN)
    position = objects.get("position") or PositionFactory(org_unit=unit)
    position_card = PositionScorecardFactory(position=position, period=period)
    ScorecardLineFactory(scorecard=position_card, kpi=kpi, weight=Decimal("100"), role=LineRole.SHARED)
    return {
        "matrix": matrix,
        "matrix_v2": matrix_v2,
        "matrix_row": row,
        "scorecard": scorecard,
        "scorecard_line": line,
        "position_scorecard": position_card,
        "interlock_period": period,
    }


ROUTE_KWARGS = {
    "matrix-detail": lambda o: {"pk": o["matrix"].pk},
    "matrix-edit": lambda o: {"pk": o["matrix"].pk},
    "matrix-new-version": lambda o: {"pk": o["matrix_v2"].pk},
    "matrix-compare": lambda o: {"pk": o["matrix_v2"].pk},
    "scorecard-edit": lambda o: {"pk": o["scorecard"].pk},
    "scorecard-publish": lambda o: {"pk": o["scorecard"].pk},
    "scorecard-unpublish": lambda o: {"pk": o["scorecard"].pk},
    "scorecard-contract": lambda o: {"pk": o["position_scorecard"].pk},
}

API_DETAIL = {
    "api-matrix": "matrix",
    "api-scorecard": "scorecard",
}
