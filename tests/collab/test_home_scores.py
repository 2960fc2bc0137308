"""The score card of the manager's and the employee's home: their unit's and position's latest score, each
opening its breakdown; the empty state before any score; another tenant's scores never show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from interlock.services.scorecards.cards import scorecard_create, scorecard_publish
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

HOME = reverse("tenant-home", args=["alpha"])


def _scored(actor, period, kpi, **subject):
    lines = [{"kpi": kpi, "weight": Decimal(100), "role": "own"}]
    card = scorecard_create(actor=actor, period=period, lines=lines, **subject)
    scorecard_publish(actor=actor, scorecard=card, lock_version=card.lock_version)


@pytest.fixture
def scored(tenant_a, tenant_b, hr_a, hr_b):
    with tenant_scope(tenant_b):  # the other tenant's scores, with the same subject ids in its own space
        unit = OrgUnitFactory()
        period = PeriodFactory(status=Period.Status.ACTIVE)
        kpi = KPIFactory(owner_unit=unit)
        MeasurementFactory(kpi=kpi, period=period, target=Decimal(100), actual=Decimal(50))
        _scored(hr_b, period, kpi, org_unit=unit)
        scores_recompute(period=period)
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory(name="Mine")
        position = PositionFactory(title="Driller", org_unit=unit)
        kpi = KPIFactory(owner_unit=unit)
        earlier = PeriodFactory(kind=Period.Kind.QUARTER, year=2031, quarter=1, status=Period.Status.ACTIVE)
        later = PeriodFactory(kind=Period.Kind.QUARTER, year=2031, quarter=2, status=Period.Status.ACTIVE)
        MeasurementFactory(kpi=kpi, period=earlier, target=Decimal(100), actual=Decimal(70))
        MeasurementFactory(kpi=kpi, period=later, target=Decimal(100), actual=Decimal(105))
        for period in (earlier, later):
            _scored(hr_a, period, kpi, org_unit=unit)
            scores_recompute(period=period)
        _scored(hr_a, later, kpi, position=position)  # the position is scored in the later quarter only
        scores_recompute(period=later)
        snaps = {
            "unit": ScoreSnapshot.objects.get(period=later, org_unit=unit, position=None),
            "position": ScoreSnapshot.objects.get(period=later, position=position),
        }
    return unit, position, snaps


@pytest.mark.parametrize("role", ["manager", "employee"])
def test_the_home_shows_the_latest_unit_and_position_scores(scored, tenant_a, login, role):
    unit, position, snaps = scored
    user = make_member(tenant_a, role)
    with tenant_scope(tenant_a):
        EmployeeFactory(user=user, org_unit=unit, position=position)
    body = login(user).get(HOME).content.decode()
    assert 'id="home-scores"' in body and "manager-scores-empty" not in body
    for key, snap in snaps.items():
        detail = reverse("score-detail", args=["alpha", snap.pk])
        assert f'data-score="{key}"' in body and detail in body
        assert login(user).get(detail).status_code == 200  # the link opens: the reader may read it
    assert "105.00" in body and "2031 Q2" in body and "2031 Q1" not in body
    assert "text-bg-success" in body  # 105 is on target: the total wears its band's colour


def test_before_any_score_the_manager_is_told_what_comes(tenant_a, tenant_b, login):
    user = make_member(tenant_a, "manager")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=user, org_unit=OrgUnitFactory())
    body = login(user).get(HOME).content.decode()
    assert 'id="manager-scores-empty"' in body and 'id="home-scores"' not in body


def test_the_employee_home_has_no_score_card_without_scores(tenant_a, login):
    user = make_member(tenant_a, "employee")
    with tenant_scope(tenant_a):
        EmployeeFactory(user=user, org_unit=OrgUnitFactory())
    assert 'id="my-scores"' not in login(user).get(HOME).content.decode()
