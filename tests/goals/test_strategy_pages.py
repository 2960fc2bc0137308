"""Strategy map pages: roles, period choice, constant queries, objectives and links, cycles, tenant walls."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from goals.models import Objective, ObjectiveLink, Perspective
from tests.factories import make_member
from tests.factories.goals import (
    KPIFactory,
    ObjectiveFactory,
    ObjectiveLinkFactory,
    OrgUnitFactory,
    PeriodFactory,
)

pytestmark = pytest.mark.django_db


def url(name, tenant_slug="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        period = PeriodFactory(year=2025, status=Period.Status.ACTIVE)
        closed = PeriodFactory(year=2023, status=Period.Status.CLOSED)
        skills = ObjectiveFactory(period=period, name="Skills", perspective=Perspective.LEARNING_GROWTH)
        quality = ObjectiveFactory(period=period, name="Quality", perspective=Perspective.INTERNAL_PROCESS)
        loyalty = ObjectiveFactory(period=period, name="Loyalty", perspective=Perspective.CUSTOMER)
        margin = ObjectiveFactory(period=period, name="Margin", perspective=Perspective.FINANCIAL)
        ObjectiveLinkFactory(cause=skills, effect=quality)
        ObjectiveLinkFactory(cause=quality, effect=loyalty)
        KPIFactory(code="RET", objective=loyalty, is_collaborative=True)
        old = ObjectiveFactory(period=closed, name="Old objective")
    with tenant_scope(tenant_b):
        b_period = PeriodFactory(year=2025)
        b_objective = ObjectiveFactory(period=b_period, name="Bravo secret objective")
        b_link = ObjectiveLinkFactory(cause=b_objective, effect=ObjectiveFactory(period=b_period))
    return {
        "period": period,
        "closed": closed,
        "skills": skills,
        "quality": quality,
        "loyalty": loyalty,
        "margin": margin,
        "old": old,
        "b_period": b_period,
        "b_objective": b_objective,
        "b_link": b_link,
    }


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_every_member_sees_the_map(login, tenant_a, world, role):
    client = login(make_member(tenant_a, role, username=f"m-{role}"))
    response = client.get(url("strategy-map"), {"period": world["period"].pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Loyalty" in content and "Bravo secret objective" not in content
    assert ('id="objective-new"' in content) == (role == "hr_admin")
    assert ('id="link-form"' in content) == (role == "hr_admin")


def test_map_defaults_to_the_active_year_and_draws_four_bands(login, hr_a, world):
    response = login(hr_a).get(url("strategy-map"))
    assert response.context["period"] == world["period"]
    strategy_map = response.context["map"]
    assert [band.perspective for band in strategy_map.bands] == [
        "financial",
        "customer",
        "internal_process",
        "learning_growth",
    ]
    content = response.content.decode()
    raw = content.split('id="strategy-map-data" type="application/json">')[1].split("</script>")[0]
    chart = json.loads(raw)
    assert {node["name"] for node in chart["nodes"]} == {"Skills", "Quality", "Loyalty", "Margin"}
    assert {(link["source"], link["target"]) for link in chart["links"]} == {
        (str(world["skills"].pk), str(world["quality"].pk)),
        (str(world["quality"].pk), str(world["loyalty"].pk)),
    }
    loyalty = next(node for node in chart["nodes"] if node["name"] == "Loyalty")
    assert loyalty["kpis"] == [{"code": "RET", "collaborative": True}]
    # The table view lists the same objectives, with the collaborative badge on the KPI.
    assert 'id="table-pane"' in content and 'data-collaborative="1"' in content
    assert "vendor/echarts/echarts.min.js" in content


def test_map_query_count_does_not_grow(login, hr_a, tenant_a, world, django_assert_max_num_queries):
    client = login(hr_a)
    params = {"period": world["period"].pk}
    client.get(url("strategy-map"), params)
    with django_assert_max_num_queries(20) as counted:
        client.get(url("strategy-map"), params)
    with tenant_scope(tenant_a):
        for index in range(30):
            objective = ObjectiveFactory(period=world["period"], perspective=Perspective.values[index % 4])
            KPIFactory(objective=objective)
            ObjectiveLinkFactory(cause=objective, effect=world["margin"])
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.get(url("strategy-map"), params)
    assert response.context["map"].objective_count == 34


def test_closed_period_map_is_read_only(login, hr_a, world):
    content = login(hr_a).get(url("strategy-map"), {"period": world["closed"].pk}).content.decode()
    assert "Old objective" in content
    assert 'id="objective-new"' not in content and 'id="link-form"' not in content


def test_period_param_of_another_tenant_or_garbage_is_404(login, hr_a, world):
    client = login(hr_a)
    for bad in (world["b_period"].pk, "abc", "9" * 30, "-1", "1\x00"):
        assert client.get(url("strategy-map"), {"period": bad}).status_code == 404
    assert client.get(url("objective-link-create"), {"period": world["b_period"].pk}).status_code == 404


def test_empty_states(login, tenant_a, tenant_b):
    hr = make_member(tenant_a, "hr_admin", username="lonely")
    client = login(hr)
    content = client.get(url("strategy-map")).content.decode()
    assert 'id="map-empty"' in content and "create a period first" in content
    with tenant_scope(tenant_a):
        period = PeriodFactory(year=2030)
    content = client.get(url("strategy-map"), {"period": period.pk}).content.decode()
    assert "This period has no objectives yet." in content


@pytest.mark.parametrize("role", ["manager", "employee", "committee", "auditor"])
def test_only_hr_writes(login, tenant_a, world, role):
    client = login(make_member(tenant_a, role, username=f"w-{role}"))
    objective = world["margin"]
    assert client.get(url("objective-create")).status_code == 403
    assert client.post(url("objective-create"), {"name": "x"}).status_code == 403
    assert client.post(url("objective-edit", pk=objective.pk), {"name": "x"}).status_code == 403
    assert client.post(url("objective-delete", pk=objective.pk)).status_code == 403
    link_url = url("objective-link-create") + f"?period={world['period'].pk}"
    assert client.post(link_url, {"cause": objective.pk, "effect": world["skills"].pk}).status_code == 403
    with tenant_scope(tenant_a):
        link = ObjectiveLink.objects.first()
    assert client.post(url("objective-link-delete", pk=link.pk)).status_code == 403
    with tenant_scope(tenant_a):
        assert Objective.objects.count() == 5 and ObjectiveLink.objects.count() == 2


def test_create_and_edit_objective(login, hr_a, tenant_a, world):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
    page = client.get(url("objective-create"), {"period": world["period"].pk, "perspective": "customer"})
    assert page.context["form"]["perspective"].value() == "customer"
    data = {
        "period": world["period"].pk,
        "perspective": "customer",
        "name": "Grow share",
        "description": "",
        "owner_unit": unit.pk,
        "order": 2,
    }
    response = client.post(url("objective-create"), data)
    assert response.status_code == 302 and f"period={world['period'].pk}" in response["Location"]
    with tenant_scope(tenant_a):
        objective = Objective.objects.get(name="Grow share")
    edit_url = url("objective-edit", pk=objective.pk)
    edit = client.post(edit_url, {**data, "name": "Grow market share", "lock_version": 1})
    assert edit.status_code == 302
    stale = client.post(url("objective-edit", pk=objective.pk), {**data, "name": "Stale", "lock_version": 1})
    assert "hr_a changed this objective" in stale.content.decode()
    with tenant_scope(tenant_a):
        assert Objective.objects.get(pk=objective.pk).name == "Grow market share"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Margin"}, "name"),
        ({"perspective": "happiness"}, "perspective"),
        ({"period": "abc"}, "period"),
        ({"order": "-1"}, "order"),
        ({"owner_unit": "9" * 20}, "owner_unit"),
    ],
)
def test_objective_validation(login, hr_a, tenant_a, world, change, field):
    data = {"period": world["period"].pk, "perspective": "financial", "name": "New one", "order": 0}
    data.update(change)
    response = login(hr_a).post(url("objective-create"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    with tenant_scope(tenant_a):
        assert Objective.objects.count() == 5


def test_objective_in_closed_period_cannot_be_created_or_changed(login, hr_a, tenant_a, world):
    client = login(hr_a)
    data = {"period": world["closed"].pk, "perspective": "financial", "name": "Late", "order": 0}
    assert "period" in client.post(url("objective-create"), data).context["form"].errors
    old = world["old"]
    response = client.post(url("objective-edit", pk=old.pk), {**data, "name": "Renamed", "lock_version": 1})
    assert response.status_code == 200 and "closed" in response.content.decode()
    refused = client.post(url("objective-delete", pk=old.pk), {"lock_version": 1})
    assert "closed" in refused.content.decode()
    with tenant_scope(tenant_a):
        assert Objective.objects.get(pk=old.pk).name == "Old objective"


def test_other_tenants_foreign_keys_in_objective_form(login, hr_a, tenant_a, tenant_b, world):
    with tenant_scope(tenant_b):
        b_unit = OrgUnitFactory()
    client = login(hr_a)
    base = {"period": world["period"].pk, "perspective": "financial", "name": "Sneaky", "order": 0}
    cases = (({"period": world["b_period"].pk}, "period"), ({"owner_unit": b_unit.pk}, "owner_unit"))
    for change, field in cases:
        response = client.post(url("objective-create"), {**base, **change})
        assert field in response.context["form"].errors
    with tenant_scope(tenant_a):
        assert not Objective.objects.filter(name="Sneaky").exists()


def test_add_link_and_refuse_a_cycle_with_a_clear_message(login, hr_a, tenant_a, world):
    client = login(hr_a)
    link_url = url("objective-link-create") + f"?period={world['period'].pk}"
    ok = client.post(link_url, {"cause": world["loyalty"].pk, "effect": world["margin"].pk})
    assert ok.status_code == 302
    cycle = client.post(link_url, {"cause": world["margin"].pk, "effect": world["skills"].pk})
    assert cycle.status_code == 200
    content = cycle.content.decode()
    assert "would close a cycle" in content and "Margin → Skills → Quality → Loyalty → Margin" in content
    self_link = client.post(link_url, {"cause": world["margin"].pk, "effect": world["margin"].pk})
    assert "cannot cause itself" in self_link.content.decode()
    with tenant_scope(tenant_a):
        assert ObjectiveLink.objects.count() == 3


def test_link_to_other_period_or_tenant_objective_is_a_form_error(login, hr_a, tenant_a, world):
    client = login(hr_a)
    link_url = url("objective-link-create") + f"?period={world['period'].pk}"
    for effect in (world["old"].pk, world["b_objective"].pk, "x", "9" * 25):
        response = client.post(link_url, {"cause": world["margin"].pk, "effect": effect})
        assert "effect" in response.context["form"].errors
    with tenant_scope(tenant_a):
        assert ObjectiveLink.objects.count() == 2


def test_delete_objective_and_link(login, hr_a, tenant_a, world):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        link = ObjectiveLink.objects.get(cause=world["skills"])
    assert client.get(url("objective-link-delete", pk=link.pk)).status_code == 200
    assert client.post(url("objective-link-delete", pk=link.pk)).status_code == 302
    assert client.post(url("objective-delete", pk=world["margin"].pk), {"lock_version": 1}).status_code == 302
    with tenant_scope(tenant_a):
        assert not ObjectiveLink.objects.filter(pk=link.pk).exists()
        assert not Objective.objects.filter(pk=world["margin"].pk).exists()


def test_other_tenants_objects_are_404(login, hr_a, tenant_b, world):
    client = login(hr_a)
    for name, pk in (
        ("objective-edit", world["b_objective"].pk),
        ("objective-delete", world["b_objective"].pk),
        ("objective-link-delete", world["b_link"].pk),
    ):
        assert client.get(url(name, pk=pk)).status_code == 404
        assert client.post(url(name, pk=pk), {"name": "x"}).status_code == 404
    assert client.get(url("strategy-map", tenant_slug="bravo")).status_code == 404
    with tenant_scope(tenant_b):
        assert Objective.objects.get(pk=world["b_objective"].pk).name == "Bravo secret objective"
        assert ObjectiveLink.objects.filter(pk=world["b_link"].pk).exists()
