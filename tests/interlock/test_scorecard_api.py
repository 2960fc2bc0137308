"""Scorecards API: create with lines, update (ρ and lines at once), publish/unpublish with warnings, 409 on
stale saves, field errors for bad input, other tenants' ids and foreign keys read as missing, constant list
query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.models import Role
from collab.tenancy import tenant_scope
from interlock.models import Scorecard, ScorecardLine
from interlock.services.scorecards.cards import scorecard_create
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables
from tests.factories.org import OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/scorecards/"


@pytest.fixture
def seed(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = build_seed_tables()
    with tenant_scope(tenant_a):
        world = build_seed_tables()
    world.other = other
    return world


@pytest.fixture
def api(hr_a, api_client_for):
    return api_client_for(hr_a)


def results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def test_list_and_detail(seed, tenant_a, api_client_for):
    reader = api_client_for(make_member(tenant_a, Role.COMMITTEE, username="c"))
    rows = results(reader.get(BASE, {"period": seed.period.pk, "status": "published", "kind": "unit"}))
    assert len(rows) == 3
    sales = next(r for r in rows if r["org_unit"] == seed.units["sales"].pk)
    assert Decimal(sales["weight_total"]) == 100 and Decimal(sales["collaborative_share"]) == 40
    assert [line["kpi_code"] for line in sales["lines"]] == ["CUST-RET", "AR-DSO", "KA-RENEW", "SALES-REV"]
    assert reader.get(BASE, {"status": "nope"}).status_code == 400
    assert reader.get(BASE, {"period": "x"}).status_code == 400
    assert reader.post(BASE, {}, format="json").status_code == 403
    employee = api_client_for(make_member(tenant_a, Role.EMPLOYEE, username="e"))
    assert employee.get(BASE).status_code == 403


def test_list_query_count_is_constant(seed, tenant_a, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert api.get(BASE).status_code == 200
    with tenant_scope(tenant_a):
        for _ in range(10):
            scorecard_create(actor=None, period=seed.period, org_unit=OrgUnitFactory(), lines=[
                {"kpi": seed.kpis["retention"], "role": "own", "weight": "100"}])  # fmt: skip
    with django_assert_max_num_queries(8):
        assert api.get(BASE).status_code == 200


def test_create_update_publish_unpublish(seed, tenant_a, api):
    with tenant_scope(tenant_a):
        position = PositionFactory(org_unit=seed.units["delivery"])
    body = {"period": seed.period.pk, "position": position.pk, "review_weight": "0.1", "lines": [
        {"kpi": seed.kpis["milestone_on_time"].pk, "role": "own", "weight": "90"},
        {"kpi": seed.kpis["renewal"].pk, "role": "shared", "weight": "10"},
        {"kpi": seed.kpis["retention"].pk, "role": "reference", "threshold": "80"},
    ]}  # fmt: skip
    created = api.post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    card = created.json()
    assert card["status"] == "draft" and card["subject"] == f"position:{position.pk}"
    published = api.post(
        f"{BASE}{card['id']}/publish/", {"lock_version": card["lock_version"]}, format="json"
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["warnings"] == ["The collaborative share is 10 %, under the minimum of 20 %."]
    lines = [
        {"kpi": seed.kpis["milestone_on_time"].pk, "role": "own", "weight": "70"},
        {"kpi": seed.kpis["renewal"].pk, "role": "shared", "weight": "30"},
    ]
    updated = api.put(
        f"{BASE}{card['id']}/",
        {"lock_version": published.json()["lock_version"], "review_weight": "0.2", "lines": lines},
        format="json",
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["review_weight"] == "0.200" and updated.json()["warnings"] == []
    assert Decimal(updated.json()["collaborative_share"]) == 30
    # A published scorecard must stay publishable.
    bad = api.patch(
        f"{BASE}{card['id']}/",
        {"lock_version": updated.json()["lock_version"], "lines": lines[:1]},
        format="json",
    )
    assert bad.status_code == 400 and "lines" in bad.json()
    back = api.post(
        f"{BASE}{card['id']}/unpublish/", {"lock_version": updated.json()["lock_version"]}, format="json"
    )
    assert back.status_code == 200 and back.json()["status"] == "draft"


def test_publish_refused_until_weights_add_up(seed, tenant_a, api):
    with tenant_scope(tenant_a):
        card = scorecard_create(
            actor=None, period=seed.period, org_unit=seed.units["finance"],
            lines=[{"kpi": seed.kpis["dso"], "role": "own", "weight": "60"}],
        )  # fmt: skip
    response = api.post(f"{BASE}{card.pk}/publish/", {"lock_version": card.lock_version}, format="json")
    assert response.status_code == 400
    assert response.json()["lines"] == [
        "Own and shared weights must add up to exactly 100 %; they add up to 60 %."
    ]


def test_stale_save_is_409_and_nothing_written(seed, tenant_a, api, api_client_for):
    card = seed.scorecards["service"]
    colleague = api_client_for(
        make_member(tenant_a, Role.HR_ADMIN, username="wu", first_name="Wu", last_name="Yi")
    )
    seen = card.lock_version
    first = colleague.patch(
        f"{BASE}{card.pk}/", {"lock_version": seen, "review_weight": "0.3"}, format="json"
    )
    assert first.status_code == 200
    stale = api.patch(f"{BASE}{card.pk}/", {"lock_version": seen, "review_weight": "0.5"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["changed_by"] == "Wu Yi" and stale.json()["lock_version"] == seen + 1
    assert api.post(f"{BASE}{card.pk}/publish/", {"lock_version": seen}, format="json").status_code == 409
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.review_weight == Decimal("0.300")


def test_bad_input_is_field_errors(seed, tenant_a, api):
    period, unit = seed.period.pk, seed.units["finance"].pk
    cases = [
        ({"period": "x", "org_unit": unit}, "period"),
        ({"period": period, "org_unit": unit, "review_weight": "2"}, "review_weight"),
        ({"period": period, "org_unit": str(unit)}, "org_unit"),  # ids are JSON integers
        ({"period": period}, "org_unit"),
        ({"period": period, "org_unit": unit, "lines": {"kpi": 1}}, "lines"),
        ({"period": period, "org_unit": unit, "lines": [{"kpi": "1\x00", "role": "own", "weight": "1"}]},
         "lines-0-kpi"),
        ({"period": period, "org_unit": unit,
          "lines": [{"kpi": seed.kpis["dso"].pk, "role": "x", "weight": "y"}]},
         "lines-0-role"),
        ({"period": period, "org_unit": unit, "lines": [{"kpi": seed.kpis["dso"].pk, "role": "reference",
                                                         "weight": "0"}]}, "lines-0-threshold"),
        ({"period": period, "org_unit": seed.units["sales"].pk}, "org_unit"),  # already has one
    ]  # fmt: skip
    for body, key in cases:
        response = api.post(BASE, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert key in response.json(), (key, response.json())
    card = seed.scorecards["service"]
    bad = api.patch(f"{BASE}{card.pk}/", {"lock_version": "x"}, format="json")
    assert bad.status_code == 400 and "lock_version" in bad.json()
    assert api.post(f"{BASE}{card.pk}/publish/", [1], format="json").status_code == 400
    with tenant_scope(tenant_a):
        assert not Scorecard.objects.filter(org_unit=seed.units["finance"]).exists()


def test_other_tenants_ids_and_foreign_keys_read_as_missing(seed, tenant_a, tenant_b, api):
    theirs = seed.other.scorecards["sales"]
    assert api.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert (
        api.patch(f"{BASE}{theirs.pk}/", {"lock_version": theirs.lock_version}, format="json").status_code
        == 404
    )
    for action in ("publish", "unpublish"):
        response = api.post(
            f"{BASE}{theirs.pk}/{action}/", {"lock_version": theirs.lock_version}, format="json"
        )
        assert response.status_code == 404
    body = {"period": seed.period.pk, "org_unit": seed.other.units["finance"].pk}
    response = api.post(BASE, body, format="json")
    assert response.status_code == 404 and "org_unit" in response.json()
    body = {"period": seed.other.period.pk, "org_unit": seed.units["finance"].pk}
    response = api.post(BASE, body, format="json")
    assert response.status_code == 404 and "period" in response.json()
    card = seed.scorecards["service"]
    lines = [{"kpi": seed.other.kpis["retention"].pk, "role": "own", "weight": "100"}]
    response = api.put(
        f"{BASE}{card.pk}/", {"lock_version": card.lock_version, "lines": lines}, format="json"
    )
    assert response.status_code == 404 and "lines-0-kpi" in response.json()
    with tenant_scope(tenant_b):
        theirs.refresh_from_db()
        assert theirs.is_published and ScorecardLine.objects.filter(scorecard=theirs).count() == 4
    with tenant_scope(tenant_a):
        assert ScorecardLine.objects.filter(scorecard=card).count() == 2
