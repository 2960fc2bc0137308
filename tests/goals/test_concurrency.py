"""Optimistic concurrency of KPIs, objectives, goals and measurements, pages and API alike.

A change states the `lock_version` it was based on: a stale one is refused naming who saved last and when
(409 in the API, a form error on the page), a missing one is refused too (400 in the API), and a save that
changes nothing keeps the version. Tenant B's twin objects are in the room and never change.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.concurrency import StaleEditError
from collab.tenancy import tenant_scope
from goals.models import KPI, Goal, Measurement, Objective
from goals.services.kpis import kpi_update
from goals.services.measurements.writes import measurement_upsert
from goals.services.objectives import objective_update
from goals.services.tree.nodes import goal_update
from tests.factories import make_member
from tests.factories.goals import GoalFactory, KPIFactory, MeasurementFactory, ObjectiveFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/t/alpha"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _world():
    unit = OrgUnitFactory(code="FIN", name="Finance")
    period = PeriodFactory(kind="year", year=2030, quarter=None, month=None, status="active")
    kpi = KPIFactory(code="REV", name="Revenue", owner_unit=unit)
    return {
        "kpi": kpi,
        "objective": ObjectiveFactory(period=period, name="Grow", description=""),
        "goal": GoalFactory(period=period, org_unit=unit, kpi=kpi, weight=Decimal("100")),
        "measurement": MeasurementFactory(kpi=kpi, period=period, target=Decimal(90), actual=Decimal(81)),
    }


def _flag(value: bool) -> str:
    return "on" if value else ""


def _kpi_form(kpi: KPI) -> dict:
    return {
        "code": kpi.code, "name": kpi.name, "description": kpi.description, "unit": kpi.unit,
        "direction": kpi.direction, "perspective": kpi.perspective, "owner_unit": kpi.owner_unit_id,
        "is_collaborative": _flag(kpi.is_collaborative), "cap": str(kpi.cap), "frequency": kpi.frequency,
        "aggregation": kpi.aggregation, "data_source": kpi.data_source, "process_tag": kpi.process_tag,
        "objective": kpi.objective_id or "", "is_active": _flag(kpi.is_active),
    }


def _objective_form(objective: Objective) -> dict:
    return {
        "period": objective.period_id, "perspective": objective.perspective, "name": objective.name,
        "description": objective.description, "owner_unit": objective.owner_unit_id or "",
        "order": objective.order,
    }


def _goal_form(goal: Goal) -> dict:
    return {"org_unit": goal.org_unit_id, "position": "", "kpi": goal.kpi_id, "weight": str(goal.weight)}


def _measurement_form(m: Measurement) -> dict:
    return {"target": format(m.target, "f"), "actual": format(m.actual, "f"), "note": m.note}


# name → (model, API path, page URL, API change, page form of the current values, service edit)
NOUNS = {
    "kpi": (
        KPI, "kpis", lambda o: reverse("kpi-edit", args=["alpha", o.pk]), {"name": "Turnover"}, _kpi_form,
        lambda o, actor: kpi_update(actor=actor, kpi=o, data={"name": "Li's"}, lock_version=o.lock_version),
    ),
    "objective": (
        Objective, "objectives", lambda o: reverse("objective-edit", args=["alpha", o.pk]),
        {"name": "Grow more"}, _objective_form,
        lambda o, actor: objective_update(
            actor=actor, objective=o, data={"name": "Li's"}, lock_version=o.lock_version
        ),
    ),
    "goal": (
        Goal, "goals", lambda o: reverse("goal-edit", args=["alpha", o.pk]), {"weight": "50"}, _goal_form,
        lambda o, actor: goal_update(actor=actor, goal=o, weight=55, lock_version=o.lock_version),
    ),
    "measurement": (
        Measurement, "measurements",
        lambda o: reverse("measurement-row", args=["alpha", o.period_id, o.kpi_id]), {"actual": "75"},
        _measurement_form,
        lambda o, actor: measurement_upsert(
            actor=actor, kpi=o.kpi, period=o.period, actual=70, lock_version=o.lock_version
        ),
    ),
}


@pytest.fixture
def other_editor(tenant_a):
    return make_member(tenant_a, "hr_admin", username="li", first_name="Wei", last_name="Li")


@pytest.fixture(params=sorted(NOUNS))
def noun(request, tenant_a, tenant_b):
    model, api_path, page, change, form, edit = NOUNS[request.param]
    with tenant_scope(tenant_b):
        twin = _world()[request.param]
    with tenant_scope(tenant_a):
        obj = _world()[request.param]
    yield {
        "name": request.param, "model": model, "obj": obj, "api": f"{API}/{api_path}/{obj.pk}/",
        "page": page(obj), "change": change, "form": form, "edit": edit,
        "twin_api": f"{API}/{api_path}/{twin.pk}/",
    }
    with tenant_scope(tenant_b):  # the other tenant's row never moves
        assert model.objects.get(pk=twin.pk).lock_version == 1


def _fresh(tenant, noun):
    with tenant_scope(tenant):
        return noun["model"].objects.select_related("updated_by").get(pk=noun["obj"].pk)


def _edit_by(tenant, noun, actor):
    with tenant_scope(tenant):
        noun["edit"](noun["model"].objects.get(pk=noun["obj"].pk), actor)


class TestAPI:
    def test_stale_change_is_a_409_naming_who_saved_last_and_when(
        self, noun, tenant_a, hr_a, other_editor, api_client_for
    ):
        api = api_client_for(hr_a)
        shown = api.get(noun["api"]).json()
        assert shown["lock_version"] == 1 and "updated_at" in shown
        _edit_by(tenant_a, noun, other_editor)
        response = api.patch(noun["api"], {**noun["change"], "lock_version": 1}, format="json")
        assert response.status_code == 409
        body = response.json()
        assert set(body) == {"detail", "changed_by", "changed_at", "lock_version"}
        assert body["changed_by"] == "Wei Li" and body["lock_version"] == 2 and body["changed_at"]
        assert f"Wei Li changed this {noun['model']._meta.verbose_name}" in body["detail"]
        fresh = _fresh(tenant_a, noun)
        assert fresh.lock_version == 2 and fresh.updated_by == other_editor

    def test_missing_lock_version_is_a_400(self, noun, tenant_a, hr_a, api_client_for):
        response = api_client_for(hr_a).patch(noun["api"], noun["change"], format="json")
        assert response.status_code == 400
        assert response.json() == {"lock_version": ["This field is required."]}
        assert _fresh(tenant_a, noun).lock_version == 1

    def test_a_change_bumps_it_and_a_no_op_does_not(self, noun, tenant_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        changed = api.patch(noun["api"], {**noun["change"], "lock_version": 1}, format="json")
        assert changed.status_code == 200 and changed.json()["lock_version"] == 2
        same = api.patch(noun["api"], {**noun["change"], "lock_version": 2}, format="json")
        assert same.status_code == 200 and same.json()["lock_version"] == 2
        assert _fresh(tenant_a, noun).updated_by == hr_a

    def test_the_other_tenants_twin_is_missing(self, noun, hr_a, api_client_for):
        body = {**noun["change"], "lock_version": 1}
        response = api_client_for(hr_a).patch(noun["twin_api"], body, format="json")
        assert response.status_code == 404


class TestPages:
    def test_stale_save_is_a_form_error_naming_who_saved(self, noun, tenant_a, hr_a, other_editor, login):
        client = login(hr_a)
        shown = client.get(noun["page"], **HTMX).content.decode()
        assert 'name="lock_version"' in shown and 'value="1"' in shown
        _edit_by(tenant_a, noun, other_editor)
        data = {**noun["form"](noun["obj"]), "lock_version": "1"}
        response = client.post(noun["page"], data, **HTMX)
        assert f"Wei Li changed this {noun['model']._meta.verbose_name}" in response.content.decode()
        assert _fresh(tenant_a, noun).lock_version == 2

    def test_missing_lock_version_is_refused(self, noun, tenant_a, hr_a, login):
        changed = {**noun["form"](noun["obj"]), **noun["change"]}
        response = login(hr_a).post(noun["page"], changed, **HTMX)
        assert "changed this" in response.content.decode()
        assert _fresh(tenant_a, noun).lock_version == 1

    def test_saving_the_same_values_keeps_the_version(self, noun, tenant_a, hr_a, login):
        client = login(hr_a)
        same = client.post(noun["page"], {**noun["form"](noun["obj"]), "lock_version": "1"}, **HTMX)
        assert "changed this" not in same.content.decode()
        assert _fresh(tenant_a, noun).lock_version == 1
        changed = {**noun["form"](noun["obj"]), **noun["change"], "lock_version": "1"}
        client.post(noun["page"], changed, **HTMX)
        fresh = _fresh(tenant_a, noun)
        assert fresh.lock_version == 2 and fresh.updated_by == hr_a


def test_creating_a_measurement_needs_no_lock_version(tenant_a, hr_a, api_client_for):
    with tenant_scope(tenant_a):
        kpi = KPIFactory()
        period = PeriodFactory(status="active")
    body = {"kpi": kpi.pk, "period": period.pk, "target": "10"}
    created = api_client_for(hr_a).post(f"{API}/measurements/", body, format="json")
    assert created.status_code == 201 and created.json()["lock_version"] == 1


def test_two_editors_of_an_empty_measurement_row(tenant_a, hr_a, other_editor):
    """Both open the grid with no measurement yet: the second "create" finds the first one's, refused."""
    with tenant_scope(tenant_a):
        kpi, period = KPIFactory(), PeriodFactory(status="active")
        measurement_upsert(actor=other_editor, kpi=kpi, period=period, target=10)
        with pytest.raises(StaleEditError, match="Wei Li changed this measurement"):
            measurement_upsert(actor=hr_a, kpi=kpi, period=period, target=12, lock_version=None)
        assert Measurement.objects.get(kpi=kpi, period=period).target == 10
