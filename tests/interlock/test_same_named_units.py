"""Units of the same name (every subsidiary has a 生产部) are told apart on the dashboards: the collaboration
heatmap, its tables and the ranking name each with its parent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.models import OrgUnit
from collab.tenancy import tenant_scope
from interlock.services.scorecards.cards import scorecard_create, scorecard_publish
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory


@pytest.fixture
def twins(tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_b):  # the other tenant has a 生产部 too: it must not count as a repeat
        OrgUnitFactory(name="生产部")
    with tenant_scope(tenant_a):
        period = PeriodFactory()
        group = OrgUnitFactory(name="集团", kind=OrgUnit.Kind.GROUP)
        north = OrgUnitFactory(name="晋北煤业", parent=group)
        south = OrgUnitFactory(name="赣南矿业", parent=group)
        units = [OrgUnitFactory(name="生产部", parent=north), OrgUnitFactory(name="生产部", parent=south)]
        single = OrgUnitFactory(name="财务部", parent=north)
        kpi = KPIFactory(is_collaborative=True, owner_unit=group)
        MeasurementFactory(kpi=kpi, period=period, target=Decimal(100), actual=Decimal(90))
        for unit in (*units, single):
            lines = [{"kpi": kpi, "weight": Decimal(100), "role": "shared"}]
            card = scorecard_create(actor=hr_a, period=period, org_unit=unit, lines=lines)
            scorecard_publish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
        scores_recompute(period=period)
    return period


def _page(client, name, period):
    response = client.get(reverse(name, kwargs={"tenant_slug": "alpha"}), {"period": period.pk})
    assert response.status_code == 200
    return response.content.decode()


def test_collaboration_and_ranking_name_the_parent_of_a_repeated_name(twins, tenant_a, login):
    client = login(make_member(tenant_a, "committee"))
    for name in ("dashboard-collaboration", "dashboard-ranking"):
        body = _page(client, name, twins)
        assert "晋北煤业 › 生产部" in body and "赣南矿业 › 生产部" in body, name
        assert "财务部" in body and "晋北煤业 › 财务部" not in body, name  # a unique name stays short


def test_scorecard_and_score_lists_name_the_parent_of_a_repeated_name(
    twins, tenant_a, hr_a, login, api_client_for
):
    client = login(hr_a)
    for name in ("scorecard-list", "score-list"):
        body = _page(client, name, twins)
        assert "晋北煤业 › 生产部" in body and "赣南矿业 › 生产部" in body, name
    api = api_client_for(hr_a).get(
        reverse("api-score-list", kwargs={"tenant_slug": "alpha"}), {"period": twins.pk}
    )
    assert {"晋北煤业 › 生产部", "赣南矿业 › 生产部", "财务部"} <= {
        row["subject_name"] for row in api.json()["results"]
    }
    searched = _page(client, "scorecard-list", twins).count("data-scorecard=")
    assert searched == 3
    found = client.get(
        reverse("scorecard-list", kwargs={"tenant_slug": "alpha"}), {"period": twins.pk, "q": "赣南"}
    )
    assert found.content.decode().count("data-scorecard=") == 1  # the parent's name finds its 生产部


def test_repeated_names_are_asked_only_for_the_units_shown(twins, tenant_a, django_assert_num_queries):
    from collab.selectors.org import holder_unit_names, repeated_unit_names
    from interlock.models import ScoreSnapshot

    with tenant_scope(tenant_a):
        snapshots = list(ScoreSnapshot.objects.select_related("org_unit", "position__org_unit"))
        assert holder_unit_names(snapshots) == {"生产部", "财务部"}
        with django_assert_num_queries(1):
            assert repeated_unit_names(["生产部", "财务部"]) == {"生产部"}
        assert repeated_unit_names(["财务部"]) == frozenset()
        with django_assert_num_queries(0):
            assert repeated_unit_names([]) == frozenset()
        assert repeated_unit_names() == {"生产部"}
