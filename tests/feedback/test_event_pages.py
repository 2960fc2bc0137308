"""Event log pages: who reads what (HR and auditors all, managers their units, everyone what names them or
their unit), recording with field errors kept on the form, completing (409 when stale), the measures page,
the import (all or nothing with row numbers), other tenants' ids a 404, constant list queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collab.models import Employee
from collab.tenancy import tenant_scope
from feedback.models import CollaborationEvent
from tests.factories import make_member
from tests.factories.feedback_events import EventFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


def url(name, tenant_slug="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        root = OrgUnitFactory(name="Group", code="G")
        sales = OrgUnitFactory(name="Sales", code="S", parent=root)
        rd = OrgUnitFactory(name="Research", code="R", parent=root)
        hr = OrgUnitFactory(name="People", code="H", parent=root)
        EmployeeFactory(employee_no="E1", org_unit=sales)
        events = {
            "sales_rd": EventFactory(from_unit=sales, to_unit=rd, title="Sales asks Research"),
            "hr_rd": EventFactory(from_unit=hr, to_unit=rd, title="People asks Research"),
        }
    with tenant_scope(tenant_b):
        theirs = EventFactory(title="Bravo secret event")
    return {"root": root, "sales": sales, "rd": rd, "hr": hr, "events": events, "theirs": theirs}


def member(tenant, role, unit, username):
    user = make_member(tenant, role, username=username)
    with tenant_scope(tenant):
        EmployeeFactory(org_unit=unit, user=user)
    return user


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("hr_admin", {"Sales asks Research", "People asks Research"}),
        ("auditor", {"Sales asks Research", "People asks Research"}),
        ("employee", {"People asks Research"}),
        ("manager", {"People asks Research"}),
    ],
)
def test_who_reads_which_events(login, tenant_a, world, role, seen):
    user = member(tenant_a, role, world["hr"], f"u-{role}")
    content = login(user).get(url("event-list")).content.decode()
    shown = {title for title in ("Sales asks Research", "People asks Research") if title in content}
    assert shown == seen and "Bravo secret" not in content
    hidden = world["events"]["sales_rd"]
    status = login(user).get(url("event-detail", pk=hidden.pk)).status_code
    assert status == (200 if role in ("hr_admin", "auditor") else 404)


def test_detail_of_another_tenant_is_404(login, hr_a, world):
    assert login(hr_a).get(url("event-detail", pk=world["theirs"].pk)).status_code == 404
    post = login(hr_a).post(
        url("event-complete", pk=world["theirs"].pk), {"lock_version": "1", "done_at": "2026-03-05T10:00"}
    )
    assert post.status_code == 404


def test_record_keeps_errors_on_the_form(login, hr_a, world, tenant_a):
    client = login(hr_a)
    data = {
        "kind": "request",
        "title": "Need a quote",
        "from_unit": world["sales"].pk,
        "to_unit": world["sales"].pk,
        "occurred_at": "2026-03-02T09:00",
        "due_at": "2026-03-01T09:00",
        "attended": "unknown",
    }
    refused = client.post(url("event-create"), data)
    assert refused.status_code == 400
    content = refused.content.decode()
    assert (
        "Choose another unit" in content
        and "due time cannot be before" in content
        and "Need a quote" in content
    )
    data.update(to_unit=world["rd"].pk, due_at="2026-03-04T09:00")
    saved = client.post(url("event-create"), data)
    assert saved.status_code == 302
    with tenant_scope(tenant_a):
        event = CollaborationEvent.objects.get(title="Need a quote")
    assert event.source == "app" and event.recorded_by == hr_a


def test_employee_records_as_themselves_and_manager_only_their_units(login, tenant_a, world):
    employee = member(tenant_a, "employee", world["hr"], "emp")
    with tenant_scope(tenant_a):
        me = Employee.objects.get(user=employee)
    form = login(employee).get(url("event-create"))
    assert form.status_code == 200
    assert form.context["form"].initial == {"from_unit": world["hr"].pk, "from_employee": me.pk}
    as_someone_else = {
        "kind": "request", "title": "Asked", "from_unit": world["hr"].pk, "to_unit": world["rd"].pk,
        "occurred_at": "2026-03-02T09:00", "attended": "unknown",
    }  # fmt: skip
    refused = login(employee).post(url("event-create"), as_someone_else)
    assert refused.status_code == 400 and "You record events that come from you." in refused.content.decode()
    recorded = login(employee).post(
        url("event-create"), {**as_someone_else, "from_employee": me.pk}
    )
    assert recorded.status_code == 302
    manager = member(tenant_a, "manager", world["hr"], "mgr")
    data = {
        "kind": "request",
        "title": "Not ours",
        "from_unit": world["sales"].pk,
        "to_unit": world["rd"].pk,
        "occurred_at": "2026-03-02T09:00",
        "attended": "unknown",
    }
    refused = login(manager).post(url("event-create"), data)
    assert refused.status_code == 400 and "only events of your own units" in refused.content.decode()


def test_complete_and_stale(login, hr_a, world):
    event = world["events"]["sales_rd"]
    client = login(hr_a)
    page = client.get(url("event-detail", pk=event.pk)).content.decode()
    assert 'id="event-complete-form"' in page and 'id="event-respond"' in page
    done = client.post(
        url("event-complete", pk=event.pk), {"lock_version": "1", "done_at": "2026-03-05T10:00"}
    )
    assert done.status_code == 302
    stale = client.post(
        url("event-complete", pk=event.pk), {"lock_version": "1", "done_at": "2026-03-05T11:00"}
    )
    assert stale.status_code == 409


def test_respond_prefills_the_form(login, hr_a, world):
    event = world["events"]["sales_rd"]
    content = login(hr_a).get(url("event-create") + f"?answers={event.pk}").content.decode()
    assert "Re: Sales asks Research" in content and f'value="{event.pk}"' in content
    assert login(hr_a).get(url("event-create") + f"?answers={world['theirs'].pk}").status_code == 404


def test_measures_page(login, tenant_a, world, hr_a):
    with tenant_scope(tenant_a):
        PeriodFactory(kind="month", year=2026, month=3)
        EventFactory(kind="meeting", from_unit=world["sales"], to_unit=world["hr"], attended=True)
    content = login(hr_a).get(url("event-measures")).content.decode()
    assert 'id="measures-table"' in content and "Research" in content and "People" in content
    employee = member(tenant_a, "employee", world["sales"], "emp-s")
    mine = login(employee).get(url("event-measures")).content.decode()
    assert "What is recorded about my unit" in mine and "Research" not in mine


def test_list_queries_do_not_grow(login, hr_a, world, tenant_a, django_assert_max_num_queries):
    client = login(hr_a)
    client.get(url("event-list"))
    with django_assert_max_num_queries(20) as few:
        client.get(url("event-list"))
    with tenant_scope(tenant_a):
        for _ in range(30):
            EventFactory(from_unit=world["sales"], to_unit=world["rd"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("event-list"))
    assert response.status_code == 200 and "more follow" in response.content.decode()


CSV = (
    "Kind,Title,From unit,To unit,Occurred at,Due at,Done at,From person,External id\n"
    "request,Quote for client X,S,R,2026-03-02 09:00,2026-03-04 09:00,,E1,imp-1\n"
    "请求,Second,S,R,2026-03-02 10:00,,,,imp-2\n"
    "gossip,Bad,S,NOPE,2026-03-02 10:00,2026-03-01 10:00,,E404,imp-3\n"
)


def upload(client, text, name="events.csv"):
    return client.post(url("event-import"), {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def test_import_all_or_nothing_with_row_numbers(login, hr_a, world, tenant_a):
    client = login(hr_a)
    refused = upload(client, CSV)
    assert refused.status_code == 400
    content = refused.content.decode()
    assert 'id="import-errors"' in content and "<td>4</td>" in content and "NOPE" in content
    with tenant_scope(tenant_a):
        assert not CollaborationEvent.objects.filter(source="import").exists()
    late = CSV.splitlines()[:3] + ["meeting,Late,S,R,2026-03-02 10:00,2026-03-01 10:00,,,imp-4"]
    refused = upload(client, "\n".join(late) + "\n")
    assert refused.status_code == 400 and "due time cannot be before" in refused.content.decode()
    good = "\n".join(CSV.splitlines()[:3]) + "\n"
    checked = upload(client, good)
    assert checked.status_code == 200 and 'id="import-dry-run-ok"' in checked.content.decode()
    confirmed = client.post(url("event-import"), {"confirm": "1"})
    assert confirmed.status_code == 302
    with tenant_scope(tenant_a):
        imported = CollaborationEvent.objects.filter(source="import")
        assert sorted(imported.values_list("external_id", flat=True)) == ["imp-1", "imp-2"]
    upload(client, good)
    client.post(url("event-import"), {"confirm": "1"})
    with tenant_scope(tenant_a):
        assert CollaborationEvent.objects.filter(source="import").count() == 2  # idempotent by external id


def test_import_is_for_hr(login, tenant_a, world):
    manager = member(tenant_a, "manager", world["hr"], "mgr-i")
    assert login(manager).get(url("event-import")).status_code == 403
