"""Optimistic concurrency of the org objects (org unit, position, employee, period), pages and API alike.

A change states the `lock_version` it was based on: a stale one is refused naming who saved last and when
(409 in the API, a form error on the page), a missing one is refused too (400 in the API), and a save that
changes nothing keeps the version. Tenant B's twin objects are in the room and never change.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.concurrency import StaleEditError, lock_for_edit, user_label
from collab.models import Employee, OrgUnit, Period, Position
from collab.services.org.employees import employee_update
from collab.services.org.periods import period_advance, period_update
from collab.services.org.positions import position_update
from collab.services.org.units import org_unit_rename, org_unit_update
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/t/alpha"


def _unit(**kwargs):
    return OrgUnitFactory(code="U1", name="Unit one", **kwargs)


def _position(**kwargs):
    return PositionFactory(code="P1", title="Planner", job_family="ops", level="L3", **kwargs)


def _employee(**kwargs):
    return EmployeeFactory(
        employee_no="E1", name="Zhang San", email="", position=None, manager=None, **kwargs
    )


def _period(**kwargs):
    return PeriodFactory(kind="year", year=2030, quarter=None, month=None, status="planning", **kwargs)


# name → (model, factory, API path, page name, API change, page form for the current values, service edit)
NOUNS = {
    "org_unit": (
        OrgUnit, _unit, "org-units", "org-unit-edit", {"name": "Renamed"},
        lambda o: {"code": o.code, "name": o.name, "kind": o.kind},
        lambda o, actor: org_unit_update(
            actor=actor, unit=o, lock_version=o.lock_version, name="Li's"
        ),
    ),
    "position": (
        Position, _position, "positions", "position-edit", {"title": "Chief planner"},
        lambda o: {
            "code": o.code, "title": o.title, "org_unit": o.org_unit_id, "job_family": o.job_family,
            "level": o.level,
        },
        lambda o, actor: position_update(
            actor=actor, position=o, lock_version=o.lock_version, title="Li's"
        ),
    ),
    "employee": (
        Employee, _employee, "employees", "employee-edit", {"name": "Li Si"},
        lambda o: {
            "employee_no": o.employee_no, "name": o.name, "org_unit": o.org_unit_id, "is_active": "on",
        },
        lambda o, actor: employee_update(
            actor=actor, employee=o, lock_version=o.lock_version, name="Li's"
        ),
    ),
    "period": (
        Period, _period, "periods", "period-edit", {"year": 2031},
        lambda o: {"kind": o.kind, "year": o.year},
        lambda o, actor: period_update(
            actor=actor, period=o, lock_version=o.lock_version, year=2032
        ),
    ),
}


@pytest.fixture
def other_editor(tenant_a):
    return make_member(tenant_a, "hr_admin", username="li", first_name="Wei", last_name="Li")


@pytest.fixture(params=sorted(NOUNS))
def noun(request, tenant_a, tenant_b):
    model, make, api_path, page, change, form, edit = NOUNS[request.param]
    with tenant_scope(tenant_b):
        twin = make()
    with tenant_scope(tenant_a):
        obj = make()
    yield {
        "model": model, "obj": obj, "api": f"{API}/{api_path}/{obj.pk}/", "page": page, "change": change,
        "form": form, "edit": edit, "twin": twin, "twin_api": f"{API}/{api_path}/{twin.pk}/",
    }
    with tenant_scope(tenant_b):  # the other tenant's row never moves
        assert model.objects.get(pk=twin.pk).lock_version == 1


def _fresh(tenant, model, pk):
    with tenant_scope(tenant):
        return model.objects.get(pk=pk)


def _edit_by(tenant, noun, actor):
    with tenant_scope(tenant):
        noun["edit"](noun["model"].objects.get(pk=noun["obj"].pk), actor)


def page_url(name, pk):
    return reverse(name, kwargs={"tenant_slug": "alpha", "pk": pk})


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
        assert "Wei Li changed this" in body["detail"]
        fresh = _fresh(tenant_a, noun["model"], noun["obj"].pk)
        assert fresh.lock_version == 2 and fresh.updated_by == other_editor

    def test_missing_lock_version_is_a_400(self, noun, tenant_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        response = api.patch(noun["api"], noun["change"], format="json")
        assert response.status_code == 400
        assert response.json() == {"lock_version": ["This field is required."]}
        assert _fresh(tenant_a, noun["model"], noun["obj"].pk).lock_version == 1

    def test_a_change_bumps_it_and_a_no_op_does_not(self, noun, tenant_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        changed = api.patch(noun["api"], {**noun["change"], "lock_version": 1}, format="json")
        assert changed.status_code == 200 and changed.json()["lock_version"] == 2
        same = api.patch(noun["api"], {**noun["change"], "lock_version": 2}, format="json")
        assert same.status_code == 200 and same.json()["lock_version"] == 2
        assert _fresh(tenant_a, noun["model"], noun["obj"].pk).updated_by == hr_a

    def test_the_other_tenants_twin_is_missing(self, noun, hr_a, api_client_for):
        api = api_client_for(hr_a)
        response = api.patch(noun["twin_api"], {**noun["change"], "lock_version": 1}, format="json")
        assert response.status_code == 404

    def test_creation_needs_no_lock_version(self, tenant_a, hr_a, api_client_for):
        created = api_client_for(hr_a).post(
            f"{API}/org-units/", {"code": "NEW", "name": "New", "kind": "team"}, format="json"
        )
        assert created.status_code == 201 and created.json()["lock_version"] == 1


class TestPages:
    def test_stale_save_is_a_form_error_naming_who_saved(self, noun, tenant_a, hr_a, other_editor, login):
        client = login(hr_a)
        page = page_url(noun["page"], noun["obj"].pk)
        assert 'name="lock_version" value="1"' in client.get(page).content.decode()
        _edit_by(tenant_a, noun, other_editor)
        data = {**noun["form"](noun["obj"]), "lock_version": "1"}
        response = client.post(page, data)
        assert response.status_code == 409  # like the API
        assert "Wei Li changed this" in response.content.decode()
        assert _fresh(tenant_a, noun["model"], noun["obj"].pk).lock_version == 2

    def test_missing_lock_version_is_refused(self, noun, tenant_a, hr_a, login):
        response = login(hr_a).post(page_url(noun["page"], noun["obj"].pk), noun["form"](noun["obj"]))
        assert response.status_code == 409 and "changed this" in response.content.decode()

    def test_saving_the_same_values_keeps_the_version(self, noun, tenant_a, hr_a, login):
        data = {**noun["form"](noun["obj"]), "lock_version": "1"}
        response = login(hr_a).post(page_url(noun["page"], noun["obj"].pk), data)
        assert response.status_code == 302
        assert _fresh(tenant_a, noun["model"], noun["obj"].pk).lock_version == 1


def test_a_move_states_the_version_too(tenant_a, tenant_b, hr_a, other_editor, login, api_client_for):
    with tenant_scope(tenant_b):
        OrgUnitFactory(code="B")
    with tenant_scope(tenant_a):
        group, unit = OrgUnitFactory(code="G"), OrgUnitFactory(code="U")
        org_unit_rename(actor=other_editor, unit=unit, lock_version=1, name="By Li")
    api = api_client_for(hr_a)
    stale = api.patch(f"{API}/org-units/{unit.pk}/", {"parent": group.pk, "lock_version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["changed_by"] == "Wei Li"
    page = login(hr_a).post(page_url("org-unit-move", unit.pk), {"parent": group.pk, "lock_version": "1"})
    assert page.status_code == 409 and "Wei Li changed this org unit" in page.content.decode()
    moved = api.patch(f"{API}/org-units/{unit.pk}/", {"parent": group.pk, "lock_version": 2}, format="json")
    assert moved.status_code == 200 and moved.json()["lock_version"] == 3 and moved.json()["depth"] == 1
    # Its sub-units' paths change with it, but not their own fields: they keep their version.
    assert _fresh(tenant_a, OrgUnit, group.pk).lock_version == 1


def test_a_period_step_makes_a_new_version(scope_a):
    period = _period()
    advanced = period_advance(actor=None, period=period, to_status="active")
    assert advanced.lock_version == 2


def test_lock_for_edit_refuses_none_and_garbage_like_a_stale_version(scope_a, hr_a):
    unit = _unit()
    for seen in (None, "", "abc", True, 2):
        with pytest.raises(StaleEditError) as error:
            lock_for_edit(OrgUnit, unit, seen)
        assert error.value.current_version == 1 and error.value.changed_by == ""
        assert error.value.as_dict()["detail"].startswith("someone changed this org unit")
    assert lock_for_edit(OrgUnit, unit, "1").pk == unit.pk
    assert user_label(hr_a) == "hr_a" and user_label(None) == ""
