"""The events API: create (and its idempotent retry), bulk all-or-nothing with per-row errors, idempotent by
external id, the reader's scope, completing with lock_version (409 stale), measures, constant list queries,
other tenants' ids a 404."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from feedback.models import CollaborationEvent
from tests.factories import make_member
from tests.factories.feedback_events import EventFactory, event_row
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/events/"


@pytest.fixture
def api(hr_a, api_client_for):
    return api_client_for(hr_a)


@pytest.fixture
def units(scope_a):
    root = OrgUnitFactory(name="Root")
    return {
        "root": root,
        "sales": OrgUnitFactory(name="Sales", parent=root),
        "rd": OrgUnitFactory(name="R&D", parent=root),
        "hr": OrgUnitFactory(name="HR", parent=root),
    }


@pytest.fixture
def theirs(tenant_b):
    with tenant_scope(tenant_b):
        return EventFactory(title="Bravo only")


def count(tenant) -> int:
    with tenant_scope(tenant):
        return CollaborationEvent.objects.count()


def test_create_retrieve_and_retry(api, units, tenant_a):
    body = event_row(units["sales"], units["rd"], external_id="crm-1", due_at="2026-03-05T09:00:00+00:00")
    created = api.post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["source"] == "api" and data["to_unit_name"] == "R&D" and data["lock_version"] == 1
    again = api.post(BASE, body, format="json")
    assert again.status_code == 200 and again.json() == data
    assert count(tenant_a) == 1
    detail = api.get(f"{BASE}{data['id']}/")
    assert detail.status_code == 200 and detail.json()["title"] == body["title"]
    clash = api.post(BASE, {**body, "title": "Something else"}, format="json")
    assert clash.status_code == 400 and "external_id" in clash.json()


def test_create_field_errors(api, units, tenant_a):
    same = api.post(BASE, event_row(units["sales"], units["sales"]), format="json")
    assert same.status_code == 400 and "to_unit" in same.json()
    early = api.post(
        BASE, event_row(units["sales"], units["rd"], due_at="2026-03-01T09:00:00+00:00"), format="json"
    )
    assert early.status_code == 400 and "due_at" in early.json()
    read_only = api.post(BASE, {**event_row(units["sales"], units["rd"]), "source": "import"}, format="json")
    assert read_only.status_code == 400 and "source" in read_only.json()
    bad_kind = api.post(BASE, event_row(units["sales"], units["rd"], kind="gossip"), format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    not_meeting = api.post(BASE, event_row(units["sales"], units["rd"], attended=True), format="json")
    assert not_meeting.status_code == 400 and "attended" in not_meeting.json()
    assert count(tenant_a) == 0


def test_other_tenants_ids_are_404(api, units, theirs, tenant_b):
    assert api.get(f"{BASE}{theirs.pk}/").status_code == 404
    foreign_unit = api.post(
        BASE, {**event_row(units["sales"], units["rd"]), "to_unit": theirs.to_unit_id}, format="json"
    )
    assert foreign_unit.status_code == 404 and "to_unit" in foreign_unit.json()
    assert (
        api.post(
            f"{BASE}{theirs.pk}/complete/",
            {"lock_version": 1, "done_at": "2026-03-04T09:00:00Z"},
            format="json",
        ).status_code
        == 404
    )
    assert [e["title"] for e in api.get(BASE).json()["results"]] == []
    assert count(tenant_b) == 1


def test_bulk_all_or_nothing_with_row_errors(api, units, tenant_a):
    rows = [event_row(units["sales"], units["rd"], external_id=f"x-{i}") for i in range(4)]
    rows[1]["to_unit"] = units["sales"].pk
    rows[3]["occurred_at"] = "yesterday"
    rows[2]["to_unit"] = 10**12
    answer = api.post(f"{BASE}bulk/", rows, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert set(body["rows"]) == {"1", "2", "3"}
    assert (
        "to_unit" in body["rows"]["1"]
        and "to_unit" in body["rows"]["2"]
        and "occurred_at" in body["rows"]["3"]
    )
    assert count(tenant_a) == 0


def test_bulk_idempotent_by_external_id(api, units, tenant_a):
    rows = [
        event_row(units["sales"], units["rd"], external_id=f"crm-{i}", title=f"Ask {i}") for i in range(5)
    ]
    first = api.post(f"{BASE}bulk/", rows, format="json")
    assert first.status_code == 200, first.json()
    retry = api.post(f"{BASE}bulk/", rows, format="json")
    assert retry.status_code == 200 and retry.json() == first.json()
    assert count(tenant_a) == 5
    more = api.post(
        f"{BASE}bulk/", [*rows, event_row(units["rd"], units["hr"], external_id="crm-9")], format="json"
    )
    assert more.json()["ids"][:5] == first.json()["ids"] and count(tenant_a) == 6
    duplicate = api.post(f"{BASE}bulk/", [rows[0], rows[0]], format="json")
    assert duplicate.status_code == 400 and "external_id" in duplicate.json()["rows"]["1"]


def test_bulk_refuses_non_lists_and_too_many(api, units):
    assert api.post(f"{BASE}bulk/", {"kind": "request"}, format="json").status_code == 400
    assert api.post(f"{BASE}bulk/", [], format="json").status_code == 400
    too_many = [event_row(units["sales"], units["rd"])] * 5001
    assert api.post(f"{BASE}bulk/", too_many, format="json").status_code == 400
    assert api.post(f"{BASE}bulk/", [None, 3], format="json").status_code == 400


def test_complete_with_lock_version(api, units):
    event = api.post(BASE, event_row(units["sales"], units["rd"]), format="json").json()
    url = f"{BASE}{event['id']}/complete/"
    missing = api.post(url, {"done_at": "2026-03-03T09:00:00Z"}, format="json")
    assert missing.status_code == 400 and "lock_version" in missing.json()
    done = api.post(url, {"lock_version": 1, "done_at": "2026-03-03T09:00:00Z"}, format="json")
    assert done.status_code == 200 and done.json()["lock_version"] == 2
    stale = api.post(url, {"lock_version": 1, "done_at": "2026-03-03T10:00:00Z"}, format="json")
    assert stale.status_code == 409
    twice = api.post(url, {"lock_version": 2, "done_at": "2026-03-03T10:00:00Z"}, format="json")
    assert twice.status_code == 400 and "done_at" in twice.json()


def test_reader_scope_and_roles(tenant_a, units, api_client_for):
    employee_user = make_member(tenant_a, "employee", username="emp_a")
    manager_user = make_member(tenant_a, "manager", username="mgr_a")
    with tenant_scope(tenant_a):
        me = EmployeeFactory(org_unit=units["hr"], user=employee_user)
        EmployeeFactory(org_unit=units["root"], user=manager_user)
        mine = EventFactory(from_unit=units["sales"], to_unit=units["rd"], to_employee=me, title="Names me")
        unit = EventFactory(from_unit=units["hr"], to_unit=units["rd"], title="Names my unit")
        EventFactory(from_unit=units["sales"], to_unit=units["rd"], title="Not mine")
    employee = api_client_for(employee_user)
    assert {e["title"] for e in employee.get(BASE).json()["results"]} == {"Names me", "Names my unit"}
    assert (
        employee.get(f"{BASE}{mine.pk}/").status_code == 200
        and employee.get(f"{BASE}{unit.pk}/").status_code == 200
    )
    # an employee records only what comes from them, from their own unit
    not_me = employee.post(BASE, event_row(units["hr"], units["rd"]), format="json")
    assert not_me.status_code == 400 and "from_employee" in not_me.json()
    other_unit = employee.post(
        BASE, event_row(units["sales"], units["rd"], from_employee=me.pk), format="json"
    )
    assert other_unit.status_code == 400 and "from_unit" in other_unit.json()
    own = employee.post(BASE, event_row(units["hr"], units["rd"], from_employee=me.pk), format="json")
    assert own.status_code == 201
    done = {"lock_version": 1, "done_at": "2026-03-03T09:00:00Z"}
    # their unit's event, but it does not name them: not theirs to complete
    assert employee.post(f"{BASE}{unit.pk}/complete/", done, format="json").status_code == 403
    manager = api_client_for(manager_user)
    assert len(manager.get(BASE).json()["results"]) == 4  # the root's subtree holds every unit
    assert (
        manager.post(f"{BASE}bulk/", [event_row(units["hr"], units["rd"])], format="json").status_code == 403
    )
    assert manager.post(BASE, event_row(units["hr"], units["rd"]), format="json").status_code == 201


def test_manager_records_only_their_units(tenant_a, units, api_client_for):
    manager_user = make_member(tenant_a, "manager", username="mgr_b")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=units["hr"], user=manager_user)
    manager = api_client_for(manager_user)
    refused = manager.post(BASE, event_row(units["sales"], units["rd"]), format="json")
    assert refused.status_code == 400 and "from_unit" in refused.json()
    assert manager.post(BASE, event_row(units["sales"], units["hr"]), format="json").status_code == 201


def test_list_filters_and_constant_queries(api, units, tenant_a, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        for index in range(60):
            EventFactory(
                from_unit=units["sales"],
                to_unit=units["rd"] if index % 2 else units["hr"],
                kind="meeting" if index % 3 == 0 else "request",
            )
    with django_assert_max_num_queries(8):
        first = api.get(BASE)
    assert first.status_code == 200 and first.json()["next"]
    with django_assert_max_num_queries(8):
        second = api.get(first.json()["next"])
    assert second.status_code == 200
    filtered = api.get(BASE, {"unit": units["hr"].pk, "kind": "meeting"}).json()["results"]
    assert filtered and all(e["to_unit"] == units["hr"].pk and e["kind"] == "meeting" for e in filtered)
    assert api.get(BASE, {"unit": "abc"}).status_code == 400
    assert api.get(BASE, {"date_from": "2026-03-05", "date_to": "2026-03-01"}).status_code == 400


def test_measures_endpoint(api, units, tenant_a):
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind="month", year=2026, month=3)
    request = api.post(BASE, event_row(units["sales"], units["rd"]), format="json").json()
    response = event_row(
        units["rd"],
        units["sales"],
        kind="response",
        answers=request["id"],
        title="Here",
        occurred_at="2026-03-02T13:00:00+00:00",
    )
    assert api.post(BASE, response, format="json").status_code == 201
    rows = api.get(f"{BASE}measures/", {"period": period.pk}).json()
    assert [(r["unit_name"], r["requests"], r["median_response_hours"]) for r in rows] == [("R&D", 1, 4.0)]
    assert api.get(f"{BASE}measures/").status_code == 400
    assert api.get(f"{BASE}measures/", {"period": "x"}).status_code == 400
