"""Audit log pages: roles, filters, paging, export, before/after diff, nothing writable, other tenants."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from collab.models import AuditEvent
from collab.tenancy import all_tenants, tenant_scope
from tests.factories import make_member
from tests.factories.audit import make_event
from tests.paging import pager_link

pytestmark = pytest.mark.django_db

LIST, EXPORT, DETAIL = "audit-log", "audit-export", "audit-event-detail"


def url(name: str, tenant, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def listed(response) -> set[int]:
    """Ids of the events on a rendered list page."""
    import re

    return {int(pk) for pk in re.findall(r'data-event="(\d+)"', response.content.decode())}


def b_rows(tenant_b) -> list[tuple]:
    with tenant_scope(tenant_b):
        return list(AuditEvent.objects.order_by("pk").values_list())


@pytest.fixture
def auditor_a(tenant_a):
    return make_member(tenant_a, "auditor", username="auditor_a")


@pytest.fixture
def events_a(tenant_a, hr_a):
    """A small log in tenant A: two actors, three actions, two object types, spread over days."""
    base = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
    with tenant_scope(tenant_a):
        return {
            "create_unit": make_event(
                actor=hr_a,
                action="org_unit.create",
                object_type="collab.orgunit",
                object_id=11,
                object_repr="安监部",
                after={"name": "安监部"},
                at=base,
            ),
            "rename_unit": make_event(
                actor=hr_a,
                action="org_unit.update",
                object_type="collab.orgunit",
                object_id=11,
                object_repr="安全监察部",
                before={"name": "安监部", "code": "S1"},
                after={"name": "安全监察部", "code": "S1"},
                at=base + timedelta(days=1),
            ),
            "system_period": make_event(
                actor=None,
                action="period.close",
                object_type="collab.period",
                object_id=7,
                object_repr="2025-02",
                before={"status": "review"},
                after={"status": "closed"},
                at=base + timedelta(days=5),
            ),
        }


@pytest.fixture
def event_b(tenant_b, hr_b):
    with tenant_scope(tenant_b):
        return make_event(
            actor=hr_b,
            action="org_unit.update",
            object_type="collab.orgunit",
            object_id=99,
            object_repr="Bravo secret unit",
            before={"name": "old"},
            after={"name": "new"},
        )


# --- roles -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr_admin", "auditor"])
def test_hr_admins_and_auditors_read_the_log_and_an_event(role, tenant_a, login, events_a):
    client = login(make_member(tenant_a, role, username=f"reader_{role}"))
    assert client.get(url(LIST, tenant_a)).status_code == 200
    assert client.get(url(DETAIL, tenant_a, pk=events_a["rename_unit"].pk)).status_code == 200
    assert client.get(url(EXPORT, tenant_a)).status_code == 200


@pytest.mark.parametrize("role", ["manager", "employee", "committee"])
def test_other_roles_are_refused(role, tenant_a, login, events_a):
    client = login(make_member(tenant_a, role, username=f"other_{role}"))
    assert client.get(url(LIST, tenant_a)).status_code == 403
    assert client.get(url(DETAIL, tenant_a, pk=events_a["rename_unit"].pk)).status_code == 403
    assert client.get(url(EXPORT, tenant_a)).status_code == 403


def test_anonymous_is_sent_to_login(client, tenant_a):
    response = client.get(url(LIST, tenant_a))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- the list: filters, paging, htmx ------------------------------------------------------------------------


def test_the_log_lists_the_tenants_events_newest_first(tenant_a, hr_a, login, events_a):
    response = login(hr_a).get(url(LIST, tenant_a))
    content = response.content.decode()
    assert listed(response) == {event.pk for event in events_a.values()}
    oldest = f'data-event="{events_a["create_unit"].pk}"'
    assert content.index("2025-02") < content.index("安全监察部") < content.index(oldest)
    # Times show in the tenant's zone (Asia/Shanghai, UTC+8).
    assert "2025-03-10 12:00:00" in content


def test_filter_by_actor_action_type_and_object(tenant_a, hr_a, login, events_a):
    client = login(hr_a)
    assert listed(client.get(url(LIST, tenant_a), {"actor": "system"})) == {events_a["system_period"].pk}
    assert listed(client.get(url(LIST, tenant_a), {"actor": "hr_a"})) == {
        events_a["create_unit"].pk,
        events_a["rename_unit"].pk,
    }
    assert listed(client.get(url(LIST, tenant_a), {"action": "org_unit.update"})) == {
        events_a["rename_unit"].pk
    }
    assert listed(client.get(url(LIST, tenant_a), {"object_type": "collab.period"})) == {
        events_a["system_period"].pk
    }
    assert listed(client.get(url(LIST, tenant_a), {"q": "监察"})) == {events_a["rename_unit"].pk}
    assert listed(client.get(url(LIST, tenant_a), {"q": "11"})) == {
        events_a["create_unit"].pk,
        events_a["rename_unit"].pk,
    }
    assert listed(client.get(url(LIST, tenant_a), {"object_type": "collab.orgunit", "object_id": "11"})) == {
        events_a["create_unit"].pk,
        events_a["rename_unit"].pk,
    }
    combined = client.get(url(LIST, tenant_a), {"actor": "hr_a", "action": "org_unit.create", "q": "安监"})
    assert listed(combined) == {events_a["create_unit"].pk}


def test_filter_by_date_range_in_the_tenants_time_zone(tenant_a, hr_a, login):
    late_evening_utc = datetime(2025, 3, 1, 17, 0, tzinfo=UTC)  # 2025-03-02 01:00 in Shanghai
    with tenant_scope(tenant_a):
        event = make_event(actor=hr_a, at=late_evening_utc)
    client = login(hr_a)
    assert listed(client.get(url(LIST, tenant_a), {"date_from": "2025-03-02", "date_to": "2025-03-02"})) == {
        event.pk
    }
    assert listed(client.get(url(LIST, tenant_a), {"date_to": "2025-03-01"})) == set()
    assert listed(client.get(url(LIST, tenant_a), {"date_from": "2025-03-03"})) == set()


def test_the_date_range_includes_both_ends(tenant_a, hr_a, login, events_a):
    client = login(hr_a)
    response = client.get(url(LIST, tenant_a), {"date_from": "2025-03-10", "date_to": "2025-03-11"})
    assert listed(response) == {events_a["create_unit"].pk, events_a["rename_unit"].pk}


@pytest.mark.parametrize(
    "params, field_error, expected",
    [
        ({"date_from": "not-a-date"}, "Enter a valid date", None),
        (
            {"date_from": "2025-03-12", "date_to": "2025-03-01"},
            "The end date is before the start date",
            {"system_period"},
        ),
        ({"q": "bad\x00text"}, "Null characters are not allowed", None),
        ({"action": "made.up"}, "Select a valid choice", None),
        ({"q": "x" * 500}, "at most 200 characters", None),
        ({"actor": "hr_a", "date_to": "31/02/2025"}, "Enter a valid date", {"create_unit", "rename_unit"}),
    ],
)
def test_bad_filters_show_field_errors_and_never_fail(
    params, field_error, expected, tenant_a, hr_a, login, events_a
):
    response = login(hr_a).get(url(LIST, tenant_a), params)
    assert response.status_code == 200
    assert field_error in response.content.decode()
    # The bad field is not applied; the valid ones still are.
    assert listed(response) == {
        event.pk for name, event in events_a.items() if expected is None or name in expected
    }


def test_empty_states_say_what_to_do(tenant_a, hr_a, login):
    client = login(hr_a)
    assert "Nothing has been recorded yet" in client.get(url(LIST, tenant_a)).content.decode()
    with tenant_scope(tenant_a):
        make_event(actor=hr_a)
    filtered = client.get(
        url(LIST, tenant_a), {"action": "employee.update", "date_from": "2000-01-01", "date_to": "2000-01-02"}
    )
    assert "No event matches these filters" in filtered.content.decode()


def test_pages_of_25_keep_the_filters(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        ids = [make_event(actor=hr_a, action="kpi.update", object_id=n).pk for n in range(30)]
        make_event(actor=hr_a, action="goal.update")
    client = login(hr_a)
    first = client.get(url(LIST, tenant_a), {"action": "kpi.update"})
    following = pager_link(first)
    assert following["action"] == "kpi.update"
    second = client.get(url(LIST, tenant_a), following)
    assert listed(first) == set(ids[-25:])
    assert listed(second) == set(ids[:5])
    # A cursor the server did not make (tampered, an old page number) opens the first page, never a 500.
    for tampered in ("abc", "9" * 30, following["page"][:-2] + "xx"):
        assert listed(client.get(url(LIST, tenant_a), {"action": "kpi.update", "page": tampered})) == set(
            ids[-25:]
        )


def test_htmx_requests_get_only_the_results(tenant_a, hr_a, login, events_a):
    response = login(hr_a).get(url(LIST, tenant_a), {"actor": "system"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and 'id="audit-results"' in content
    assert listed(response) == {events_a["system_period"].pk}


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_log(tenant_a, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        first = make_event(actor=hr_a, before={"a": 1}, after={"a": 2})
        make_event(actor=None, action="period.close")
    small = {
        "list": _queries(client, url(LIST, tenant_a)),
        "filtered": _queries(client, url(LIST, tenant_a), {"actor": "hr_a", "q": "Some"}),
        "detail": _queries(client, url(DETAIL, tenant_a, pk=first.pk)),
        "export": _queries(client, url(EXPORT, tenant_a)),
    }
    with tenant_scope(tenant_a):
        for n in range(60):
            make_event(
                actor=hr_a if n % 2 else None,
                action=f"area{n % 7}.update",
                object_type=f"app.m{n % 5}",
                before={"n": n},
                after={"n": n + 1},
            )
    large = {
        "list": _queries(client, url(LIST, tenant_a)),
        "filtered": _queries(client, url(LIST, tenant_a), {"actor": "hr_a", "q": "Some"}),
        "detail": _queries(client, url(DETAIL, tenant_a, pk=first.pk)),
        "export": _queries(client, url(EXPORT, tenant_a)),
    }
    assert small == large
    with django_assert_max_num_queries(12):
        client.get(url(LIST, tenant_a), {"page": "2"})
    with django_assert_max_num_queries(8):
        client.get(url(DETAIL, tenant_a, pk=first.pk))


# --- the detail: before/after side by side ------------------------------------------------------------------


def test_detail_shows_before_and_after_with_the_changes_highlighted(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        event = make_event(
            actor=hr_a,
            action="employee.update",
            object_repr="张伟",
            before={"name": "张伟", "position": 3, "email": "old@example.com", "note": "x"},
            after={"name": "张伟", "position": 5, "email": "new@example.com", "manager": 9},
        )
    client = login(hr_a)
    content = client.get(url(DETAIL, tenant_a, pk=event.pk)).content.decode()
    assert 'data-field="name" data-status="same" class=""' in content
    assert 'data-field="position" data-status="changed" class="table-warning"' in content
    assert 'data-field="email" data-status="changed" class="table-warning"' in content
    assert 'data-field="note" data-status="removed" class="table-danger"' in content
    assert 'data-field="manager" data-status="added" class="table-success"' in content
    assert "old@example.com" in content and "new@example.com" in content
    assert "4 fields changed" in content

    only_changes = client.get(url(DETAIL, tenant_a, pk=event.pk), {"changes": "1"}).content.decode()
    assert 'data-field="name"' not in only_changes
    assert 'data-field="position"' in only_changes


def test_detail_of_a_creation_and_of_an_event_without_snapshots(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        created = make_event(actor=hr_a, action="kpi.create", after={"code": "K1", "cap": "1.2"})
        bare = make_event(actor=hr_a, action="audit.export")
    client = login(hr_a)
    content = client.get(url(DETAIL, tenant_a, pk=created.pk)).content.decode()
    assert 'data-field="code" data-status="added"' in content
    assert 'id="audit-no-snapshot"' in client.get(url(DETAIL, tenant_a, pk=bare.pk)).content.decode()


def test_detail_of_a_missing_id_is_404(tenant_a, hr_a, login):
    client = login(hr_a)
    assert client.get(url(DETAIL, tenant_a, pk=987654)).status_code == 404
    assert client.get(f"/t/{tenant_a.slug}/audit/{'9' * 19}/").status_code == 404
    assert client.get(f"/t/{tenant_a.slug}/audit/abc/").status_code == 404


# --- export ---


def _sheet_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment;" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_export_follows_the_filters(tenant_a, hr_a, login, events_a):
    client = login(hr_a)
    rows = _sheet_rows(client.get(url(EXPORT, tenant_a), {"object_type": "collab.orgunit"}))
    assert rows[0][:3] == ("When", "Actor", "Action")
    assert [row[2] for row in rows[1:]] == ["Org unit edited", "Org unit added"]  # in words, as the page
    rename = rows[1]
    assert rename[3] == "Org unit" and rename[5] == "安全监察部" and rename[6] == "Name"
    assert rename[7:9] == ("Name: 安监部", "Name: 安全监察部")  # the code did not change
    assert rename[0] == datetime(2025, 3, 11, 12, 0, tzinfo=UTC).replace(tzinfo=None)  # tenant's local time


def test_export_cannot_smuggle_a_formula_into_excel(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        make_event(actor=hr_a, object_repr='=HYPERLINK("http://evil.example","click")')
    rows = _sheet_rows(login(hr_a).get(url(EXPORT, tenant_a)))
    assert rows[1][5].startswith("'=HYPERLINK")


# --- nothing is writable ---


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_route_writes(method, tenant_a, hr_a, auditor_a, login, events_a):
    target = events_a["rename_unit"]
    before = target.after
    hr = login(hr_a)
    for path in (url(LIST, tenant_a), url(EXPORT, tenant_a), url(DETAIL, tenant_a, pk=target.pk)):
        assert getattr(hr, method)(path, {"after": "{}"}).status_code == 405
    auditor = login(auditor_a)
    for path in (url(LIST, tenant_a), url(DETAIL, tenant_a, pk=target.pk)):
        assert getattr(auditor, method)(path).status_code == 405
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.get(pk=target.pk).after == before
        assert AuditEvent.objects.count() == 3


def test_the_model_refuses_edits_and_deletes(tenant_a, events_a):
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(pk=events_a["rename_unit"].pk)
        event.action = "forged"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(action="forged")
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()


# --- other tenants ---


def test_another_tenants_events_are_invisible(tenant_a, tenant_b, hr_a, login, events_a, event_b):
    client = login(hr_a)
    listing = client.get(url(LIST, tenant_a))
    assert event_b.pk not in listed(listing) and "Bravo secret unit" not in listing.content.decode()
    assert "hr_b" not in listing.content.decode()  # not even as an actor to filter by
    assert listed(client.get(url(LIST, tenant_a), {"q": str(event_b.object_id)})) == set()
    rows = _sheet_rows(client.get(url(EXPORT, tenant_a)))
    assert "Bravo secret unit" not in {row[5] for row in rows}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_another_tenants_event_id_is_404_like_a_missing_one(method, tenant_a, tenant_b, hr_a, login, event_b):
    before = b_rows(tenant_b)
    client = login(hr_a)
    expected = 404 if method == "get" else 405  # the page is read-only, whatever the id
    assert getattr(client, method)(url(DETAIL, tenant_a, pk=event_b.pk)).status_code == expected
    assert getattr(client, method)(url(DETAIL, tenant_a, pk=event_b.pk + 1000)).status_code == expected
    assert b_rows(tenant_b) == before


@pytest.mark.parametrize("name", [LIST, EXPORT])
def test_another_tenants_slug_is_404(name, tenant_a, tenant_b, hr_a, login, event_b):
    before = b_rows(tenant_b)
    client = login(hr_a)
    assert client.get(url(name, tenant_b)).status_code == 404
    assert client.post(url(name, tenant_b)).status_code == 404
    assert client.get(url(DETAIL, tenant_b, pk=event_b.pk)).status_code == 404
    assert b_rows(tenant_b) == before


def test_the_log_reads_only_inside_a_scope(tenant_a, events_a):
    from collab.selectors.audit import events as selectors
    from collab.tenancy import TenantScopeMissing

    with pytest.raises(TenantScopeMissing):
        list(selectors.audit_events())
    with all_tenants("test: the rows exist"):
        assert AuditEvent.objects.count() == 3
